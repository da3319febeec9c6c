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
from trueup.letters.models import Letter
from trueup.policies.models import PolicyPeriod
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


def _payload(
    audit: Audit, result: ResultSnapshot, figures: Mapping[str, Decimal], kind: str, stage: str
) -> dict[str, Any]:
    """Everything billing needs to act without asking again."""
    period = audit.period
    insured = period.policy.insured
    root = chain(audit)[-1]
    plan = PaymentPlan.objects.filter(audit__in=chain(audit), cancelled_at__isnull=True).last()
    dispute = Dispute.objects.filter(audit__in=chain(audit)).order_by("-id").first()
    # Every letter written about the audit, with its state: one written in this same change
    # (a dispute's outcome) is still on its way, so it has no time sent or PDF yet.
    letters = [
        {
            "kind": letter.kind,
            "status": letter.status,
            "sent_at": _iso(letter.sent_at),
            "pdf": letter.pdf.name or None,
        }
        for letter in Letter.objects.filter(audit__in=chain(audit))
    ]
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
        "audit": {
            "id": audit.pk,
            "first_audit": root.pk,
            "type": audit.type,
            "status": audit.status,
        },
        "result": {
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
        },
        "instruction": {"kind": kind, "stage": stage, **{k: str(v) for k, v in figures.items()}},
        "dispute": None
        if dispute is None
        else {
            "id": dispute.pk,
            "status": dispute.status,
            "disputed_amount": str(dispute.disputed_amount),
            "lines": dispute.lines,
        },
        "payment_plan": None
        if plan is None
        else {
            "total": str(plan.total),
            "down_payment": str(plan.down_payment),
            "instalments": plan.instalments,
            "schedule": plan.schedule,
        },
        "documents": letters,
    }


def billing_handoff(
    *, audit: Audit, by: User | None, stage: str = "released", key: str | None = None
) -> tuple[BillingInstruction, bool]:
    """The billing instruction for the audit's latest result at this stage, made once: a
    retried hand-off (same key) returns the instruction already made. Returns it and whether it
    is new."""
    if stage not in STAGES:
        raise BillingRefused(f"{stage!r} is not a stage of the hand-off to billing")
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(
            [
                Problem(
                    "Idempotency-Key",
                    "at most 100 letters, digits, dashes, underscores, dots or colons",
                )
            ]
        )
    existing = BillingInstruction.objects.filter(idempotency_key=key).first() if key else None
    if existing is not None:
        return _same_audit(existing, audit), False
    try:
        with transaction.atomic():
            # Hand-offs of one audit are made one at a time, so "previously billed" is right
            # and a result is handed off once per stage, whatever keys callers send.
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
            reversal = stage == "reversed"
            audits = chain(locked)
            previously = (
                BillingInstruction.objects.filter(audit__in=audits).aggregate(s=Sum("bill_now"))[
                    "s"
                ]
                or ZERO
            )
            # Sums come back from the database at its own precision: back to cents.
            previously = cents(Decimal(previously))
            # A reversed audit's adjustment is nothing: what was billed comes back.
            total = ZERO_CENTS if reversal else cents(Decimal(result.adjustment))
            held = cents(held_back(locked, total) if stage == "released" else ZERO)
            bill_now = total - held - previously
            kind = _kind(bill_now, locked.period)
            figures = {
                "total_adjustment": total,
                "previously_billed": previously,
                "held": held,
                "bill_now": bill_now,
            }
            instruction = BillingInstruction.objects.create(
                audit=locked,
                result=result,
                idempotency_key=key,
                kind=kind,
                stage=stage,
                payload=_payload(locked, result, figures, kind, stage),
                created_by=by,
                **figures,
            )
            OutboxMessage.objects.create(instruction=instruction)
            # Pushed to billing as soon as this is committed (when billing has an address).
            enqueue_on_commit(deliver_outbox)
            history_note(
                audit=locked,
                by=by,
                summary=f"billing instruction {instruction.pk}: "
                f"{instruction.get_kind_display().lower()} {dollars(abs(bill_now))} now"
                + (f", {dollars(held)} held for the dispute" if held else "")
                + (
                    f" (adjustment {dollars(total)}, {dollars(previously)} billed before)"
                    if previously
                    else ""
                ),
            )
            return instruction, True
    except IntegrityError:
        # Another request made it between our read and our write: theirs is the one.
        return _same_audit(BillingInstruction.objects.get(idempotency_key=key), audit), False


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
