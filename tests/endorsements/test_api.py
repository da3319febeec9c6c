"""Endorsements through the JSON API: made, listed and read by the department's staff, refused
to portal users, to roles that make none and to firms that may not see the policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import User
from trueup.audits.models import Audit

CLASS_ADD = {
    "kind": "class_add",
    "effective": "2025-07-01",
    "change": {"state": "IN", "class": "5606", "exposure": "100000"},
    "reason": "a project manager found at audit",
}


def _api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}")


def _path(audit: Audit) -> str:
    return f"/api/policies/WC-2025-01001/periods/{audit.period_id}/endorsements"


def _post(client: Client, audit: Audit, body: dict[str, Any]) -> Any:
    return client.post(_path(audit), body, content_type="application/json")


def test_an_auditor_makes_an_endorsement_and_reads_it_back(audit: Audit, auditor: User) -> None:
    client = _api(auditor)
    made = _post(client, audit, CLASS_ADD)
    assert made.status_code == 201
    body = made.json()
    assert (body["kind"], body["kind_label"], body["status"]) == (
        "class_add",
        "Class added",
        "issued",
    )
    assert body["premium_effect"] == "436.05"
    assert body["premium_reasons"][0] == (
        "class 5606 added from 2025-07-01: $865.00 annual × 184/365 days"
    )
    assert body["made_by"] == "auditor"

    listed = client.get(_path(audit))
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    read = client.get(f"{_path(audit)}/{body['id']}")
    assert read.status_code == 200
    assert read.json()["after"] == {
        "estimates": {"IN 5606": {"basis": "payroll", "exposure": "50410.96"}}
    }


def test_bad_input_answers_422_naming_each_field(audit: Audit, manager: User) -> None:
    client = _api(manager)
    wrong_kind = _post(client, audit, {**CLASS_ADD, "kind": "audit"})
    assert wrong_kind.status_code == 422
    assert [p["path"] for p in wrong_kind.json()["problems"]] == ["body.kind"]

    bad = _post(
        client,
        audit,
        {
            **CLASS_ADD,
            "effective": "2026-03-01",
            "change": {"state": "IN", "class": "9999", "exposure": "0"},
        },
    )
    assert bad.status_code == 422
    assert [p["path"] for p in bad.json()["problems"]] == [
        "effective",
        "change.class",
        "change.exposure",
    ]


def test_portal_users_are_refused_the_api(
    audit: Audit, policyholder: User, agent_user: User
) -> None:
    for user in (policyholder, agent_user):
        assert _api(user).get(_path(audit)).status_code == 401
        assert _post(_api(user), audit, CLASS_ADD).status_code == 401
    assert Client().get(_path(audit)).status_code == 401


def test_billing_reads_endorsements_but_makes_none(audit: Audit, billing: User) -> None:
    client = _api(billing)
    assert client.get(_path(audit)).status_code == 200
    refused = _post(client, audit, CLASS_ADD)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"


def test_a_firm_sees_no_period_it_has_no_audit_of(audit: Audit, vendor_auditor: User) -> None:
    client = _api(vendor_auditor)
    assert client.get(_path(audit)).status_code == 404
    assert _post(client, audit, CLASS_ADD).status_code == 404


def test_a_period_is_found_under_its_own_policy_only(audit: Audit, manager: User) -> None:
    path = f"/api/policies/WC-OTHER/periods/{audit.period_id}/endorsements"
    assert _api(manager).get(path).status_code == 404


def test_odd_changes_answer_422_never_a_server_error(audit: Audit, manager: User) -> None:
    client = _api(manager)
    odd: list[dict[str, Any]] = [
        {"state": ["IN"], "class": {"a": 1}, "exposure": None},
        {"state": "IN", "class": "5606", "exposure": "1e999999"},
        {"state": "IN", "class": "5606", "exposure": "NaN"},
        {"state": "IN", "class": "5606", "exposure": 1.5e300},
        {"state": "I", "class": "x" * 300, "exposure": "-0"},
    ]
    for change in odd:
        answer = _post(client, audit, {**CLASS_ADD, "change": change})
        assert answer.status_code == 422, change
    for kind, change in (
        ("mod_change", {"factor": "0.123456"}),
        ("mod_change", {"factor": "Infinity"}),
        ("schedule_rating_change", {"state": "IN", "factor": 3}),
        ("insured_correction", {"name": "N" * 201}),
        ("insured_correction", {"entity_type": "trust"}),
        ("officer_elect", {"name": "", "state": "IN", "class": "8810", "payroll": "1"}),
        ("state_remove", {"state": "IN"}),
    ):
        answer = _post(client, audit, {**CLASS_ADD, "kind": kind, "change": change})
        assert answer.status_code == 422, (kind, change)
        assert answer.json()["problems"][0]["path"].startswith("change"), (kind, change)


ABOVE_AUTHORITY = {
    "kind": "exposure_change",
    "effective": "2025-01-01",
    "change": {"state": "IN", "class": "5645", "exposure": "500000"},
    "reason": "the framing crew doubled",
}


def test_another_reviewer_approves_an_endorsement_awaiting_review(
    audit: Audit, auditor: User, second_reviewer: User
) -> None:
    made = _post(_api(auditor), audit, ABOVE_AUTHORITY).json()
    assert made["status"] == "awaiting_review"
    url = f"{_path(audit)}/{made['id']}/approve"
    approved = _api(second_reviewer).post(url, {"reason": "checked"}, "application/json")
    assert approved.status_code == 200
    assert (approved.json()["id"], approved.json()["status"]) == (made["id"], "issued")
    again = _api(second_reviewer).post(url, {}, "application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "refused"
    assert "not one that is issued" in again.json()["message"]


def test_the_maker_may_not_approve_their_own_endorsement_nor_an_auditor_any(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    reviewer.authority_amount = Decimal(100)
    reviewer.save()
    made = _post(_api(reviewer), audit, ABOVE_AUTHORITY).json()
    url = f"{_path(audit)}/{made['id']}/approve"
    own = _api(reviewer).post(url, {}, "application/json")
    assert own.status_code == 403
    assert own.json()["code"] == "not_allowed"
    assert "maker" in own.json()["message"]
    assert _api(auditor).post(url, {}, "application/json").status_code == 403
    assert _api(reviewer).get(f"{_path(audit)}/{made['id']}").json()["status"] == (
        "awaiting_review"
    )


def test_a_reviewer_reverses_an_issued_endorsement_with_a_reason(
    audit: Audit, manager: User, reviewer: User
) -> None:
    made = _post(_api(manager), audit, CLASS_ADD).json()
    url = f"{_path(audit)}/{made['id']}/reverse"
    client = _api(reviewer)
    reversed_ = client.post(url, {"reason": "entered twice"}, "application/json")
    assert reversed_.status_code == 201
    body = reversed_.json()
    assert (body["reverses"], body["status"], body["premium_effect"]) == (
        made["id"],
        "issued",
        "-436.05",
    )
    assert client.get(f"{_path(audit)}/{made['id']}").json()["status"] == "reversed"
    again = client.post(url, {"reason": "again"}, "application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "refused"


def test_a_reversal_without_a_reason_answers_422_naming_the_field(
    audit: Audit, manager: User
) -> None:
    made = _post(_api(manager), audit, CLASS_ADD).json()
    url = f"{_path(audit)}/{made['id']}/reverse"
    missing = _api(manager).post(url, {}, "application/json")
    assert missing.status_code == 422
    assert [p["path"] for p in missing.json()["problems"]] == ["body.reason"]
    blank = _api(manager).post(url, {"reason": "  "}, "application/json")
    assert blank.status_code == 422
    assert [p["path"] for p in blank.json()["problems"]] == ["reason"]
    assert _api(manager).get(f"{_path(audit)}/{made['id']}").json()["status"] == "issued"


def test_approving_or_reversing_is_refused_to_billing_and_unknown_endorsements_are_404(
    audit: Audit, manager: User, billing: User
) -> None:
    made = _post(_api(manager), audit, CLASS_ADD).json()
    reverse = f"{_path(audit)}/{made['id']}/reverse"
    refused = _api(billing).post(reverse, {"reason": "x"}, "application/json")
    assert refused.status_code == 403
    missing = f"{_path(audit)}/999999/approve"
    assert _api(manager).post(missing, {}, "application/json").status_code == 404
    other = f"/api/policies/WC-OTHER/periods/{audit.period_id}/endorsements/{made['id']}/reverse"
    assert _api(manager).post(other, {"reason": "x"}, "application/json").status_code == 404
