"""The workflow's one action table: the transition map, the roles, the reasons required, the
workbench's buttons and the API's actions all read from it."""

from __future__ import annotations

import pytest
from django.test import Client

from trueup.accounts.models import Role
from trueup.audits import services
from trueup.audits.workflow import (
    ACTIONS,
    BILLABLE,
    CLOSED,
    FINAL,
    MOVES,
    RESULT_SHOWN,
    TRANSITIONS,
    Status,
)

S = Status


def test_the_transition_map_made_from_the_action_table_is_the_workflow_s_map() -> None:
    assert {
        S.SCHEDULED: {S.RECORDS_REQUESTED, S.IN_PROGRESS, S.WAIVED},
        S.RECORDS_REQUESTED: {S.RECORDS_RECEIVED, S.IN_PROGRESS, S.ESTIMATED, S.WAIVED},
        S.RECORDS_RECEIVED: {S.IN_PROGRESS},
        S.IN_PROGRESS: {S.IN_REVIEW, S.COMPLETED, S.RECORDS_REQUESTED},
        S.IN_REVIEW: {S.COMPLETED, S.IN_PROGRESS},
        S.WAIVED: {S.SCHEDULED},
        S.ESTIMATED: {S.REVISED, S.REVERSED},
        S.COMPLETED: {S.REVISED, S.REVERSED},
        S.REVISED: set(),
        S.REVERSED: set(),
    } == TRANSITIONS


def test_each_action_appears_once_in_the_table() -> None:
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names))


def test_the_services_roles_and_reasons_come_from_the_table() -> None:
    assert services.ACTION_ROLES["waive"] == {Role.MANAGER, Role.ADMIN}
    assert services.ACTION_ROLES["record_payments"] == {Role.BILLING, Role.ADMIN}
    assert services.ACTION_FROM["revise"] == {S.COMPLETED, S.ESTIMATED}
    assert "edit_facts" not in services.ACTION_FROM  # changes no status
    assert {"return", "estimate", "revise", "reverse", "reopen"} == services.REASON_REQUIRED


def test_the_named_status_sets_say_which_audits_have_a_result_to_bill_show_or_close() -> None:
    assert {S.COMPLETED, S.ESTIMATED, S.WAIVED} == FINAL
    assert {S.COMPLETED, S.ESTIMATED} == BILLABLE
    assert {S.COMPLETED, S.ESTIMATED, S.WAIVED, S.REVISED} == RESULT_SHOWN
    assert {S.COMPLETED, S.ESTIMATED, S.WAIVED, S.REVISED, S.REVERSED} == CLOSED


@pytest.mark.django_db
def test_the_api_offers_exactly_the_workflow_s_moves() -> None:
    document = Client().get("/api/openapi.json").json()
    operation = document["paths"]["/api/audits/{audit_id}/actions/{action}"]["post"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "action"]
    assert parameter["schema"]["enum"] == [
        "start",
        "request_records",
        "receive_records",
        "submit",
        "approve",
        "return",
        "waive",
        "estimate",
        "revise",
        "reverse",
        "reopen",
    ]
    assert list(MOVES) == parameter["schema"]["enum"]
