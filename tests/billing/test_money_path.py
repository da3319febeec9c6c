"""Only a reviewed result is billed: the result pinned when the audit became final is the one
billing, letters and the portal use; a final result is never re-priced; the hand-off waits for
the outreach window; idempotency keys name one audit's hand-off."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.reference.test_reference import demo_rates_with
from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits import services as audit_services
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.billing import handoff as billing_handoff
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.errors import BillingRefused
from trueup.billing.models import BillingInstruction, OutboxMessage, Outreach
from trueup.flows import disputes, results
from trueup.letters.services import letter_render
from trueup.policies.models import Insured, Policy, PolicyPeriod
from trueup.reference.models import RateTableVersion
from trueup.reference.services import rate_table_activate


def _api(user: User) -> Client:
    _, key = api_token_create(user=user, name="policy system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def audit_b_released(released: Audit, auditor: User, reviewer: User) -> Audit:
    """A second insured's audit with the same facts, approved and released."""
    period = released.period
    insured = Insured.objects.create(name="Second Street Builders LLC", entity_type="llc")
    policy = Policy.objects.create(insured=insured, number="WC-2025-01002", line="WC")
    other = PolicyPeriod.objects.create(
        policy=policy,
        effective=period.effective,
        expiration=period.expiration,
        states=period.states,
        experience_mods=period.experience_mods,
        premium_discount=period.premium_discount,
        deposit_premium=period.deposit_premium,
    )
    for estimate in period.estimates.all():
        estimate.pk = None
        estimate.period = other
        estimate.save()
    audit = Audit.objects.create(period=other, status=Status.IN_PROGRESS)
    for line in released.payroll.all():
        line.pk = None
        line.audit = audit
        line.save()
    approved = results.audit_approve(
        audit=results.audit_submit(audit=audit, by=auditor), by=reviewer
    )
    services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained"
    )
    return approved


def _new_rates_in_use(by: User) -> None:
    """A filed table with Indiana 5645 at 7.000 instead of 6.298: every rating would rise."""
    version = RateTableVersion.objects.create(
        name="in-wc-2025-filed", source="carrier filing (test)", csv_text=demo_rates_with("7.000")
    )
    rate_table_activate(version=version, by=by)


def test_the_approved_result_is_pinned_on_the_audit(approved: Audit) -> None:
    audit = Audit.objects.get(pk=approved.pk)
    assert audit.final_result is not None
    assert audit.final_result == audit.latest_result
    assert audit.final_result.adjustment == Decimal("4575.00")


def test_a_completed_audit_is_not_re_rated_through_the_api_with_new_rates(
    approved: Audit, auditor: User, manager: User
) -> None:
    _new_rates_in_use(manager)
    answer = _api(auditor).post(f"/api/audits/{approved.pk}/rate")
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "audit_closed",
        "message": "the audit is completed and its facts cannot change: its result is final; "
        "to change it, an audit manager opens a revision",
    }
    assert ResultSnapshot.objects.filter(audit=approved).count() == 1


def test_the_rating_service_refuses_a_final_audit_and_one_in_review(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    submitted = results.audit_submit(audit=audit, by=auditor)
    with pytest.raises(audit_services.AuditClosed, match="a reviewer must first return it"):
        audit_services.audit_rate(audit=submitted, by=auditor)
    approved = results.audit_approve(audit=submitted, by=reviewer)
    with pytest.raises(audit_services.AuditClosed, match="an audit manager opens a revision"):
        audit_services.audit_rate(audit=approved, by=auditor)
    assert ResultSnapshot.objects.filter(audit=audit).count() == 1


def test_billing_uses_the_pinned_result_even_when_a_later_rating_exists(
    approved: Audit, reviewer: User, manager: User
) -> None:
    # A later snapshot, as an older version of TrueUp could leave: never billed, never shown.
    pinned = Audit.objects.get(pk=approved.pk).final_result
    ResultSnapshot.objects.create(
        audit=approved,
        engine_version=pinned.engine_version,
        rulebook_version=pinned.rulebook_version,
        rates_version="in-wc-2025-filed-1",
        worksheet=pinned.worksheet,
        result=pinned.result,
        estimated_premium=Decimal("19655.00"),
        audited_premium=Decimal("25335.00"),
        adjustment=Decimal("5680.00"),
        outcome="additional",
    )
    instruction = services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained"
    )
    assert (instruction.result_id, instruction.bill_now) == (pinned.pk, Decimal("4575.00"))
    pinned_audit = Audit.objects.get(pk=approved.pk)
    html = letter_render(
        audit=pinned_audit, kind="results", extra=billing_selectors.dispute_terms(pinned_audit)
    ).html
    assert "$4,575" in html
    assert "$5,680" not in html


