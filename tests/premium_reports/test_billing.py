"""Each report filed is billed through the hand-off, once, with its place in the outbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import User
from trueup.billing.errors import BillingRefused
from trueup.billing.handoff import report_billing_handoff, reports_billing_handoff
from trueup.billing.models import BillingInstruction, OutboxMessage
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import report_estimate, report_file


def test_four_quarterly_reports_are_billed_at_their_premiums(
    plan: ReportingPlan, auditor: User
) -> None:
    for report in plan.reports.all():
        filed = report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
        report_billing_handoff(report=filed, by=auditor)
    instructions = list(BillingInstruction.objects.order_by("id"))
    assert [(i.kind, i.stage, i.bill_now, i.previously_billed) for i in instructions] == [
        ("invoice", "premium_report", Decimal("4910.05"), Decimal("0.00")),
        ("invoice", "premium_report", Decimal("4913.00"), Decimal("4910.05")),
        ("invoice", "premium_report", Decimal("4916.08"), Decimal("9823.05")),
        ("invoice", "premium_report", Decimal("4916.08"), Decimal("14739.13")),
    ]
    assert sum(i.bill_now for i in instructions) == Decimal("19655.21")
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
    assert [i.bill_now for i in reports_billing_handoff()] == [Decimal("4846.44")]
    assert reports_billing_handoff() == []
