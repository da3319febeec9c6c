"""The JSON API: token authentication, role checks, 403/409/422 answers, all-or-nothing writes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits import facts
from trueup.audits.models import Audit, AuditEdit
from trueup.policies.models import Policy


def client_for(user: User) -> Client:
    _, key = api_token_create(user=user, name="test system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def put(client: Client, url: str, body: Any, if_match: str | None = None) -> Any:
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def test_every_endpoint_refuses_a_call_without_a_valid_token(audit: Audit) -> None:
    anonymous = Client()
    assert anonymous.get("/api/audits").status_code == 401
    assert anonymous.get(f"/api/audits/{audit.pk}").status_code == 401
    assert post(anonymous, f"/api/audits/{audit.pk}/actions/submit").status_code == 401
    wrong = Client(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert wrong.get("/api/audits").status_code == 401


def test_a_revoked_token_is_refused(audit: Audit, auditor: User) -> None:
    token, key = api_token_create(user=auditor, name="old")
    token.revoked = True
    token.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/audits").status_code == 401


def test_an_underwriter_reads_audits_but_may_not_act(audit: Audit, underwriter: User) -> None:
    client = client_for(underwriter)
    listed = client.get("/api/audits").json()
    assert listed["count"] == 1
    assert listed["items"][0]["policy_number"] == "WC-2025-01001"
    answer = post(client, f"/api/audits/{audit.pk}/actions/submit")
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_allowed"


def test_submit_then_approve_through_the_api(audit: Audit, auditor: User, reviewer: User) -> None:
    submitted = post(client_for(auditor), f"/api/audits/{audit.pk}/actions/submit")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "in_review"
    assert body["result"]["adjustment"] == "4575.00"
    assert body["result"]["outcome"] == "additional"
    # The auditor may not approve; the reviewer may.
    assert post(client_for(auditor), f"/api/audits/{audit.pk}/actions/approve").status_code == 403
    approved = post(client_for(reviewer), f"/api/audits/{audit.pk}/actions/approve")
    assert approved.json()["status"] == "completed"


def test_an_illegal_move_answers_409_with_the_reason(audit: Audit, manager: User) -> None:
    answer = post(client_for(manager), f"/api/audits/{audit.pk}/actions/receive_records")
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "illegal_transition",
        "message": "an audit that is in progress cannot become records received",
    }


def test_the_result_carries_the_trace(audit: Audit, auditor: User) -> None:
    client = client_for(auditor)
    assert client.get(f"/api/audits/{audit.pk}/result").status_code == 409  # not rated yet
    rated = post(client, f"/api/audits/{audit.pk}/rate")
    assert rated.json()["audited_premium"] == "24230.00"
    result = client.get(f"/api/audits/{audit.pk}/result").json()
    assert result["audited_premium"] == "24230"
    reasons = [r for line in result["audited"]["exposures"] for r in line["reasons"]]
    assert any(r["rule"] == "overtime" and r["source"] for r in reasons)


def test_payroll_with_a_bad_amount_answers_422_with_the_field_path_and_changes_nothing(
    audit: Audit, auditor: User
) -> None:
    lines = [{"state": "IN", "class": "5645", "gross": "1000"}, {"state": "IN", "gross": "ten"}]
    answer = put(client_for(auditor), f"/api/audits/{audit.pk}/payroll", lines, '"0"')
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"path": "body[1].gross", "reason": "Input should be a valid decimal"}
    ]
    assert audit.payroll.count() == 3


def test_payroll_is_replaced_and_rated(audit: Audit, auditor: User) -> None:
    client = client_for(auditor)
    lines = [
        {"state": "IN", "class": "5645", "employee": "Crew", "gross": "350000"},
        {"state": "IN", "class": "8810", "employee": "Office", "gross": "60000"},
    ]
    answer = put(client, f"/api/audits/{audit.pk}/payroll", lines, '"0"')
    assert answer.json() == {"lines": 2, "facts_version": 1}
    rated = post(client, f"/api/audits/{audit.pk}/rate").json()
    # The audited payroll equals the estimate, so the premium equals it too.
    assert rated["adjustment"] == "0.00"
    assert rated["outcome"] == "zero"


def test_a_class_without_a_rate_answers_422_with_the_worksheet_path(
    audit: Audit, auditor: User
) -> None:
    client = client_for(auditor)
    lines = [{"state": "IN", "class": "0001", "gross": "5"}]
    put(client, f"/api/audits/{audit.pk}/payroll", lines, '"0"')
    answer = post(client, f"/api/audits/{audit.pk}/rate")
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["path"] == "$.audited.payroll[0].class"


def test_the_audit_shows_its_facts_version_and_a_payroll_replacement_counts_one_more(
    audit: Audit, auditor: User
) -> None:
    client = client_for(auditor)
    assert client.get(f"/api/audits/{audit.pk}").json()["facts_version"] == 0
    lines = [{"state": "IN", "class": "5645", "employee": "Crew", "gross": "350000"}]
    answer = put(client, f"/api/audits/{audit.pk}/payroll", lines, '"0"')
    assert answer.json() == {"lines": 1, "facts_version": 1}
    # The answer's version is the one to send next; a weak or unquoted one is read the same.
    assert put(client, f"/api/audits/{audit.pk}/payroll", lines, 'W/"1"').status_code == 200
    assert put(client, f"/api/audits/{audit.pk}/payroll", lines, "2").json()["facts_version"] == 3
    assert client.get(f"/api/audits/{audit.pk}").json()["facts_version"] == 3


def test_a_payroll_replacement_without_if_match_answers_428_and_changes_nothing(
    audit: Audit, auditor: User
) -> None:
    lines = [{"state": "IN", "class": "5645", "employee": "Crew", "gross": "350000"}]
    for if_match in (None, "*", '"latest"'):
        answer = put(client_for(auditor), f"/api/audits/{audit.pk}/payroll", lines, if_match)
        assert answer.status_code == 428
        assert answer.json() == {
            "code": "precondition_required",
            "message": "say which version of the audit's facts this payroll was made from: "
            f"read facts_version with GET /api/audits/{audit.pk} and send it as "
            'If-Match: "<facts_version>"',
        }
    assert list(audit.payroll.values_list("gross", flat=True)) == [
        Decimal("436500.00"),
        Decimal("12000.00"),
        Decimal("61250.00"),
    ]
    assert not AuditEdit.objects.exists()
    assert Audit.objects.get(pk=audit.pk).facts_version == 0


def test_of_two_systems_replacing_the_payroll_from_the_same_version_the_second_gets_409(
    audit: Audit, auditor: User, manager: User
) -> None:
    """Both read the audit, then both send a register: the first one's lines stand."""
    first, second = client_for(auditor), client_for(manager)
    seen = [c.get(f"/api/audits/{audit.pk}").json()["facts_version"] for c in (first, second)]
    assert seen == [0, 0]
    crew = [{"state": "IN", "class": "5645", "employee": "Crew", "gross": "350000"}]
    office = [{"state": "IN", "class": "8810", "employee": "Office", "gross": "60000"}]
    assert put(first, f"/api/audits/{audit.pk}/payroll", crew, '"0"').status_code == 200
    answer = put(second, f"/api/audits/{audit.pk}/payroll", office, '"0"')
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "stale_edit",
        "message": "the audit's facts changed after version 0, which this replacement was made "
        "from; they are at version 1 now and nothing was replaced: read them again and make the "
        "replacement from what is there now",
        "current": {"facts_version": 1},
    }
    assert list(audit.payroll.values_list("employee", "gross")) == [("Crew", Decimal("350000.00"))]
    assert [e.summary for e in AuditEdit.objects.filter(audit=audit)] == [
        "replaced the payroll with 1 line(s)"
    ]


