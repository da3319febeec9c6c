"""From result to billing, every write: the outreach window and its attempts, disputes and their
resolution, the billing hand-off (idempotent, through an outbox) and payment plans.

The money flow for one audit and its revisions: each released result gets one instruction;
``bill_now`` is its adjustment, less what a dispute holds back, less what earlier instructions of
the same audit already asked billing for. So the instructions of an audit always add up to its
latest adjustment once nothing is held.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.history import history_note
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.services import audit_revise, may
from trueup.audits.workflow import BILLABLE, FINAL, Status
from trueup.billing import plans
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    DisputeDocument,
    DisputeStatus,
    InstructionKind,
    OutboxMessage,
    Outcome,
    Outreach,
    OutreachAttempt,
    OutreachStatus,
    PaymentEvent,
    PaymentPlan,
    PaymentRecord,
)
from trueup.billing.outbox import deliver_outbox
from trueup.core import clock, ruledata
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused
from trueup.core.money import parse_dollars, usd_cents
from trueup.core.tasks import enqueue_on_commit
from trueup.core.uploads import UploadRefused, sniff
from trueup.letters.models import Letter
from trueup.letters.services import LetterRefused, letter_send
from trueup.policies.models import Policy, PolicyPeriod
from trueup.rating.money import cents
from trueup.rating.periods import add_months

ZERO = Decimal(0)
ZERO_CENTS = Decimal("0.00")


class BillingRefused(Refused):
    """A step that cannot be taken now, with the reason."""

    code = "billing_refused"


def rules(on: date | None = None) -> dict[str, Any]:
    """The windows, dispute days and plan eligibility (``billing.toml``) in force on the day
    (today by default)."""
    return ruledata.load(Path(__file__).parent / "billing.toml").on(on or clock.today())


def _edit(audit: Audit, by: User | None, summary: str) -> None:
    history_note(audit=audit, by=by, summary=summary)


# Billing's amounts always with their cents ($18.52, $4,575.00): what is billed is exact.
dollars = usd_cents


def _check(by: User, action: str, what: str) -> None:
    if not may(by, action):
        raise NotAllowed(f"a user with the {by.get_role_display()} role may not {what}")


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


def _open_dispute(audit: Audit) -> Dispute | None:
    return Dispute.objects.filter(audit=audit, status=DisputeStatus.OPEN).first()


def _result(audit: Audit) -> ResultSnapshot:
    """The result pinned when the audit became final: the only one billing ever uses."""
    result = audit.final_result
    if result is None:
        raise BillingRefused("the audit has no final result: it is billed once it is completed")
    return result


# Letters, digits and - _ . : (UUIDs, request ids), as long as the column keeps.
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,100}")
# The stages a hand-off is made at, each once per result: the release after the outreach window
# (with the undisputed part, when a dispute holds some back), an upheld dispute's held part, a
# revision that resolved a dispute, and a reversal handing back what was billed.
STAGES = frozenset({"released", "dispute_upheld", "revised", "reversed"})


# Outreach ------------------------------------------------------------------------------------


@transaction.atomic
def outreach_open(*, audit: Audit, by: User | None) -> Outreach | None:
    """An approved (or estimated) result enters the outreach window before billing. A revision
    made to resolve a dispute goes straight to billing instead: the insured has been heard."""
    result = _result(audit)
    resolving = Dispute.objects.filter(revision=audit, status=DisputeStatus.OPEN).first()
    if resolving is not None:
        _dispute_resolved_by_revision(resolving, audit, by)
        return None
    if Outreach.objects.filter(audit=audit).exists():
        return Outreach.objects.get(audit=audit)
    days = int(rules()["outreach"]["business_days"])
    outreach = Outreach.objects.create(
        audit=audit, result=result, window_ends=plans.add_business_days(clock.today(), days)
    )
    _edit(
        audit,
        by,
        f"outreach window open until {outreach.window_ends:%b %-d, %Y} ({days} business days)",
    )
    return outreach


@transaction.atomic
def outreach_attempt_add(
    *,
    outreach: Outreach,
    by: User,
    channel: str,
    contact: str,
    outcome: str,
    next_step: str = "",
    next_step_on: date | None = None,
    notes: str = "",
) -> OutreachAttempt:
    """Log a call or e-mail. Agreement releases the result to billing at once."""
    _check(by, "document", "log outreach")
    outreach = Outreach.objects.select_for_update().get(pk=outreach.pk)
    if outreach.status == OutreachStatus.RELEASED:
        raise BillingRefused("the result was already released to billing")
    if outreach.status == OutreachStatus.CLOSED:
        raise BillingRefused(f"the outreach was closed: {outreach.release_reason}")
    attempt = OutreachAttempt(
        outreach=outreach,
        channel=channel,
        contact=contact.strip(),
        outcome=outcome,
        next_step=next_step.strip(),
        next_step_on=next_step_on,
        notes=notes.strip(),
        by=by,
    )
    try:
        attempt.full_clean(exclude=["outreach", "by"])
    except ValidationError as error:
        raise InvalidInput(
            [Problem(f, " ".join(m)) for f, m in error.message_dict.items()]
        ) from error
    attempt.save()
    _edit(
        outreach.audit,
        by,
        f"outreach by {attempt.get_channel_display().lower()} to {attempt.contact}: "
        f"{attempt.get_outcome_display().lower()}",
    )
    if outcome == Outcome.AGREED:
        outreach_release(outreach=outreach, by=by, reason="agreement recorded")
    elif outcome == Outcome.DISPUTED and outreach.status == OutreachStatus.OPEN:
        outreach.status = OutreachStatus.DISPUTED
        outreach.save(update_fields=["status"])
    return attempt


@transaction.atomic
def outreach_release(*, outreach: Outreach, by: User | None, reason: str) -> BillingInstruction:
    """End the window and hand the result to billing (the undisputed part, if disputed)."""
    outreach = Outreach.objects.select_for_update().get(pk=outreach.pk)
    if outreach.status == OutreachStatus.RELEASED:
        raise BillingRefused("the result was already released to billing")
    if outreach.status == OutreachStatus.CLOSED:
        raise BillingRefused(f"the outreach was closed: {outreach.release_reason}")
    outreach.status = OutreachStatus.RELEASED
    outreach.released_at = timezone.now()
    outreach.released_by = by
    outreach.release_reason = reason
    outreach.save(update_fields=["status", "released_at", "released_by", "release_reason"])
    _edit(outreach.audit, by, f"released to billing: {reason}")
    instruction, _ = billing_handoff(audit=outreach.audit, by=by, stage="released")
    return instruction


def outreach_release_due(today: date | None = None) -> list[BillingInstruction]:
    """Release every result whose window has ended (a scheduled task, or ``trueup
    release_outreach``). Safe when two runs overlap: each release locks its outreach, and one
    that the other run released (or staff closed) meanwhile is skipped, not an error."""
    today = today or clock.today()
    released = []
    for outreach in Outreach.objects.filter(
        status__in=[OutreachStatus.OPEN, OutreachStatus.DISPUTED],
        window_ends__lt=today,
        audit__status__in=sorted(FINAL),
    ).select_related("audit"):
        reason = f"window ended {outreach.window_ends:%b %-d, %Y}"
        try:
            released.append(outreach_release(outreach=outreach, by=None, reason=reason))
        except BillingRefused:
            continue
    return released


@transaction.atomic
def audit_replaced(*, audit: Audit, by: User | None) -> BillingInstruction | None:
    """A revised or reversed audit's result no longer stands: an outreach not yet released is
    closed (a revision gets its own), and for a reversal whatever was billed is handed back."""
    Outreach.objects.filter(audit=audit).exclude(status=OutreachStatus.RELEASED).update(
        status=OutreachStatus.CLOSED,
        release_reason=f"the audit was {audit.get_status_display().lower()}",
    )
    if audit.status != Status.REVERSED:
        return None
    billed = BillingInstruction.objects.filter(audit__in=chain(audit)).aggregate(s=Sum("bill_now"))
    if not billed["s"]:
        return None
    instruction, _ = billing_handoff(audit=audit, by=by, stage="reversed")
    return instruction


# Disputes ------------------------------------------------------------------------------------


def _amount(value: Any, path: str, problems: list[Problem]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_dollars(str(value))
    except ValueError as e:
        problems.append(Problem(path, f"the amount {e}"))
        return None


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
        else timezone.localdate((result or _result(audit)).created_at)
    )
    return start + timedelta(days=dispute_days(audit))


def dispute_terms(audit: Audit) -> dict[str, Any]:
    """The dispute window as letters state it (``dispute_days``, ``dispute_by``): the one
    ``dispute_open`` enforces. Nothing before the audit has a final result."""
    if audit.final_result_id is None:
        return {}
    return {"dispute_days": dispute_days(audit), "dispute_by": dispute_deadline(audit)}


@transaction.atomic
def dispute_open(
    *,
    audit: Audit,
    by: User,
    lines: Iterable[Mapping[str, Any]],
    statement: str,
    documents: Iterable[UploadedFile] = (),
    today: date | None = None,
) -> Dispute:
    """Record a dispute of a final result, naming the class lines disputed (and, if less than the
    whole line, how much). The undisputed part can be billed at once. A policyholder's or agent's
    dispute comes through ``trueup.flows.disputes``, which checks that they may see the audit."""
    if not by.is_portal_user:
        _check(by, "document", "record a dispute")
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status not in BILLABLE:
        raise BillingRefused("only a completed or estimated audit's result can be disputed")
    if _open_dispute(audit) is not None:
        raise BillingRefused("a dispute of this result is already open")
    today = today or clock.today()
    deadline = dispute_deadline(audit)
    if today > deadline:
        raise BillingRefused(
            f"the dispute window ended on {deadline:%B %-d, %Y} ({dispute_days(audit)} days)"
        )
    result = _result(audit)
    class_lines = {
        (line["state"], line["item"]): Decimal(line["difference"])
        for line in result.result["adjustments"]
        if line["is_class"]
    }
    problems: list[Problem] = []
    chosen = []
    for index, line in enumerate(lines):
        key = (str(line.get("state", "")), str(line.get("item", "")))
        if key not in class_lines:
            problems.append(
                Problem(f"lines[{index}]", f"{' '.join(key)} is not a class line of the result")
            )
            continue
        difference = class_lines[key]
        most = max(difference, ZERO)
        amount = _amount(line.get("disputed"), f"lines[{index}].disputed", problems)
        if amount is None:
            amount = most
        elif amount > most:
            problems.append(
                Problem(
                    f"lines[{index}].disputed",
                    f"{' '.join(key)}: at most the line's additional premium, {dollars(most)}",
                )
            )
        chosen.append(
            {
                "state": key[0],
                "item": key[1],
                "difference": str(difference),
                "disputed": str(amount),
            }
        )
    if not chosen and not problems:
        problems.append(Problem("lines", "choose at least one class line to dispute"))
    if not statement.strip():
        problems.append(Problem("statement", "say what is disputed and why"))
    files = []
    for index, upload in enumerate(documents):
        data = upload.read()
        try:
            sniffed = sniff(data, upload.name or "document")
        except UploadRefused as e:
            problems.append(Problem(f"documents[{index}]", str(e)))
            continue
        files.append((upload.name or "document", sniffed.content_type, data))
    if problems:
        raise InvalidInput(problems)
    disputed = sum((Decimal(line["disputed"]) for line in chosen), ZERO)
    dispute = Dispute.objects.create(
        audit=audit,
        result=result,
        opened_by=by,
        from_portal=by.is_portal_user,
        deadline=deadline,
        lines=chosen,
        disputed_amount=disputed,
        statement=statement.strip(),
    )
    for name, content_type, data in files:
        document = DisputeDocument(dispute=dispute, filename=name[:255], content_type=content_type)
        document.file.save(name[-100:], ContentFile(data), save=True)
    Outreach.objects.filter(audit=audit, status=OutreachStatus.OPEN).update(
        status=OutreachStatus.DISPUTED
    )
    shown = ", ".join(
        f"{line['state']} {line['item']} {dollars(Decimal(line['disputed']))}" for line in chosen
    )
    _edit(audit, by, f"dispute opened: {shown}")
    _letter(audit, "dispute_ack", by, {"dispute": dispute, "undisputed": undisputed(audit)})
    return dispute


def undisputed(audit: Audit) -> Decimal:
    """The part of the result not held by an open dispute (what may be billed at once)."""
    total = Decimal(_result(audit).adjustment)
    return total - _held(audit, total)


def _held(audit: Audit, total: Decimal) -> Decimal:
    dispute = _open_dispute(audit)
    if dispute is None or total <= 0:
        return ZERO
    return min(Decimal(dispute.disputed_amount), total)


@transaction.atomic
def dispute_uphold(*, dispute: Dispute, by: User, resolution: str) -> BillingInstruction | None:
    """The audit stands: the held part goes to billing, and the insured gets the outcome."""
    _check(by, "approve", "resolve a dispute")
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN or dispute.revision_id is not None:
        raise BillingRefused("the dispute is not open")
    if not resolution.strip():
        raise InvalidInput([Problem("resolution", "say why the audit stands")])
    dispute.status = DisputeStatus.UPHELD
    dispute.resolution = resolution.strip()
    dispute.resolved_at = timezone.now()
    dispute.resolved_by = by
    dispute.save()
    _edit(dispute.audit, by, f"dispute resolved: audit upheld ({dispute.resolution})")
    _letter(dispute.audit, "dispute_outcome", by, {"dispute": dispute})
    if not BillingInstruction.objects.filter(audit=dispute.audit).exists():
        return None  # still in the outreach window: the release will bill it whole
    instruction, _ = billing_handoff(audit=dispute.audit, by=by, stage="dispute_upheld")
    return instruction


@transaction.atomic
def dispute_revise(*, dispute: Dispute, by: User, resolution: str) -> Audit:
    """The insured is (partly) right: a revision opens with a copy of the facts. When it is
    completed the dispute is resolved and the difference goes to billing."""
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN or dispute.revision_id is not None:
        raise BillingRefused("the dispute is not open")
    if not resolution.strip():
        raise InvalidInput([Problem("resolution", "say what will be revised and why")])
    # The undisputed part is billed before the revision opens (the original stops being final).
    pending = Outreach.objects.filter(audit=dispute.audit).exclude(status=OutreachStatus.RELEASED)
    for outreach in pending:
        outreach_release(
            outreach=outreach, by=by, reason="the undisputed part, before the dispute's revision"
        )
    revision = audit_revise(audit=dispute.audit, by=by, reason=f"dispute: {resolution.strip()}")
    audit_replaced(audit=Audit.objects.get(pk=dispute.audit_id), by=by)
    dispute.revision = revision
    dispute.resolution = resolution.strip()
    dispute.save(update_fields=["revision", "resolution"])
    return revision


def _dispute_resolved_by_revision(dispute: Dispute, revision: Audit, by: User | None) -> None:
    dispute.status = DisputeStatus.REVISED
    dispute.resolved_at = timezone.now()
    dispute.resolved_by = by
    dispute.save(update_fields=["status", "resolved_at", "resolved_by"])
    _edit(revision, by, f"dispute resolved by this revision ({dispute.resolution})")
    # Filed with the dispute, on the audit that was disputed, showing the revision's result.
    _letter(dispute.audit, "dispute_outcome", by, {"dispute": dispute, "result": _result(revision)})
    billing_handoff(audit=revision, by=by, stage="revised")


# The billing hand-off ------------------------------------------------------------------------


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
            result = _result(locked)
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
            held = cents(_held(locked, total) if stage == "released" else ZERO)
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
            _edit(
                locked,
                by,
                f"billing instruction {instruction.pk}: {instruction.get_kind_display().lower()} "
                f"{dollars(abs(bill_now))} now"
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


# Payment plans -------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *, by: User, policy_number: str, on: date, event: str, amount: Decimal, reference: str = ""
) -> tuple[PaymentRecord, bool]:
    """A payment event from billing, for plan eligibility. With a reference, sending it again
    returns the record already kept. Returns it and whether it is new."""
    _check(by, "record_payments", "record payments")
    policy = Policy.objects.filter(number=policy_number).select_related("insured").first()
    problems = []
    if policy is None:
        problems.append(Problem("policy", f"there is no policy {policy_number}"))
    if event not in PaymentEvent.values:
        problems.append(Problem("event", f"must be one of {', '.join(PaymentEvent.values)}"))
    if amount < 0 or amount != cents(amount):
        problems.append(Problem("amount", "an amount in dollars and cents, not negative"))
    if problems:
        raise InvalidInput(problems)
    assert policy is not None
    if reference:
        existing = PaymentRecord.objects.filter(insured=policy.insured, reference=reference).first()
        if existing is not None:
            return existing, False
    record = PaymentRecord.objects.create(
        insured=policy.insured, on=on, event=event, amount=amount, reference=reference
    )
    return record, True


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


@transaction.atomic
def payment_plan_agree(
    *,
    audit: Audit,
    by: User,
    instalments: int,
    down_payment: Decimal = ZERO,
    first_due: date | None = None,
) -> PaymentPlan:
    """Agree a plan with an eligible insured; the agreement letter goes out and the plan
    travels with the hand-off."""
    _check(by, "document", "agree a payment plan")
    # Locked: two agreements sent at once (a double click, two staff) must not both pass.
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if PaymentPlan.objects.filter(audit=audit, cancelled_at__isnull=True).exists():
        raise BillingRefused("this audit already has a payment plan")
    check = plan_eligibility(audit)
    if not check.eligible:
        raise BillingRefused("not eligible for a payment plan: " + "; ".join(check.reasons))
    config = rules()["payment_plans"]
    total = plan_amount(audit)
    least_down = (total * Decimal(str(config["down_payment_min_percent"])) / 100).quantize(
        Decimal("0.01")
    )
    if down_payment < least_down:
        raise InvalidInput(
            [Problem("down_payment", f"the down payment must be at least {dollars(least_down)}")]
        )
    try:
        schedule = plans.schedule(
            total,
            instalments,
            first_due or clock.today() + timedelta(days=int(config["first_due_days"])),
            down_payment,
            minimum=int(config["instalments_min"]),
            maximum=int(config["instalments_max"]),
        )
    except plans.PlanRefused as e:
        raise InvalidInput([Problem("instalments", str(e))]) from e
    plan = PaymentPlan.objects.create(
        audit=audit,
        total=total,
        down_payment=down_payment,
        instalments=instalments,
        schedule=[
            {"number": p.number, "due": p.due.isoformat(), "amount": str(p.amount)}
            for p in schedule
        ],
        agreed_by=by,
    )
    _edit(
        audit,
        by,
        f"payment plan: {dollars(total)} in {instalments} instalments"
        + (f" after {dollars(down_payment)} down" if down_payment else ""),
    )
    _letter(audit, "payment_plan", by, {"plan": plan})
    return plan


# Letters ---------------------------------------------------------------------------------------


def _letter(audit: Audit, kind: str, by: User | None, extra: Mapping[str, Any]) -> None:
    """Send a letter the flow calls for; without an e-mail address on file the history says so
    and staff print it from the audit page."""
    try:
        letter_send(audit=audit, kind=kind, by=by, extra={**dispute_terms(audit), **extra})
    except LetterRefused as e:
        _edit(audit, by, f"letter not sent ({kind.replace('_', ' ')}): {e}")