def test_the_hand_off_waits_for_the_outreach_window_and_names_its_last_day(
    approved: Audit, billing: User
) -> None:
    outreach = Outreach.objects.get(audit=approved)
    answer = _api(billing).post(
        f"/api/audits/{approved.pk}/billing-handoff", HTTP_IDEMPOTENCY_KEY="bill-run-1"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "billing_refused"
    assert (
        f"being explained to the insured until {outreach.window_ends:%B %-d, %Y}"
        in answer.json()["message"]
    )
    assert not BillingInstruction.objects.exists()
    assert Outreach.objects.get(pk=outreach.pk).status == "open"


def test_a_disputed_window_is_not_billed_by_a_hand_off_either(
    approved: Audit, auditor: User, manager: User
) -> None:
    disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645"}],
        statement="The framing crew worked on another policy's job in March.",
    )
    with pytest.raises(BillingRefused, match="being explained to the insured"):
        billing_handoff.billing_handoff(audit=approved, by=manager)
    assert not BillingInstruction.objects.exists()


def test_a_key_used_for_one_audit_is_refused_for_another(
    released: Audit, audit_b_released: Audit, billing: User
) -> None:
    first = BillingInstruction.objects.get(audit=released)
    answer = _api(billing).post(
        f"/api/audits/{audit_b_released.pk}/billing-handoff",
        HTTP_IDEMPOTENCY_KEY=first.idempotency_key,
    )
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {
            "path": "Idempotency-Key",
            "reason": "this key was already used for another audit's hand-off: send a new key "
            "for each audit",
        }
    ]
    # The second audit has its own instruction, made when it was released, and nothing more.
    assert BillingInstruction.objects.filter(audit=audit_b_released).count() == 1


@pytest.mark.parametrize("key", ["k" * 101, "two words", "bill;run", "é"])
def test_a_key_too_long_or_with_other_characters_is_refused(
    released: Audit, billing: User, key: str
) -> None:
    answer = _api(billing).post(
        f"/api/audits/{released.pk}/billing-handoff", HTTP_IDEMPOTENCY_KEY=key
    )
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["path"] == "Idempotency-Key"
    assert (BillingInstruction.objects.count(), OutboxMessage.objects.count()) == (1, 1)


def test_a_hundred_character_key_is_accepted(released: Audit, billing: User) -> None:
    answer = _api(billing).post(
        f"/api/audits/{released.pk}/billing-handoff", HTTP_IDEMPOTENCY_KEY="k" * 100
    )
    assert answer.status_code == 200
    assert Decimal(answer.json()["bill_now"]) == Decimal("4575.00")


def test_a_revised_audits_closed_outreach_is_neither_logged_nor_released(
    approved: Audit, auditor: User, manager: User, reviewer: User
) -> None:
    results.audit_revise(audit=approved, by=manager, reason="payroll of another entity")
    outreach = Outreach.objects.get(audit=approved)
    with pytest.raises(BillingRefused, match="the outreach was closed: the audit was"):
        services.outreach_attempt_add(
            outreach=outreach, by=auditor, channel="phone", contact="Dana", outcome="agreed"
        )
    with pytest.raises(BillingRefused, match="the outreach was closed"):
        services.outreach_release(outreach=outreach, by=reviewer, reason="explained")
    assert not BillingInstruction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_releases_of_one_window_at_once_bill_it_once(
    approved: Audit, reviewer: User, manager: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested: SQLite writes one at a time anyway")
    outreach = Outreach.objects.get(audit=approved)
    start = threading.Barrier(2)
    answers: list[str] = []

    def release(by: User) -> None:
        start.wait()
        try:
            services.outreach_release(outreach=outreach, by=by, reason="explained")
            answers.append("released")
        except BillingRefused as refused:
            answers.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=release, args=(by,)) for by in (reviewer, manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["released", "the result was already released to billing"]
    assert BillingInstruction.objects.get().bill_now == Decimal("4575.00")
    assert OutboxMessage.objects.count() == 1
