"""Reads of billing's records: the dispute window, what is billed and held, whether a plan may
be offered, and the lists and figures the pages show."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.selectors import audits_visible_to
from trueup.audits.workflow import BILLABLE
from trueup.billing import plans
from trueup.billing.errors import BillingRefused
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    DisputeStatus,
    Outreach,
    OutreachStatus,
    PaymentEvent,
    PaymentPlan,
    PaymentRecord,
)
from trueup.billing.plans import Eligibility
from trueup.core import clock, ruledata
from trueup.core.money import usd_cents
from trueup.core.presence import Probe, holding, rows_if
from trueup.policies.models import PolicyPeriod
from trueup.premium_reports.true_up import true_up
from trueup.rating.periods import add_months

ZERO = Decimal(0)


ZERO_CENTS = Decimal("0.00")


def rules(on: date | None = None) -> dict[str, Any]:
    """The windows, dispute days and plan eligibility (``billing.toml``) in force on the day
    (today by default)."""
    return ruledata.load(Path(__file__).parent / "billing.toml").on(on or clock.today())


# Billing's amounts always with their cents ($18.52, $4,575.00): what is billed is exact.
dollars = usd_cents


def chain(audit: Audit) -> list[Audit]:
    """The audit, the one it revised, and so on back to the first: one audit's history."""
    found = [audit]
    while found[-1].revision_of_id is not None:
        found.append(Audit.objects.get(pk=found[-1].revision_of_id))
    return found


def dispute_days(audit: Audit) -> int:
    """The dispute window for the policy's states: a state's own where it has one (the longest
    when several apply), else the default. By the rules in force when the window opened, so a
    later change of the days does not re-judge an open audit."""
    outreach = Outreach.objects.filter(audit=audit).first()
    opened = outreach.opened_at if outreach else getattr(audit.final_result, "created_at", None)
    config = rules(clock.today() if opened is None else timezone.localdate(opened))["disputes"]
    by_state = config.get("states", {})
    days = [int(by_state[s]["days"]) for s in audit.period.states if s in by_state]
    return max(days) if days else int(config["default_days"])


def policy_status(period: PolicyPeriod, today: date) -> str:
    """``cancelled``, ``renewed``, ``in_force`` or ``expired``: what payment plans and return
    premium look at."""
    if period.cancellation_date is not None:
        return "cancelled"
    if PolicyPeriod.objects.filter(policy=period.policy, effective=period.expiration).exists():
        return "renewed"
    return "in_force" if today < period.expiration else "expired"


def open_dispute(audit: Audit) -> Dispute | None:
    return Dispute.objects.filter(audit=audit, status=DisputeStatus.OPEN).first()


def final_result_of(audit: Audit) -> ResultSnapshot:
    """The result pinned when the audit became final: the only one billing ever uses."""
    result = audit.final_result
    if result is None:
        raise BillingRefused("the audit has no final result: it is billed once it is completed")
    return result


def dispute_deadline(
    audit: Audit, outreach: Outreach | None = None, result: ResultSnapshot | None = None
) -> date:
    """The last day a dispute may be opened: the dispute window from the result's release to
    the insured (the outreach window's start, or the result's date). Pass the outreach and the
    result when they are at hand."""
    outreach = outreach or Outreach.objects.filter(audit=audit).first()
    start = (
        timezone.localdate(outreach.opened_at)
        if outreach is not None
        else timezone.localdate((result or final_result_of(audit)).created_at)
    )
    return start + timedelta(days=dispute_days(audit))


def dispute_terms(audit: Audit) -> dict[str, Any]:
    """The dispute window as letters state it (``dispute_days``, ``dispute_by``): the one
    ``dispute_open`` enforces. Nothing before the audit has a final result."""
    if audit.final_result_id is None:
        return {}
    return {"dispute_days": dispute_days(audit), "dispute_by": dispute_deadline(audit)}


def amount_owed(audit: Audit, result: ResultSnapshot) -> Decimal:
    """What the result asks of the insured (a return when negative): its adjustment, or on a
    reporting period the audited premium less what the reports billed, the deposit applied."""
    squared = true_up(audit, result)
    return Decimal(result.adjustment) if squared is None else squared.balance


def undisputed(audit: Audit) -> Decimal:
    """The part of the result not held by an open dispute (what may be billed at once)."""
    total = amount_owed(audit, final_result_of(audit))
    return total - held_back(audit, total)


