"""From approval to the final billing instruction, with exact amounts at every step: the outreach
window, attempts, a dispute on one class, the undisputed part billed, a revision, and the final
instruction; the other ways out (agreement, the window ending, the audit upheld)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit, PayrollEntry
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.errors import BillingRefused
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    OutboxMessage,
    Outreach,
    PaymentRecord,
)
from trueup.billing.plans import add_business_days
from trueup.core.errors import InvalidInput, NotAllowed
from trueup.flows import disputes, results
from trueup.letters.models import Letter


def _figures(
    instruction: BillingInstruction,
) -> tuple[str, str, Decimal, Decimal, Decimal, Decimal]:
    return (
        instruction.stage,
        instruction.kind,
        instruction.total_adjustment,
        instruction.previously_billed,
        instruction.held,
        instruction.bill_now,
    )


def test_approval_opens_a_ten_business_day_outreach_window(approved: Audit) -> None:
    outreach = Outreach.objects.get(audit=approved)
    assert outreach.status == "open"
    assert outreach.window_ends == add_business_days(timezone.localdate(), 10)
    assert outreach.result == approved.latest_result
    assert not BillingInstruction.objects.exists()


def test_the_whole_way_from_approval_through_a_dispute_and_a_revision_to_the_final_bill(
    approved: Audit, auditor: User, manager: User
) -> None:
    outreach = Outreach.objects.get(audit=approved)
    # 1. Outreach: no answer, then reached, then the insured disputes the framing class.
    services.outreach_attempt_add(
        outreach=outreach,
        by=auditor,
        channel="phone",
        contact="Dana Hoosier",
        outcome="no_answer",
        next_step="call again",
        next_step_on=date(2026, 11, 24),
    )
    services.outreach_attempt_add(
        outreach=outreach,
        by=auditor,
        channel="email",
        contact="Dana Hoosier",
        outcome="reached",
        notes="sent the results letter and the script's reasons",
    )
    services.outreach_attempt_add(
        outreach=outreach,
        by=auditor,
        channel="phone",
        contact="Dana Hoosier",
        outcome="disputed",
        notes="framing crew payroll includes a subcontracted crew",
    )
    outreach.refresh_from_db()
    assert outreach.status == "disputed"
    assert outreach.attempts.count() == 3

    # 2. The dispute on IN 5645 (its $4,556.48 of the $4,575 additional premium).
    mail.outbox.clear()
    dispute = disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645"}],
        statement="The framing crew's payroll includes $36,500 paid to an insured subcontractor.",
        documents=[SimpleUploadedFile("certificate.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    assert dispute.disputed_amount == Decimal("4556.48")
    assert dispute.lines == [
        {"state": "IN", "item": "5645", "difference": "4556.48", "disputed": "4556.48"}
    ]
    assert dispute.deadline == timezone.localdate() + timedelta(days=30)
    assert dispute.documents.get().filename == "certificate.pdf"
    assert billing_selectors.undisputed(approved) == Decimal("18.52")
    ack = Letter.objects.get(audit=approved, kind="dispute_ack")
    assert ack.recipients == ["dana@hoosier.example", "pat@mainstreet.example"]

    # 3. The undisputed part is billed at once.
    first = services.outreach_release(
        outreach=outreach, by=auditor, reason="undisputed part billed while the dispute is open"
    )
    assert _figures(first) == (
        "released",
        "invoice",
        Decimal("4575.00"),
        Decimal("0.00"),
        Decimal("4556.48"),
        Decimal("18.52"),
    )

    # 4. The dispute is resolved by a revision: the framing crew's gross was $400,000.
    revision = services.dispute_revise(
        dispute=dispute, by=manager, resolution="framing payroll corrected to $400,000"
    )
    approved.refresh_from_db()
    assert approved.status == "revised"
    PayrollEntry.objects.filter(audit=revision, employee="Framing crew").update(
        gross=Decimal("400000")
    )
    revision = results.audit_submit(audit=revision, by=manager)
    assert revision.status == "completed"
    assert revision.latest_result.adjustment == Decimal("2646.00")

    # 5. The revision closes the dispute and bills the rest: $2,646 less the $18.52 billed.
    dispute.refresh_from_db()
    assert dispute.status == "revised"
    assert not Outreach.objects.filter(audit=revision).exists()
    final = BillingInstruction.objects.get(audit=revision)
    assert _figures(final) == (
        "revised",
        "invoice",
        Decimal("2646.00"),
        Decimal("18.52"),
        Decimal("0.00"),
        Decimal("2627.48"),
    )
    assert first.bill_now + final.bill_now == revision.latest_result.adjustment
    # The outcome letter is filed with the dispute, on the audit that was disputed.
    assert Letter.objects.filter(audit=approved, kind="dispute_outcome").exists()
    # The first result is kept as it was.
    assert approved.results.get().adjustment == Decimal("4575.00")
    payload = final.payload
    assert payload["instruction"]["bill_now"] == "2627.48"
    assert payload["audit"]["first_audit"] == approved.pk
    assert payload["dispute"]["status"] == "revised"
    assert {d["kind"] for d in payload["documents"]} >= {"dispute_outcome"}
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 2


def test_an_upheld_dispute_bills_the_held_part(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    dispute = disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645", "disputed": "1,000.00"}],
        statement="We think 5645 is overstated by about $1,000 of premium.",
    )
    first = services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=auditor, reason="undisputed"
    )
    assert (first.held, first.bill_now) == (Decimal("1000.00"), Decimal("3575.00"))
    second = services.dispute_uphold(
        dispute=dispute, by=reviewer, resolution="the payroll records support the audit"
    )
    assert second is not None
    assert _figures(second) == (
        "dispute_upheld",
        "invoice",
        Decimal("4575.00"),
        Decimal("3575.00"),
        Decimal("0.00"),
        Decimal("1000.00"),
    )
    assert Letter.objects.filter(audit=approved, kind="dispute_outcome").count() == 1


def test_agreement_releases_the_whole_result_at_once(approved: Audit, auditor: User) -> None:
    services.outreach_attempt_add(
        outreach=Outreach.objects.get(audit=approved),
        by=auditor,
        channel="phone",
        contact="Dana",
        outcome="agreed",
    )
    [instruction] = BillingInstruction.objects.all()
    assert _figures(instruction) == (
        "released",
        "invoice",
        Decimal("4575.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("4575.00"),
    )
    assert AuditEdit.objects.filter(summary="released to billing: agreement recorded").exists()


def test_results_are_released_when_their_window_ends(approved: Audit) -> None:
    outreach = Outreach.objects.get(audit=approved)
    assert services.outreach_release_due(outreach.window_ends) == []
    [instruction] = services.outreach_release_due(outreach.window_ends + timedelta(days=1))
    assert instruction.bill_now == Decimal("4575.00")
    outreach.refresh_from_db()
    assert outreach.release_reason.startswith("window ended")


def test_a_dispute_after_the_window_is_refused(approved: Audit, auditor: User) -> None:
    late = timezone.localdate() + timedelta(days=31)
    with pytest.raises(BillingRefused, match="the dispute window ended"):
        disputes.dispute_open(
            audit=approved,
            by=auditor,
            lines=[{"state": "IN", "item": "5645"}],
            statement="late",
            today=late,
        )


def test_a_dispute_names_real_lines_and_amounts_within_them(approved: Audit, auditor: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        disputes.dispute_open(
            audit=approved,
            by=auditor,
            lines=[
                {"state": "IN", "item": "9999"},
                {"state": "IN", "item": "8810", "disputed": "5.00"},
            ],
            statement="",
        )
    assert {p.path: p.reason for p in refused.value.problems} == {
        "lines[0]": "IN 9999 is not a class line of the result",
        "lines[1].disputed": "IN 8810: at most the line's additional premium, $0.83",
        "statement": "say what is disputed and why",
    }
    assert not Dispute.objects.exists()


def test_a_return_premium_is_credited_when_the_policy_renewed(
    audit: Audit, auditor: User, manager: User
) -> None:
    from trueup.policies.models import PolicyPeriod

    period = audit.period
    PolicyPeriod.objects.create(
        policy=period.policy,
        effective=period.expiration,
        expiration=period.expiration + timedelta(days=365),
        states=["IN"],
    )
    PayrollEntry.objects.filter(audit=audit).update(gross=Decimal("100000"))
    done = results.audit_submit(audit=audit, by=manager)
    instruction = services.outreach_release(
        outreach=Outreach.objects.get(audit=done), by=manager, reason="test"
    )
    assert instruction.kind == "credit"
    assert instruction.bill_now < 0


def test_a_payment_plan_for_an_eligible_insured_travels_with_the_hand_off(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    PaymentRecord.objects.create(
        insured=approved.period.policy.insured,
        on=timezone.localdate() - timedelta(days=40),
        event="late",
        amount=Decimal("800"),
    )
    assert billing_selectors.plan_eligibility(approved).eligible
    plan = services.payment_plan_agree(
        audit=approved,
        by=auditor,
        instalments=4,
        down_payment=Decimal("575.00"),
        first_due=date(2026, 12, 15),
    )
    assert plan.schedule == [
        {"number": 0, "due": "2026-12-15", "amount": "575.00"},
        {"number": 1, "due": "2027-01-15", "amount": "1000.00"},
        {"number": 2, "due": "2027-02-15", "amount": "1000.00"},
        {"number": 3, "due": "2027-03-15", "amount": "1000.00"},
        {"number": 4, "due": "2027-04-15", "amount": "1000.00"},
    ]
    # $4,575 is above the auditor's $2,500: the reviewer approves it, then the letter goes out.
    services.payment_plan_approve(plan=plan, by=reviewer)
    assert Letter.objects.filter(audit=approved, kind="payment_plan").exists()
    instruction = services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=auditor, reason="x"
    )
    assert instruction.payload["payment_plan"]["instalments"] == 4
    assert instruction.payload["payment_plan"]["schedule"][0]["amount"] == "575.00"


def test_without_a_date_agreed_the_first_payment_is_due_the_days_billing_toml_sets(
    approved: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(billing_selectors.rules()["payment_plans"], "first_due_days", 45)
    plan = services.payment_plan_agree(audit=approved, by=auditor, instalments=3)
    first = timezone.localdate() + timedelta(days=45)
    assert plan.schedule[0] == {"number": 1, "due": first.isoformat(), "amount": "1525.00"}


def test_an_insured_with_returned_payments_is_not_offered_a_plan(
    approved: Audit, auditor: User
) -> None:
    PaymentRecord.objects.create(
        insured=approved.period.policy.insured,
        on=timezone.localdate() - timedelta(days=10),
        event="returned",
    )
    check = billing_selectors.plan_eligibility(approved)
    assert not check.eligible
    assert check.reasons == ["1 returned payments in the last 12 months (at most 0)"]
    with pytest.raises(BillingRefused, match="not eligible"):
        services.payment_plan_agree(audit=approved, by=auditor, instalments=4)


def test_reversing_a_billed_audit_hands_the_amount_back_to_billing(
    approved: Audit, auditor: User, manager: User
) -> None:
    services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=auditor, reason="agreed"
    )
    results.audit_reverse(audit=approved, by=manager, reason="policy rewritten flat")
    reversal = BillingInstruction.objects.get(stage="reversed")
    assert _figures(reversal) == (
        "reversed",
        "refund",
        Decimal("0.00"),
        Decimal("4575.00"),
        Decimal("0.00"),
        Decimal("-4575.00"),
    )
    assert sum(i.bill_now for i in BillingInstruction.objects.all()) == 0


def test_revising_before_release_closes_the_window_and_the_revision_opens_its_own(
    approved: Audit, manager: User
) -> None:
    revision = results.audit_revise(audit=approved, by=manager, reason="941s arrived")
    assert Outreach.objects.get(audit=approved).status == "closed"
    # Nothing was billed, so reversing or revising hands nothing back.
    assert not BillingInstruction.objects.exists()
    done = results.audit_submit(audit=revision, by=manager)
    assert Outreach.objects.get(audit=done).status == "open"
    instruction = services.outreach_release(
        outreach=Outreach.objects.get(audit=done), by=manager, reason="agreed"
    )
    assert (instruction.previously_billed, instruction.bill_now) == (
        Decimal("0.00"),
        Decimal("4575.00"),
    )


def test_a_portal_user_may_dispute_only_their_own_insureds_audit(approved: Audit) -> None:
    from trueup.accounts.models import Role

    stranger = User.objects.create(username="stranger", role=Role.INSURED)
    with pytest.raises(NotAllowed, match="may not see that audit"):
        disputes.dispute_open(
            audit=approved, by=stranger, lines=[{"state": "IN", "item": "5645"}], statement="x"
        )
    assert not Dispute.objects.exists()
