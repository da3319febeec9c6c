"""The audit page's billing figures, in exact amounts, on the example audit (additional premium
$4,575): before the billing flow, in the outreach window, with a dispute open, and once billed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.models import Outreach
from trueup.billing.selectors import billing_figures
from trueup.flows import disputes


def test_an_audit_not_yet_in_the_billing_flow_has_no_figures(audit: Audit) -> None:
    figures = billing_figures(audit)
    assert not figures.in_flow
    assert (figures.held, figures.undisputed, figures.plan_amount) == (Decimal(0),) * 3
    assert figures.plan_check is None
    assert figures.class_lines == []


def test_in_the_outreach_window_the_whole_adjustment_is_undisputed(approved: Audit) -> None:
    figures = billing_figures(approved)
    assert figures.in_flow and figures.talking and figures.may_dispute
    assert figures.held == Decimal("0")
    assert figures.undisputed == Decimal("4575.00")
    assert figures.plan_amount == Decimal("4575.00")
    assert figures.plan_check is not None and figures.plan_check.eligible
    assert figures.dispute_deadline == timezone.localdate() + timedelta(
        days=billing_selectors.dispute_days(approved)
    )
    assert {(line["state"], line["item"], line["difference"]) for line in figures.class_lines} >= {
        ("IN", "5645", "4556.48")
    }


def test_an_open_dispute_holds_its_amount_and_a_bill_sets_the_plan_amount(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    dispute = disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645", "disputed": "1,000.00"}],
        statement="We think 5645 is overstated by about $1,000 of premium.",
    )
    figures = billing_figures(approved)
    assert figures.open_dispute == dispute and not figures.may_dispute
    assert (figures.held, figures.undisputed, figures.plan_amount) == (
        Decimal("1000.00"),
        Decimal("3575.00"),
        Decimal("3575.00"),
    )

    services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=auditor, reason="undisputed"
    )
    figures = billing_figures(Audit.objects.get(pk=approved.pk))
    assert not figures.talking
    assert figures.plan_amount == Decimal("3575.00")

    services.dispute_uphold(dispute=dispute, by=reviewer, resolution="the records support it")
    figures = billing_figures(Audit.objects.get(pk=approved.pk))
    assert figures.open_dispute is None
    assert (figures.held, figures.undisputed, figures.plan_amount) == (
        Decimal("0"),
        Decimal("4575.00"),
        Decimal("1000.00"),
    )
