"""Reads of billing's records for other apps' lists and pages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.workflow import BILLABLE
from trueup.billing import services
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    DisputeStatus,
    Outreach,
    OutreachStatus,
    PaymentPlan,
)
from trueup.billing.plans import Eligibility
from trueup.core import clock


def in_billing_stage(audits: QuerySet[Audit], stage: str | None) -> QuerySet[Audit]:
    """The audits whose result is in the outreach window, disputed, or released to billing (the
    worklist's billing filter); all of them when no stage is chosen."""
    if not stage:
        return audits
    if stage == "disputed":
        return audits.filter(
            Exists(Dispute.objects.filter(audit=OuterRef("pk"), status=DisputeStatus.OPEN))
        )
    statuses = (
        [OutreachStatus.RELEASED]
        if stage == "released"
        else [OutreachStatus.OPEN, OutreachStatus.DISPUTED]
    )
    return audits.filter(Exists(Outreach.objects.filter(audit=OuterRef("pk"), status__in=statuses)))


@dataclass(frozen=True)
class BillingFigures:
    """An audit's way from result to billing: its records, and the sums the staff see. The sums
    are zero, and the rest empty, until the result has entered the billing flow."""

    outreach: Outreach | None
    instructions: list[BillingInstruction]
    disputes: list[Dispute]
    plan: PaymentPlan | None
    result: ResultSnapshot | None
    in_flow: bool = False
    open_dispute: Dispute | None = None
    # The additional premium not billed while the open dispute stands: never more than the
    # adjustment, and nothing on a return premium.
    held: Decimal = Decimal(0)
    undisputed: Decimal = Decimal(0)
    # What a plan would spread: the latest bill sent for this audit, else what is undisputed.
    plan_amount: Decimal = Decimal(0)
    plan_check: Eligibility | None = None
    dispute_deadline: date | None = None
    may_dispute: bool = False
    talking: bool = False
    class_lines: list[dict[str, Any]] = field(default_factory=list)


def billing_figures(audit: Audit) -> BillingFigures:
    """Read in a handful of queries: an audit that never entered the billing flow costs four."""
    outreach = Outreach.objects.filter(audit=audit).first()
    instructions = list(
        BillingInstruction.objects.filter(audit__in=services.chain(audit))
        .select_related("outbox")
        .order_by("id")
    )
    disputes = list(Dispute.objects.filter(audit=audit).prefetch_related("documents"))
    plan = PaymentPlan.objects.filter(audit=audit, cancelled_at__isnull=True).first()
    records = BillingFigures(outreach, instructions, disputes, plan, audit.final_result)
    if records.result is None or not (outreach or instructions or disputes or plan):
        return records
    return _in_flow(audit, records, records.result)


def _in_flow(audit: Audit, records: BillingFigures, result: ResultSnapshot) -> BillingFigures:
    final = audit.status in BILLABLE
    adjustment = Decimal(result.adjustment)
    open_dispute = next((d for d in records.disputes if d.status == DisputeStatus.OPEN), None)
    held = (
        min(Decimal(open_dispute.disputed_amount), adjustment)
        if open_dispute is not None and adjustment > 0
        else Decimal(0)
    )
    mine = [i for i in records.instructions if i.audit_id == audit.pk]
    amount = Decimal(mine[-1].bill_now) if mine else adjustment - held
    deadline = services.dispute_deadline(audit, records.outreach, result) if final else None
    return replace(
        records,
        in_flow=True,
        open_dispute=open_dispute,
        held=held,
        undisputed=adjustment - held,
        plan_amount=amount,
        plan_check=services.plan_eligibility(audit, amount=amount)
        if final and records.plan is None and amount > 0
        else None,
        dispute_deadline=deadline,
        may_dispute=final
        and deadline is not None
        and open_dispute is None
        and clock.today() <= deadline,
        talking=records.outreach is not None
        and records.outreach.status in (OutreachStatus.OPEN, OutreachStatus.DISPUTED),
        class_lines=[line for line in result.result["adjustments"] if line["is_class"]]
        if final
        else [],
    )
