"""The hand-off to billing: one instruction per result and stage, made once whatever the
retries, with everything billing needs to act (the payload) and its place in the outbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from trueup.accounts.models import User
from trueup.audits.history import history_note
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.workflow import BILLABLE, Status
from trueup.billing.errors import BillingRefused
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    InstructionKind,
    OutboxMessage,
    Outreach,
    OutreachStatus,
    PaymentPlan,
)
from trueup.billing.outbox import deliver_outbox
from trueup.billing.selectors import (
    ZERO,
    ZERO_CENTS,
    chain,
    dollars,
    final_result_of,
    held_back,
    policy_status,
    rules,
)
from trueup.core import clock
from trueup.core.errors import InvalidInput, Problem
from trueup.core.tasks import enqueue_on_commit
from trueup.endorsements.selectors import premium_endorsements
from trueup.letters.models import Letter
from trueup.policies.models import PolicyPeriod
from trueup.premium_reports.models import PremiumReport, ReportStatus
from trueup.premium_reports.services import plan_close
from trueup.premium_reports.true_up import TrueUp, true_up
from trueup.rating.money import cents

# Letters, digits and - _ . : (UUIDs, request ids), as long as the column keeps.
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,100}")


# The stages a hand-off is made at, each once per result: the release after the outreach window
# (with the undisputed part, when a dispute holds some back), an upheld dispute's held part, a
# revision that resolved a dispute, and a reversal handing back what was billed.
STAGES = frozenset({"released", "dispute_upheld", "revised", "reversed"})


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _kind(bill_now: Decimal, period: PolicyPeriod) -> str:
    if bill_now > 0:
        return InstructionKind.INVOICE
    if bill_now < 0:
        renewed = policy_status(period, clock.today()) == "renewed"
        credit = renewed and bool(rules()["return_premium"]["credit_when_renewed"])
        return InstructionKind.CREDIT if credit else InstructionKind.REFUND
    return InstructionKind.NO_CHANGE


def _policy_and_insured(period: PolicyPeriod) -> dict[str, Any]:
    insured = period.policy.insured
    return {
        "policy": {
            "number": period.policy.number,
            "line": period.policy.line,
            "effective": period.effective.isoformat(),
            "expiration": period.expiration.isoformat(),
            "status": policy_status(period, clock.today()),
        },
        "insured": {
            "name": insured.name,
            "fein": insured.fein,
            "mailing_address": insured.mailing_address,
            "contact": insured.contact_name,
            "email": insured.contact_email,
            "phone": insured.contact_phone,
            "agency": insured.agency.code if insured.agency else None,
        },
    }


def _result_part(result: ResultSnapshot) -> dict[str, Any]:
    return {
        "id": result.pk,
        "estimated_premium": str(result.estimated_premium),
        "audited_premium": str(result.audited_premium),
        "adjustment": str(result.adjustment),
        "outcome": result.outcome,
        "by_class": [
            {
                "state": line["state"],
                "item": line["item"],
                "estimated_premium": line["estimated_premium"],
                "audited_premium": line["audited_premium"],
                "difference": line["difference"],
            }
            for line in result.result["adjustments"]
        ],
    }


def _dispute_part(audits: list[Audit]) -> dict[str, Any] | None:
    dispute = Dispute.objects.filter(audit__in=audits).order_by("-id").first()
    if dispute is None:
        return None
    return {
        "id": dispute.pk,
        "status": dispute.status,
        "disputed_amount": str(dispute.disputed_amount),
        "lines": dispute.lines,
    }


def _plan_part(audits: list[Audit]) -> dict[str, Any] | None:
    plan = PaymentPlan.objects.filter(audit__in=audits, cancelled_at__isnull=True).last()
    if plan is None:
        return None
    return {
        "status": plan.status,
        "total": str(plan.total),
        "down_payment": str(plan.down_payment),
        "instalments": plan.instalments,
        "schedule": plan.schedule,
    }


def _documents(audits: list[Audit]) -> list[dict[str, Any]]:
    """Every letter written about the audit, with its state: one written in this same change
    (a dispute's outcome) is still on its way, so it has no time sent or PDF yet."""
    return [
        {
            "kind": letter.kind,
            "status": letter.status,
            "sent_at": _iso(letter.sent_at),
            "pdf": letter.pdf.name or None,
        }
        for letter in Letter.objects.filter(audit__in=audits)
    ]


def _endorsements(period: PolicyPeriod) -> list[dict[str, Any]]:
    """The period's issued endorsements that change premium (a reversed one with the one that
    corrects it), for the policy's billed premium."""
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "effective": e.effective.isoformat(),
            "premium_effect": str(e.premium_effect),
            "status": e.status,
            "reverses": e.reverses_id,
        }
        for e in premium_endorsements(period)
    ]


def _reports_part(squared: TrueUp | None) -> dict[str, Any] | None:
    """A reporting period's final audit against its reports: what was reported and what the
    reports billed, the deposit, and what is owed (or returned) once it is applied."""
    if squared is None:
        return None
    return {
        "reported_exposure": str(squared.reported_exposure),
        "audited_exposure": str(squared.audited_exposure),
        "billed_by_reports": str(squared.reported_premium),
        "audited_premium": str(squared.audited_premium),
        "against_reports": str(squared.adjustment),
        "deposit": str(squared.deposit),
        "amount_now": str(squared.balance),
        "explanation": squared.words(),
    }


