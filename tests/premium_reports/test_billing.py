"""Each report filed is billed through the hand-off, once, with its place in the outbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.errors import BillingRefused
from trueup.billing.handoff import report_billing_handoff, reports_billing_handoff
from trueup.billing.models import BillingInstruction, OutboxMessage, Outreach
from trueup.billing.selectors import dispute_terms
from trueup.billing.services import outreach_release
from trueup.core.errors import Refused
from trueup.letters.services import letter_render
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import plan_start, report_estimate, report_file


def test_four_quarterly_reports_are_billed_at_their_premiums(
    plan: ReportingPlan, auditor: User
) -> None:
    for report in plan.reports.all():
        filed = report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
        report_billing_handoff(report=filed, by=auditor)
    instructions = list(BillingInstruction.objects.order_by("id"))
    assert [(i.kind, i.stage, i.bill_now, i.previously_billed) for i in instructions] == [
        ("invoice", "premium_report", Decimal("4910.00"), Decimal("0.00")),
        ("invoice", "premium_report", Decimal("4913.00"), Decimal("4910.00")),
        ("invoice", "premium_report", Decimal("4916.00"), Decimal("9823.00")),
        ("invoice", "premium_report", Decimal("4916.00"), Decimal("14739.00")),
    ]
    assert sum(i.bill_now for i in instructions) == Decimal("19655.00")
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 4
    last = instructions[-1]
    assert last.idempotency_key == f"premium-report-{last.report_id}"
    assert last.audit_id is None
    assert last.payload["premium_report"]["covers_from"] == "2025-10-01"
    assert last.payload["premium_report"]["lines"] == [
        {"state": "IN", "class_code": "5645", "exposure": "87500.00"},
        {"state": "IN", "class_code": "8810", "exposure": "15000.00"},
    ]
    assert last.payload["reporting_plan"] == {"frequency": "quarterly", "deposit": "4914.00"}


def test_a_report_handed_off_again_is_billed_once(plan: ReportingPlan, auditor: User) -> None:
    first = plan.reports.first()
    assert first is not None
    filed = report_file(report=first, lines=ON_TRACK, by=auditor, source="api")
    made, new = report_billing_handoff(report=filed, by=auditor)
    again, new_again = report_billing_handoff(report=filed, by=auditor)
    assert (new, new_again, again.pk) == (True, False, made.pk)
    assert OutboxMessage.objects.count() == 1


def test_a_report_not_filed_is_not_billed(plan: ReportingPlan) -> None:
    first = plan.reports.first()
    assert first is not None
    with pytest.raises(BillingRefused):
        report_billing_handoff(report=first, by=None)


def test_the_daily_run_bills_an_estimated_report_not_billed_yet(plan: ReportingPlan) -> None:
    first = plan.reports.first()
    assert first is not None
    report_estimate(report=first)
    assert [i.bill_now for i in reports_billing_handoff()] == [Decimal("4847.00")]
    assert reports_billing_handoff() == []


def _four_quarters_billed(plan: ReportingPlan, auditor: User) -> None:
    for report in plan.reports.all():
        filed = report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
        report_billing_handoff(report=filed, by=auditor)


def test_the_final_audit_is_billed_against_the_four_reports_with_the_deposit_returned(
    plan: ReportingPlan, approved: Audit, auditor: User, reviewer: User
) -> None:
    _four_quarters_billed(plan, auditor)
    final = outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    # Audited $24,230.00 less the reports' $19,655.00 is $4,575.00; the $4,914.00 deposit
    # applied to it leaves $339.00 to refund, not the audit's $4,575.00 over the estimate.
    assert (final.kind, final.total_adjustment, final.held, final.previously_billed) == (
        "refund",
        Decimal("-339.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert final.bill_now == Decimal("-339.00")
    assert final.payload["instruction"]["bill_now"] == "-339.00"
    assert final.payload["premium_reports"] == {
        "reported_exposure": "410000.00",
        "audited_exposure": "497750.00",
        "billed_by_reports": "19655.00",
        "audited_premium": "24230.00",
        "against_reports": "4575.00",
        "deposit": "4914.00",
        "amount_now": "-339.00",
        "explanation": (
            "Your payroll reports showed $410,000.00 of payroll and were billed $19,655.00. "
            "The audit found $497,750.00, for a premium of $24,230.00. "
            "With your $4,914.00 deposit, $339.00 comes back to you."
        ),
    }
    # The reports, the deposit and the true-up add up to the audited premium.
    billed = sum(i.bill_now for i in BillingInstruction.objects.all())
    assert billed + plan.deposit == Decimal("24230.00")


def test_a_final_audit_not_on_reporting_is_billed_its_adjustment_with_no_reports_part(
    released: Audit,
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    assert instruction.bill_now == Decimal("4575.00")
    assert instruction.payload["premium_reports"] is None


def test_the_results_letter_explains_the_audit_against_the_reports_and_the_deposit(
    plan: ReportingPlan, approved: Audit, auditor: User
) -> None:
    _four_quarters_billed(plan, auditor)
    html = letter_render(audit=approved, kind="results", extra=dispute_terms(approved)).html
    assert (
        "Your payroll reports showed $410,000.00 of payroll and were billed $19,655.00. "
        "The audit found $497,750.00, for a premium of $24,230.00. "
        "With your $4,914.00 deposit, $339.00 comes back to you."
    ) in html
    assert '<th>Billed by your payroll reports</th><td class="num">$19,655</td>' in html
    assert '<th>Your deposit</th><td class="num">$4,914</td>' in html
    assert "Coming back to you after your reports and deposit" in html
    assert "Our billing department will refund the $339 or credit it to your account." in html
    assert "invoice for the additional premium" not in html


def test_the_insured_reads_the_audit_against_the_reports_in_the_portal(
    plan: ReportingPlan, approved: Audit, auditor: User, reviewer: User, policyholder: User
) -> None:
    _four_quarters_billed(plan, auditor)
    outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    client = Client()
    client.force_login(policyholder)
    page = client.get(f"/portal/audits/{approved.pk}/").content.decode()
    assert ": refund return premium of $339." in page
    assert (
        "<p>Your payroll reports showed $410,000.00 of payroll and were billed $19,655.00. "
        "The audit found $497,750.00, for a premium of $24,230.00. "
        "With your $4,914.00 deposit, $339.00 comes back to you.</p>"
    ) in page


def test_a_smaller_deposit_leaves_the_rest_to_invoice_at_the_final_audit(
    audit: Audit, approved: Audit, auditor: User, reviewer: User, manager: User
) -> None:
    small = plan_start(
        period=audit.period, frequency="quarterly", deposit=Decimal("1000"), by=manager
    )
    _four_quarters_billed(small, auditor)
    final = outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    # $24,230.00 audited less $19,655.00 billed by the reports less the $1,000.00 deposit.
    assert (final.kind, final.bill_now) == ("invoice", Decimal("3575.00"))
    assert final.payload["premium_reports"]["explanation"].endswith(
        "After your $1,000.00 deposit is applied, $3,575.00 is due."
    )
    html = letter_render(audit=approved, kind="results", extra=dispute_terms(approved)).html
    assert "Due after your reports and deposit" in html
    assert "Our billing department will send you an invoice for the $3,575 due." in html


def test_once_the_final_audit_is_billed_the_plan_takes_no_more_reports(
    plan: ReportingPlan, approved: Audit, auditor: User, reviewer: User
) -> None:
    *filed, last = list(plan.reports.all())
    for report in filed:
        report_billing_handoff(
            report=report_file(report=report, lines=ON_TRACK, by=auditor, source="api"),
            by=auditor,
        )
    outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    plan.refresh_from_db()
    assert plan.status == "closed"
    with pytest.raises(Refused, match="premium reporting is closed"):
        report_file(report=last, lines=ON_TRACK, by=auditor, source="api")
