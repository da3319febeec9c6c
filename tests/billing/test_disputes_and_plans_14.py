"""Disputes and plans as they stand (issue 14, bug 7): the dispute's resolve form has its
buttons for who may resolve; a plan respects its preparer's authority; an upheld dispute's held
part joins the plan; and the results letter states the held part and the plan's schedule.

The example audit: estimated $19,655.00, audited $24,230.00, additional premium $4,575.00.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.html import strip_tags

from tests.audits.conftest import make_user
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    Outreach,
    PaymentPlan,
    PlanStatusChange,
)
from trueup.core.errors import NotAllowed
from trueup.flows import disputes
from trueup.letters.services import letter_render


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _dispute_1000(audit: Audit, by: User) -> Dispute:
    """$1,000.00 of IN 5645 disputed: $3,575.00 of the $4,575.00 is undisputed."""
    return disputes.dispute_open(
        audit=audit,
        by=by,
        lines=[{"state": "IN", "item": "5645", "disputed": "1,000.00"}],
        statement="We think 5645 is overstated by about $1,000 of premium.",
    )


def _release(audit: Audit, by: User) -> BillingInstruction:
    return services.outreach_release(
        outreach=Outreach.objects.get(audit=audit), by=by, reason="explained by phone"
    )


def _letter_text(audit: Audit, kind: str = "results", **extra: object) -> str:
    """The letter's words, one space between them (and between a table's cells)."""
    terms = billing_selectors.dispute_terms(audit)
    html = letter_render(audit=audit, kind=kind, extra={**terms, **extra}).html
    return " ".join(strip_tags(html.replace("<", " <")).split())


def _results_text(audit: Audit) -> str:
    return _letter_text(audit)


# 1. The resolve form ------------------------------------------------------------------------


def test_the_auditor_sees_who_resolves_a_dispute_instead_of_a_resolution_box_without_a_button(
    approved: Audit, auditor: User
) -> None:
    _dispute_1000(approved, auditor)
    page = _client(auditor).get(f"/audits/{approved.pk}/").content.decode()
    assert 'name="resolution"' not in page
    assert "A reviewer upholds the audit, or an audit manager revises it" in page


def test_a_reviewer_sees_the_resolution_with_its_uphold_button_and_upholding_works(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    dispute = _dispute_1000(approved, auditor)
    page = _client(reviewer).get(f"/audits/{approved.pk}/").content.decode()
    form = re.search(r'<form[^>]*action="[^"]*/resolve/".*?</form>', page, re.S)
    assert form is not None
    assert 'name="resolution"' in form.group(0) and "required" in form.group(0)
    assert 'value="uphold">Uphold the audit</button>' in form.group(0)
    assert "Revise the audit" not in form.group(0)  # a reviewer may not revise
    _client(reviewer).post(
        f"/audits/{approved.pk}/disputes/{dispute.pk}/resolve/",
        {"action": "uphold", "resolution": "The payroll records support the audit."},
    )
    dispute.refresh_from_db()
    assert dispute.status == "upheld"


def test_a_manager_sees_both_resolutions(approved: Audit, auditor: User, manager: User) -> None:
    _dispute_1000(approved, auditor)
    page = _client(manager).get(f"/audits/{approved.pk}/").content.decode()
    assert 'value="uphold">Uphold the audit</button>' in page
    assert 'value="revise">Revise the audit</button>' in page


def test_an_auditor_may_not_revise_an_audit_to_resolve_a_dispute(
    approved: Audit, auditor: User
) -> None:
    dispute = _dispute_1000(approved, auditor)
    with pytest.raises(NotAllowed, match="may not revise an audit to resolve a dispute"):
        services.dispute_revise(dispute=dispute, by=auditor, resolution="the crew was insured")
    dispute.refresh_from_db()
    assert dispute.status == "open" and dispute.revision is None


# 2. Plans and authority ---------------------------------------------------------------------


def test_a_plan_above_the_auditors_amount_authority_waits_for_a_reviewer(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    _dispute_1000(approved, auditor)
    _release(approved, reviewer)
    plan = services.payment_plan_agree(
        audit=approved, by=auditor, instalments=5, first_due=date(2027, 1, 15)
    )
    # $3,575.00 is above the auditor's $2,500.00.
    assert plan.total == Decimal("3575.00")
    assert plan.status == "awaiting_review"
    assert [(c.from_status, c.to_status, c.by) for c in PlanStatusChange.objects.all()] == [
        ("", "awaiting_review", auditor)
    ]
    assert not approved.letters.filter(kind="payment_plan").exists()
    services.payment_plan_approve(plan=plan, by=reviewer, reason="payment history is good")
    plan.refresh_from_db()
    assert plan.status == "agreed"
    change = PlanStatusChange.objects.last()
    assert change is not None
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        "awaiting_review",
        "agreed",
        reviewer,
        "payment history is good",
    )
    assert approved.letters.filter(kind="payment_plan").count() == 1


def test_a_plan_within_the_amount_but_above_the_percentage_of_premium_waits_too(
    approved: Audit, auditor: User
) -> None:
    # $2,000.00 is within $2,500.00 but 10.18% of the $19,655.00 estimate, above the auditor's 10%.
    disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645", "disputed": "2575.00"}],
        statement="5645 is overstated.",
    )
    plan = services.payment_plan_agree(audit=approved, by=auditor, instalments=2)
    assert (plan.total, plan.status) == (Decimal("2000.00"), "awaiting_review")


def test_a_plan_within_both_limits_is_agreed_at_once(approved: Audit, auditor: User) -> None:
    # $1,900.00 is within $2,500.00 and 9.67% of the $19,655.00 estimate.
    disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645", "disputed": "2675.00"}],
        statement="5645 is overstated.",
    )
    plan = services.payment_plan_agree(audit=approved, by=auditor, instalments=2)
    assert (plan.total, plan.status) == (Decimal("1900.00"), "agreed")
    assert approved.letters.filter(kind="payment_plan").count() == 1


def test_the_preparer_of_a_plan_may_not_approve_it_and_a_reviewer_only_within_authority(
    approved: Audit, second_reviewer: User, manager: User
) -> None:
    junior = make_user("junior", Role.REVIEWER, "1000", "5")
    plan = services.payment_plan_agree(audit=approved, by=junior, instalments=3)
    assert (plan.total, plan.status) == (Decimal("4575.00"), "awaiting_review")
    with pytest.raises(NotAllowed, match="the preparer of a payment plan may not approve it"):
        services.payment_plan_approve(plan=plan, by=junior)
    small = make_user("small", Role.REVIEWER, "4000", "100")
    with pytest.raises(NotAllowed, match=r"the plan's \$4,575.00 is above your authority"):
        services.payment_plan_approve(plan=plan, by=small)
    services.payment_plan_approve(plan=plan, by=second_reviewer)
    assert PaymentPlan.objects.get().status == "agreed"


# 3. An upheld dispute and the plan ----------------------------------------------------------


def test_an_upheld_dispute_adds_the_held_part_to_the_plan_and_the_hand_off_says_one_figure(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    dispute = _dispute_1000(approved, auditor)
    released = _release(approved, reviewer)
    assert (released.bill_now, released.held) == (Decimal("3575.00"), Decimal("1000.00"))
    plan = services.payment_plan_agree(
        audit=approved, by=reviewer, instalments=4, first_due=date(2027, 1, 15)
    )
    assert plan.schedule == [
        {"number": 1, "due": "2027-01-15", "amount": "893.75"},
        {"number": 2, "due": "2027-02-15", "amount": "893.75"},
        {"number": 3, "due": "2027-03-15", "amount": "893.75"},
        {"number": 4, "due": "2027-04-15", "amount": "893.75"},
    ]
    upheld = services.dispute_uphold(
        dispute=dispute, by=reviewer, resolution="The payroll records support the audit."
    )
    assert upheld is not None
    plan.refresh_from_db()
    assert plan.total == Decimal("4575.00")
    assert plan.schedule == [
        {"number": 1, "due": "2027-01-15", "amount": "1143.75"},
        {"number": 2, "due": "2027-02-15", "amount": "1143.75"},
        {"number": 3, "due": "2027-03-15", "amount": "1143.75"},
        {"number": 4, "due": "2027-04-15", "amount": "1143.75"},
    ]
    billed = sum(
        (i.bill_now for i in BillingInstruction.objects.filter(audit=approved)), Decimal(0)
    )
    assert billed == Decimal("4575.00")
    assert upheld.bill_now == Decimal("1000.00")
    assert upheld.payload["payment_plan"]["total"] == "4575.00"
    assert upheld.payload["payment_plan"]["schedule"][-1]["amount"] == "1143.75"
    change = PlanStatusChange.objects.last()
    assert change is not None
    assert change.reason == (
        "dispute upheld: the $1,000.00 held back is added to the plan ($3,575.00 to $4,575.00)"
    )
    dispute.refresh_from_db()
    outcome = _letter_text(approved, "dispute_outcome", dispute=dispute)
    assert "now part of your payment plan: $4,575 in 4 instalments" in outcome
    assert "Instalment 4 April 15, 2027 $1,143.75" in outcome
    assert "will now bill or refund" not in outcome


def test_with_the_rule_set_to_a_separate_invoice_the_plan_stays_as_agreed(
    approved: Audit, auditor: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        billing_selectors.rules()["payment_plans"], "held_part_when_upheld", "separate_invoice"
    )
    dispute = _dispute_1000(approved, auditor)
    _release(approved, reviewer)
    services.payment_plan_agree(audit=approved, by=reviewer, instalments=4)
    services.dispute_uphold(dispute=dispute, by=reviewer, resolution="The records support it.")
    assert PaymentPlan.objects.get().total == Decimal("3575.00")


# 4. The results letter as the result stands -------------------------------------------------


def test_the_results_letter_after_a_dispute_states_the_held_part_and_what_is_payable_now(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    _dispute_1000(approved, auditor)
    _release(approved, reviewer)
    text = _results_text(approved)
    assert "Additional premium found by the audit $4,575" in text
    assert "Held back while we review your dispute $1,000" in text
    assert "Payable now, the part you do not dispute $3,575" in text
    assert (
        "Our billing department will send you an invoice for the $3,575 you do not dispute. "
        "The $1,000 you dispute is held back until we answer your dispute." in text
    )
    assert "Additional premium due" not in text
    assert "invoice for the additional premium" not in text


def test_the_results_letter_after_a_plan_states_its_schedule_not_an_invoice(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    _dispute_1000(approved, auditor)
    _release(approved, reviewer)
    services.payment_plan_agree(
        audit=approved,
        by=reviewer,
        instalments=3,
        down_payment=Decimal("575.00"),
        first_due=date(2027, 1, 15),
    )
    text = _results_text(approved)
    assert (
        "You agreed to pay $3,575 with a down payment of $575 and 3 instalments. "
        "Our billing department bills each payment by its date:" in text
    )
    assert "Down payment January 15, 2027 $575" in text
    assert "Instalment 1 February 15, 2027 $1,000" in text
    assert "Instalment 3 April 15, 2027 $1,000" in text
    assert "The $1,000 you dispute is held back until we answer your dispute" in text
    assert "will send you an invoice" not in text


def test_the_results_letter_of_a_plan_waiting_for_a_reviewer_says_so(
    approved: Audit, auditor: User
) -> None:
    services.payment_plan_agree(audit=approved, by=auditor, instalments=6)
    text = _results_text(approved)
    assert (
        "A payment plan of $4,575 in 6 instalments is being approved; we will write to you "
        "with its schedule once it is." in text
    )
    assert "Additional premium due $4,575" in text


def test_the_results_letter_without_a_dispute_or_plan_reads_as_before(approved: Audit) -> None:
    text = _results_text(approved)
    assert "Additional premium due $4,575" in text
    assert "Our billing department will send you an invoice for the additional premium." in text
    assert "Held back" not in text