def instructions_visible_to(user: User) -> QuerySet[BillingInstruction]:
    """An audit's instructions for whoever may see the audit; a premium report's for the
    department's staff, and for a vendor firm's users only where the firm audits its period."""
    audits = audits_visible_to(user)
    if not user.is_active or user.is_portal_user:
        return BillingInstruction.objects.none()
    reports = (
        Q(report__isnull=False)
        if user.vendor_id is None
        else Q(report__plan__period_id__in=audits.values("period_id"))
    )
    return BillingInstruction.objects.filter(Q(audit__in=audits) | reports)


def held_back(audit: Audit, total: Decimal) -> Decimal:
    dispute = open_dispute(audit)
    if dispute is None or total <= 0:
        return ZERO
    return min(Decimal(dispute.disputed_amount), total)


def active_plan(audit: Audit) -> PaymentPlan | None:
    """The audit's plan not cancelled, agreed or waiting for a reviewer."""
    return PaymentPlan.objects.filter(audit=audit, cancelled_at__isnull=True).first()


def plan_amount(audit: Audit) -> Decimal:
    """The amount a plan would spread: what billing is (or will be) asked to invoice now."""
    latest = BillingInstruction.objects.filter(audit=audit).order_by("-id").first()
    if latest is not None:
        return Decimal(latest.bill_now)
    return undisputed(audit)


def plan_eligibility(
    audit: Audit, today: date | None = None, amount: Decimal | None = None
) -> plans.Eligibility:
    """Whether a plan may be offered for ``amount`` (by default what is billed now)."""
    today = today or clock.today()
    config = rules()["payment_plans"]
    since = add_months(today, -int(config["history_months"]))
    counts = PaymentRecord.objects.filter(
        insured_id=audit.period.policy.insured_id, on__gte=since
    ).aggregate(
        late=Count("id", filter=Q(event=PaymentEvent.LATE)),
        returned=Count("id", filter=Q(event=PaymentEvent.RETURNED)),
    )
    history = plans.History(late=counts["late"], returned=counts["returned"])
    return plans.eligibility(
        plan_amount(audit) if amount is None else amount,
        history,
        policy_status(audit.period, today),
        config,
    )


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


def billing_probes(audit: Audit) -> dict[str, Probe]:
    """The billing tables ``billing_figures`` reads only where they hold rows for this audit."""
    return {
        "outreach": (Outreach, "audit", audit.pk),
        "instructions": (BillingInstruction, "audit", audit.pk),
        "disputes": (Dispute, "audit", audit.pk),
        "plans": (PaymentPlan, "audit", audit.pk),
    }


def billing_figures(audit: Audit) -> BillingFigures:
    """Read in a handful of queries: an audit that never entered the billing flow costs one."""
    has = holding(**billing_probes(audit))
    outreach = Outreach.objects.filter(audit=audit).first() if has["outreach"] else None
    # A revision's instructions include those of the audits it revised.
    instructions = rows_if(
        has["instructions"] or audit.revision_of_id is not None,
        BillingInstruction.objects.filter(audit__in=chain(audit))
        .select_related("outbox")
        .order_by("id"),
    )
    disputes = rows_if(
        has["disputes"], Dispute.objects.filter(audit=audit).prefetch_related("documents")
    )
    plan = (
        PaymentPlan.objects.filter(audit=audit, cancelled_at__isnull=True).first()
        if has["plans"]
        else None
    )
    records = BillingFigures(outreach, instructions, disputes, plan, audit.final_result)
    if records.result is None or not (outreach or instructions or disputes or plan):
        return records
    return _in_flow(audit, records, records.result)


def _in_flow(audit: Audit, records: BillingFigures, result: ResultSnapshot) -> BillingFigures:
    final = audit.status in BILLABLE
    adjustment = amount_owed(audit, result)
    open_dispute = next((d for d in records.disputes if d.status == DisputeStatus.OPEN), None)
    held = (
        min(Decimal(open_dispute.disputed_amount), adjustment)
        if open_dispute is not None and adjustment > 0
        else Decimal(0)
    )
    mine = [i for i in records.instructions if i.audit_id == audit.pk]
    amount = Decimal(mine[-1].bill_now) if mine else adjustment - held
    deadline = dispute_deadline(audit, records.outreach, result) if final else None
    return replace(
        records,
        in_flow=True,
        open_dispute=open_dispute,
        held=held,
        undisputed=adjustment - held,
        plan_amount=amount,
        plan_check=plan_eligibility(audit, amount=amount)
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