def _payload(
    audit: Audit,
    result: ResultSnapshot,
    figures: Mapping[str, Decimal],
    kind: str,
    stage: str,
    squared: TrueUp | None,
) -> dict[str, Any]:
    """Everything billing needs to act without asking again."""
    audits = chain(audit)
    return {
        **_policy_and_insured(audit.period),
        "audit": {
            "id": audit.pk,
            "first_audit": audits[-1].pk,
            "type": audit.type,
            "status": audit.status,
        },
        "result": _result_part(result),
        "instruction": {"kind": kind, "stage": stage, **{k: str(v) for k, v in figures.items()}},
        "dispute": _dispute_part(audits),
        "payment_plan": _plan_part(audits),
        "documents": _documents(audits),
        "endorsements": _endorsements(audit.period),
        "premium_reports": _reports_part(squared),
    }


def _check_key(key: str | None) -> None:
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(
            [
                Problem(
                    "Idempotency-Key",
                    "at most 100 letters, digits, dashes, underscores, dots or colons",
                )
            ]
        )


def _against_reports(audit: Audit, result: ResultSnapshot, stage: str) -> TrueUp | None:
    """A reporting period's final audit is billed against its reports, not its estimate; a
    reversal hands back what was billed whatever the period."""
    return None if stage == "reversed" else true_up(audit, result)


def _figures(
    audit: Audit, result: ResultSnapshot, stage: str, squared: TrueUp | None
) -> dict[str, Decimal]:
    """What this hand-off bills: the adjustment (on a reporting period, the audited premium
    less what the reports billed, the deposit applied or returned), less what was billed before
    for the audit's chain and, at the release, what a dispute holds back."""
    previously = (
        BillingInstruction.objects.filter(audit__in=chain(audit)).aggregate(s=Sum("bill_now"))["s"]
        or ZERO
    )
    # Sums come back from the database at its own precision: back to cents.
    previously = cents(Decimal(previously))
    # A reversed audit's adjustment is nothing: what was billed comes back.
    total = ZERO_CENTS if stage == "reversed" else cents(Decimal(result.adjustment))
    if squared is not None:
        total = squared.balance
    held = cents(held_back(audit, total) if stage == "released" else ZERO)
    return {
        "total_adjustment": total,
        "previously_billed": previously,
        "held": held,
        "bill_now": total - held - previously,
    }


def _summary(instruction: BillingInstruction, figures: Mapping[str, Decimal]) -> str:
    total, previously, held = (
        figures["total_adjustment"],
        figures["previously_billed"],
        figures["held"],
    )
    return (
        f"billing instruction {instruction.pk}: "
        f"{instruction.get_kind_display().lower()} {dollars(abs(figures['bill_now']))} now"
        + (f", {dollars(held)} held for the dispute" if held else "")
        + (
            f" (adjustment {dollars(total)}, {dollars(previously)} billed before)"
            if previously
            else ""
        )
    )


def _make(
    audit: Audit, by: User | None, stage: str, key: str | None
) -> tuple[BillingInstruction, bool]:
    """Under the audit's lock: the instruction already made for this key or result and stage,
    or a new one with its outbox message (pushed to billing once committed)."""
    # Hand-offs of one audit are made one at a time, so "previously billed" is right and a
    # result is handed off once per stage, whatever keys callers send.
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    _check_stage(locked, stage)
    result = final_result_of(locked)
    key = key or f"audit-{locked.pk}-result-{result.pk}-{stage}"
    existing = BillingInstruction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_audit(existing, locked), False
    made = BillingInstruction.objects.filter(audit=locked, result=result, stage=stage)
    if made.exists():
        return made.get(), False
    squared = _against_reports(locked, result, stage)
    if squared is not None:
        # Squared with its reports: a report filed later would be billed twice.
        plan_close(period=locked.period)
    figures = _figures(locked, result, stage, squared)
    kind = _kind(figures["bill_now"], locked.period)
    instruction = BillingInstruction.objects.create(
        audit=locked,
        result=result,
        idempotency_key=key,
        kind=kind,
        stage=stage,
        payload=_payload(locked, result, figures, kind, stage, squared),
        created_by=by,
        **figures,
    )
    OutboxMessage.objects.create(instruction=instruction)
    # Pushed to billing as soon as this is committed (when billing has an address).
    enqueue_on_commit(deliver_outbox)
    history_note(audit=locked, by=by, summary=_summary(instruction, figures))
    return instruction, True


