"""``GET /api/metrics``: the dashboard's figures for other systems, for the same roles."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.test import Client

from tests.audits.conftest import api_key_for, make_user
from tests.reporting.conftest import TODAY, Book, on
from trueup.accounts.models import Role, User
from trueup.core import clock
from trueup.reporting import figures


def get(user: User, query: str = "") -> tuple[int, dict]:  # type: ignore[type-arg]
    """Asked on the book's today (patched: freezegun's dates upset the API's schema)."""
    with patch.object(clock, "today", lambda: TODAY):
        response = Client().get(
            f"/api/metrics{query}", HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}"
        )
    return response.status_code, response.json()


def test_a_manager_reads_the_metrics_with_their_definitions_as_exact_strings(
    book: Book,
) -> None:
    with on(TODAY):
        figures.refresh()
    status, body = get(book.manager, "?start=2026-01-01&end=2026-07-20&vendor=in_house")
    assert status == 200
    assert (body["start"], body["end"], body["filters"]) == (
        "2026-01-01",
        "2026-07-20",
        {"vendor": "in_house"},
    )
    found = {f["key"]: f for f in body["figures"]}
    assert found["cycle_median"]["value"] == "57.50"
    assert found["ap_dollars"]["value"] == "53035.00"
    assert found["backlog"]["value"] == 1
    assert found["cycle_median"]["definition"].startswith("Whole days from the period's end")
    vendors = next(t for t in body["tables"] if t["key"] == "vendors")
    assert vendors["rows"][0][:3] == ["In-house", 4, "57.50"]
    assert body["as_of"] is not None


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_reviewers_and_administrators_may_read_the_metrics(db: None, role: str) -> None:
    assert get(make_user("someone", role))[0] == 200


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.BILLING, Role.UNDERWRITER])
def test_other_staff_may_not_read_the_metrics(db: None, role: str) -> None:
    status, body = get(make_user("someone", role))
    assert (status, body["code"]) == (403, "not_allowed")


def test_policyholders_agents_and_vendor_firms_never_reach_the_metrics(
    policyholder: User, agent_user: User, vendor_auditor: User
) -> None:
    for user in (policyholder, agent_user, vendor_auditor):
        assert get(user)[0] in (401, 403)


def test_a_bad_filter_is_answered_422_naming_the_field(db: None) -> None:
    status, body = get(make_user("manager", Role.MANAGER), "?end=yesterday")
    assert status == 422
    assert body["problems"] == [
        {"path": "end", "reason": "must be a date as YYYY-MM-DD, like 2026-01-31"}
    ]