def test_a_payroll_replacement_made_before_a_workbench_edit_is_refused(
    audit: Audit, auditor: User
) -> None:
    line = audit.payroll.get(employee="Office")
    facts.audit_fact_save(
        audit=audit,
        by=auditor,
        kind="payroll",
        pk=line.pk,
        version=1,
        values={"gross": Decimal("70000")},
    )
    crew = [{"state": "IN", "class": "5645", "employee": "Crew", "gross": "350000"}]
    answer = put(client_for(auditor), f"/api/audits/{audit.pk}/payroll", crew, '"0"')
    assert answer.status_code == 409
    assert answer.json()["current"] == {"facts_version": 1}
    line.refresh_from_db()
    assert line.gross == Decimal("70000.00")


POLICY = {
    "line": "WC",
    "insured": {"name": "Prairie Bakery Inc.", "fein": "351234567", "entity_type": "corporation"},
    "periods": [
        {
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["in"],
            "deposit_premium": "4200",
            "estimates": [{"state": "IN", "class": "2003", "exposure": "150000"}],
        }
    ],
}


@pytest.mark.django_db
def test_a_policy_admin_system_upserts_a_policy_and_resending_it_changes_nothing_twice(
    manager: User,
) -> None:
    client = client_for(manager)
    first = put(client, "/api/policies/WC-9001", POLICY)
    assert first.status_code == 200
    changed = json.loads(json.dumps(POLICY))
    changed["periods"][0]["estimates"] = [{"state": "IN", "class": "2003", "exposure": "175000"}]
    second = put(client, "/api/policies/WC-9001", changed).json()
    assert second["periods"][0]["estimates"] == [
        {"state": "IN", "class": "2003", "basis": "payroll", "exposure": "175000.00"}
    ]
    assert second["periods"][0]["states"] == ["IN"]
    policy = Policy.objects.get(number="WC-9001")
    assert policy.periods.count() == 1
    assert policy.periods.get().estimates.count() == 1


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_answers_422_and_writes_nothing(
    manager: User,
) -> None:
    bad = json.loads(json.dumps(POLICY))
    bad["periods"][0]["expiration"] = "2024-12-31"
    answer = put(client_for(manager), "/api/policies/WC-9002", bad)
    assert answer.status_code == 422
    assert "expiration must be after effective" in json.dumps(answer.json())
    assert not Policy.objects.filter(number="WC-9002").exists()