def billing_handoff(
    *, audit: Audit, by: User | None, stage: str = "released", key: str | None = None
) -> tuple[BillingInstruction, bool]:
    """The billing instruction for the audit's latest result at this stage, made once: a
    retried hand-off (same key) returns the instruction already made. Returns it and whether it
    is new."""
    if stage not in STAGES:
        raise BillingRefused(f"{stage!r} is not a stage of the hand-off to billing")
    _check_key(key)
    existing = BillingInstruction.objects.filter(idempotency_key=key).first() if key else None
    if existing is not None:
        return _same_audit(existing, audit), False
    try:
        with transaction.atomic():
            return _make(audit, by, stage, key)
    except IntegrityError:
        # Another request made it between our read and our write: theirs stands.
        theirs = (
            BillingInstruction.objects.filter(idempotency_key=key)
            if key
            else BillingInstruction.objects.filter(audit=audit, stage=stage).order_by("-id")
        )
        return _same_audit(theirs.first() or theirs.get(), audit), False


def _same_audit(instruction: BillingInstruction, audit: Audit) -> BillingInstruction:
    """A key names one audit's hand-off: sent again for another audit it is a caller's mistake,
    never that audit's bill."""
    if instruction.audit_id != audit.pk:
        raise InvalidInput(
            [
                Problem(
                    "Idempotency-Key",
                    "this key was already used for another audit's hand-off: send a new key "
                    "for each audit",
                )
            ]
        )
    return instruction


def _check_stage(audit: Audit, stage: str) -> None:
    """Whether the audit may be handed to billing at this stage now. A result is billed only
    once it has been explained: released from its outreach window."""
    if stage == "reversed":
        if audit.status != Status.REVERSED:
            raise BillingRefused("only a reversed audit's billing is reversed")
        return
    if audit.status not in BILLABLE:
        raise BillingRefused("only a completed or estimated audit goes to billing")
    if stage != "released":
        return
    outreach = Outreach.objects.filter(audit=audit).first()
    if outreach is None:
        raise BillingRefused(
            "the result has not been explained to the insured yet: it goes to billing when its "
            "outreach window is released"
        )
    if outreach.status != OutreachStatus.RELEASED:
        raise BillingRefused(
            f"the result is being explained to the insured until {outreach.window_ends:%B %-d, %Y}"
            ": it goes to billing when it is released (the insured's agreement, a reviewer's "
            "release, or the end of the window)",
        )


# Premium reports ------------------------------------------------------------------------------
# A reporting policy's report is billed at its premium as it is filed (or estimated); the deposit
# stays against the term and is returned or applied at the final audit.
REPORT_STAGE = "premium_report"


def _report_part(report: PremiumReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "covers_from": report.covers_from.isoformat(),
        "covers_to": report.covers_to.isoformat(),
        "status": report.status,
        "source": report.source,
        "premium": str(report.premium),
        "lines": [
            {"state": x.state, "class_code": x.class_code, "exposure": str(x.exposure)}
            for x in report.lines.all()
        ],
        "reasons": report.reasons,
    }


def _report_figures(report: PremiumReport) -> dict[str, Decimal]:
    earlier = BillingInstruction.objects.filter(report__plan=report.plan_id).aggregate(
        s=Sum("bill_now")
    )["s"]
    premium = cents(Decimal(report.premium or ZERO))
    return {
        "total_adjustment": premium,
        "previously_billed": cents(Decimal(earlier or ZERO)),
        "held": ZERO_CENTS,
        "bill_now": premium,
    }


@transaction.atomic
def report_billing_handoff(
    *, report: PremiumReport, by: User | None
) -> tuple[BillingInstruction, bool]:
    """The billing instruction for a filed or estimated report's premium, made once per report
    whatever the retries, with its place in the outbox. Returns it and whether it is new."""
    locked = (
        PremiumReport.objects.select_for_update(of=("self",))
        .select_related("plan__period__policy__insured__agency")
        .get(pk=report.pk)
    )
    if locked.status not in (ReportStatus.FILED, ReportStatus.ESTIMATED):
        raise BillingRefused("only a filed or estimated premium report goes to billing")
    existing = BillingInstruction.objects.filter(report=locked).first()
    if existing is not None:
        return existing, False
    figures = _report_figures(locked)
    kind = InstructionKind.INVOICE if figures["bill_now"] > 0 else InstructionKind.NO_CHANGE
    plan = locked.plan
    instruction = BillingInstruction.objects.create(
        report=locked,
        idempotency_key=f"premium-report-{locked.pk}",
        kind=kind,
        stage=REPORT_STAGE,
        payload={
            **_policy_and_insured(plan.period),
            "premium_report": _report_part(locked),
            "reporting_plan": {"frequency": plan.frequency, "deposit": str(plan.deposit)},
            "instruction": {
                "kind": kind,
                "stage": REPORT_STAGE,
                **{k: str(v) for k, v in figures.items()},
            },
        },
        created_by=by,
        **figures,
    )
    OutboxMessage.objects.create(instruction=instruction)
    enqueue_on_commit(deliver_outbox)
    return instruction, True


def reports_billing_handoff() -> list[BillingInstruction]:
    """Hand off every filed or estimated report not billed yet (an estimated report is made by
    the daily chase, below billing; this bills it)."""
    waiting = PremiumReport.objects.filter(
        status__in=(ReportStatus.FILED, ReportStatus.ESTIMATED), billing_instruction__isnull=True
    ).order_by("pk")
    return [report_billing_handoff(report=r, by=None)[0] for r in waiting]
