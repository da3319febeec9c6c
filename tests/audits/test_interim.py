"""Interim audits: asked for by underwriting during the term, for the days since the term began
or since the last interim audit, due by the interim pattern, rated for those days pro rata.

The period is the first example's, 2025-01-01 to 2026-01-01 (365 days), estimating $350,000 of
framing payroll (IN 5645) and $60,000 of office payroll (IN 8810)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditType, PayrollEntry, StatusChange
from trueup.audits.scheduling import interim_audit_request
from trueup.audits.services import audit_rate
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput, NotAllowed


def _first_quarter(audit: Audit, underwriter: User) -> Audit:
    return interim_audit_request(
        period=audit.period, covers_to=date(2025, 3, 31), reason="bankruptcy", by=underwriter
    )


def test_an_underwriter_asks_for_an_interim_audit_of_the_first_quarter(
    audit: Audit, underwriter: User
) -> None:
    interim = _first_quarter(audit, underwriter)
    assert interim.type == AuditType.INTERIM
    assert interim.status == Status.SCHEDULED
    assert (interim.covers_from, interim.covers_to) == (date(2025, 1, 1), date(2025, 3, 31))
    assert interim.start_date == date(2025, 3, 31)
    # Due 60 days after the span ends (never past 90).
    assert interim.due_date == date(2025, 5, 30)
    assert interim.get_interim_reason_display() == "Bankruptcy filing"
    change = StatusChange.objects.get(audit=interim)
    assert change.by == underwriter
    assert change.reason.startswith(
        "interim audit of 2025-01-01 to 2025-03-31 (bankruptcy filing); Interim audits"
    )


def test_the_next_interim_audit_starts_the_day_after_the_last(
    audit: Audit, underwriter: User, manager: User
) -> None:
    _first_quarter(audit, underwriter)
    second = interim_audit_request(
        period=audit.period,
        covers_to=date(2025, 6, 30),
        reason="underwriter_request",
        by=manager,
    )
    assert (second.covers_from, second.covers_to) == (date(2025, 4, 1), date(2025, 6, 30))
    assert second.due_date == date(2025, 8, 29)


def test_an_interim_audit_overlapping_the_last_one_is_refused(
    audit: Audit, underwriter: User
) -> None:
    _first_quarter(audit, underwriter)
    with pytest.raises(InvalidInput) as refused:
        interim_audit_request(
            period=audit.period, covers_to=date(2025, 3, 15), reason="bankruptcy", by=underwriter
        )
    assert refused.value.problems[0].reason == (
        "an interim audit covers part of the term from 2025-04-01: choose a last day from "
        "2025-04-01 to 2025-12-31 (earlier days are covered by an earlier interim audit, the "
        "term's end by its final audit)"
    )
    assert Audit.objects.filter(type=AuditType.INTERIM).count() == 1


def test_a_last_day_at_or_past_the_terms_end_is_refused(audit: Audit, underwriter: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        interim_audit_request(
            period=audit.period,
            covers_to=date(2026, 1, 1),
            reason="underwriter_request",
            by=underwriter,
        )
    assert refused.value.problems[0].reason == (
        "an interim audit covers part of the term: choose a last day from 2025-01-01 to 2025-12-31"
    )


def test_a_reason_outside_the_choices_is_refused(audit: Audit, underwriter: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        interim_audit_request(
            period=audit.period, covers_to=date(2025, 3, 31), reason="curiosity", by=underwriter
        )
    assert refused.value.problems[0].reason == (
        "choose why the audit is asked for: underwriter request, bankruptcy filing"
    )


def test_an_auditor_may_not_ask_for_an_interim_audit(audit: Audit, auditor: User) -> None:
    with pytest.raises(NotAllowed):
        interim_audit_request(
            period=audit.period, covers_to=date(2025, 3, 31), reason="bankruptcy", by=auditor
        )


def test_the_interim_audit_rates_its_quarter_against_the_estimate_pro_rata(
    audit: Audit, underwriter: User, manager: User
) -> None:
    interim = _first_quarter(audit, underwriter)
    Audit.objects.filter(pk=interim.pk).update(status=Status.IN_PROGRESS)
    PayrollEntry.objects.create(audit=interim, state="IN", class_code="5645", gross=Decimal(120000))
    PayrollEntry.objects.create(audit=interim, state="IN", class_code="8810", gross=Decimal(15000))
    result = audit_rate(audit=Audit.objects.get(pk=interim.pk), by=manager)
    lines = {line["item"]: line for line in result.result["adjustments"] if line.get("is_class")}
    # The quarter's 90 of 365 days: $350,000 × 90 / 365 and $60,000 × 90 / 365.
    assert {k: v["estimated_exposure"] for k, v in lines.items()} == {
        "5645": "86301.37",
        "8810": "14794.52",
    }
    assert {k: v["audited_exposure"] for k, v in lines.items()} == {
        "5645": "120000.00",
        "8810": "15000.00",
    }
    assert (result.result["period_start"], result.result["period_end"]) == (
        "2025-01-01",
        "2025-04-01",
    )
    # Audited: manual $7,578.30, mod 0.92 → standard $6,972.04. The discount table is read at a
    # year's standard premium, $6,972.04 × 365 / 90 = $28,275.50: ($28,275.50 − $10,000) × 9.1 %
    # = an average of 5.8817 %, $410.07. The $160 expense constant is earned for 90 of 365 days,
    # $39.45; terrorism and catastrophe $13.50 each: $6,628.42, rounded to $6,628. The estimate
    # the same way: $5,019.23 standard, 4.6295 % discount $232.37, $39.45, $10.11 twice: $4,847.
    assert (result.estimated_premium, result.audited_premium, result.adjustment) == (
        Decimal("4847.00"),
        Decimal("6628.00"),
        Decimal("1781.00"),
    )
    steps = {
        step["code"]: step
        for step in result.result["audited"]["states"][0]["steps"]
        if step["code"] in ("premium_discount", "expense_constant")
    }
    assert steps["expense_constant"]["reason"]["text"] == (
        "expense constant $160 for the term, earned for the 90 of its 365 days this interim "
        "audit covers: $39.45"
    )
    assert steps["expense_constant"]["reason"]["rule"] == "interim"
    assert steps["premium_discount"]["reason"]["text"] == (
        "premium discount on standard premium $6,972.04 (graded as $28,275.50 for a full year: "
        "this interim audit covers 90 of the term's 365 days): average 5.8817% = $410.07"
    )


def test_the_underwriter_asks_for_one_from_the_audit_page(
    audit: Audit, underwriter: User, client: Client
) -> None:
    client.force_login(underwriter)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "Ask for an interim audit" in page
    answer = client.post(
        f"/audits/{audit.pk}/interim/", {"covers_to": "2025-06-30", "reason": "bankruptcy"}
    )
    made = Audit.objects.get(type=AuditType.INTERIM)
    assert answer.status_code == 302
    assert answer["Location"] == f"/audits/{made.pk}/"
    assert (made.covers_from, made.covers_to) == (date(2025, 1, 1), date(2025, 6, 30))


def test_an_auditor_is_not_offered_the_form_and_may_not_post_it(
    audit: Audit, auditor: User, client: Client
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    client.force_login(auditor)
    assert "Ask for an interim audit" not in client.get(f"/audits/{audit.pk}/").content.decode()
    answer = client.post(
        f"/audits/{audit.pk}/interim/", {"covers_to": "2025-06-30", "reason": "bankruptcy"}
    )
    assert answer.status_code == 403
    assert not Audit.objects.filter(type=AuditType.INTERIM).exists()


def test_a_policy_admin_system_asks_for_one_through_the_api(
    audit: Audit, underwriter: User
) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(underwriter)}")
    answer = api.post(
        f"/api/audits/{audit.pk}/interim",
        {"covers_to": "2025-09-30", "reason": "underwriter_request"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["type"], body["status"], body["due_date"]) == (
        "interim",
        "scheduled",
        "2025-11-29",
    )
    assert (body["covers_from"], body["covers_to"]) == ("2025-01-01", "2025-09-30")
    assert body["interim_reason"] == "underwriter_request"


def test_the_api_refuses_an_auditor_and_a_day_past_the_term(
    audit: Audit, underwriter: User, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    path = f"/api/audits/{audit.pk}/interim"
    late = {"covers_to": "2026-02-01", "reason": "bankruptcy"}
    as_auditor = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(auditor)}")
    assert as_auditor.post(path, late, content_type="application/json").status_code == 403
    as_underwriter = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(underwriter)}")
    answer = as_underwriter.post(path, late, content_type="application/json")
    assert answer.status_code == 422
    assert not Audit.objects.filter(type=AuditType.INTERIM).exists()