@pytest.mark.django_db
def test_a_wc_policy_in_a_monopolistic_state_or_a_state_without_rules_answers_422(
    manager: User,
) -> None:
    bad = json.loads(json.dumps(POLICY))
    bad["periods"][0]["states"] = ["in", "oh", "pr"]
    answer = put(client_for(manager), "/api/policies/WC-9004", bad)

    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {
            "path": "periods[0].states[1]",
            "reason": "workers' compensation in Ohio is written only by the state fund (Ohio "
            "Bureau of Workers' Compensation (BWC)): it is not rated here",
        },
        {
            "path": "periods[0].states[2]",
            "reason": "the rule book has no file for PR: a policy there cannot be rated until its "
            "rules are loaded",
        },
    ]
    assert not Policy.objects.filter(number="WC-9004").exists()


@pytest.mark.django_db
def test_an_auditor_may_not_change_policies(auditor: User) -> None:
    assert put(client_for(auditor), "/api/policies/WC-9003", POLICY).status_code == 403


@pytest.mark.django_db
def test_the_openapi_document_lists_the_endpoints() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "/api/audits/{audit_id}/actions/{action}" in paths
    assert "/api/policies/{number}" in paths


def test_the_list_filters_by_state_and_overdue_like_the_worklist(
    audit: Audit, underwriter: User
) -> None:
    client = client_for(underwriter)
    assert client.get("/api/audits?state=in").json()["count"] == 1
    assert client.get("/api/audits?state=KY").json()["count"] == 0
    Audit.objects.filter(pk=audit.pk).update(due_date="2026-01-15")
    assert client.get("/api/audits?overdue=true").json()["count"] == 1
    assert client.get("/api/audits?due_from=2026-02-01").json()["count"] == 0


def test_a_premium_too_large_to_keep_answers_422_and_keeps_no_result(
    audit: Audit, auditor: User
) -> None:
    # Each line is within the largest amount TrueUp keeps; together they rate past it.
    audit.payroll.update(gross=Decimal("999999999999.00"))
    for _ in range(20):
        line = audit.payroll.first()
        line.pk = None
        line.save()
    answer = client_for(auditor).post(f"/api/audits/{audit.pk}/rate")
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {
            "path": "$",
            "reason": "the premium this worksheet rates to is too large to keep (more than "
            "999,999,999,999.99 dollars): check the amounts and factors",
        }
    ]
    assert not audit.results.exists()
