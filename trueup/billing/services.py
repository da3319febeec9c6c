"""From result to billing, every write: the outreach window and its attempts, disputes and their
resolution, the billing hand-off (idempotent, through an outbox) and payment plans.

The money flow for one audit and its revisions: each released result gets one instruction;
``bill_now`` is its adjustment, less what a dispute holds back, less what earlier instructions of
the same audit already asked billing for. So the instructions of an audit always add up to its
latest adjustment once nothing is held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.history import history_note
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.services import audit_revise, may
from trueup.audits.workflow import BILLABLE, FINAL, Status
from trueup.billing import plans
from trueup.billing.errors import BillingRefused
from trueup.billing.handoff import (
    billing_handoff,
)
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    DisputeDocument,
    DisputeStatus,
    Outcome,
    Outreach,
    OutreachAttempt,
    OutreachStatus,
    PaymentEvent,
    PaymentPlan,
    PaymentRecord,
    PlanStatus,
    PlanStatusChange,
)
from trueup.billing.selectors import (
    ZERO,
    active_plan,
    amount_owed,
    chain,
    dispute_days,
    dispute_deadline,
    dispute_terms,
    dollars,
    final_result_of,
    held_back,
    open_dispute,
    plan_amount,
    plan_eligibility,
    rules,
    undisputed,
)
from trueup.core import clock
from trueup.core.errors import InvalidInput, NotAllowed, Problem
from trueup.core.money import parse_dollars
from trueup.core.uploads import UploadRefused, sniff
from trueup.letters.services import LetterRefused, letter_send
from trueup.policies.models import Policy
from trueup.rating.money import cents


def _edit(audit: Audit, by: User | None, summary: str) -> None:
    history_note(audit=audit, by=by, summary=summary)


def _check(by: User, action: str, what: str) -> None:
    if not may(by, action):
        raise NotAllowed(f"a user with the {by.get_role_display()} role may not {what}")


@transaction.atomic
def outreach_open(*, audit: Audit, by: User | None) -> Outreach | None:
    """An approved (or estimated) result enters the outreach window before billing. A revision
    made to resolve a dispute goes straight to billing instead: the insured has been heard."""
    result = final_result_of(audit)
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


def _amount(value: Any, path: str, problems: list[Problem]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_dollars(str(value))
    except ValueError as e:
        problems.append(Problem(path, f"the amount {e}"))
        return None


def _check_disputable(audit: Audit, today: date) -> date:
    """The result can be disputed now: final, not already disputed, within the window. Returns
    the window's last day."""
    if audit.status not in BILLABLE:
        raise BillingRefused("only a completed or estimated audit's result can be disputed")
    if open_dispute(audit) is not None:
        raise BillingRefused("a dispute of this result is already open")
    deadline = dispute_deadline(audit)
    if today > deadline:
        raise BillingRefused(
            f"the dispute window ended on {deadline:%B %-d, %Y} ({dispute_days(audit)} days)"
        )
    return deadline


def _disputed_lines(
    result: ResultSnapshot, lines: Iterable[Mapping[str, Any]], problems: list[Problem]
) -> list[dict[str, str]]:
    """The class lines named, each with the amount disputed: the line's whole additional
    premium unless less is given. A line that is not a class of the result is a problem."""
    class_lines = {
        (line["state"], line["item"]): Decimal(line["difference"])
        for line in result.result["adjustments"]
        if line["is_class"]
    }
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
    return chosen


def _dispute_files(
    documents: Iterable[UploadedFile], problems: list[Problem]
) -> list[tuple[str, str, bytes]]:
    """The documents sent with the dispute, each checked for what it really is."""
    files = []
    for index, upload in enumerate(documents):
        data = upload.read()
        try:
            sniffed = sniff(data, upload.name or "document")
        except UploadRefused as e:
            problems.append(Problem(f"documents[{index}]", str(e)))
            continue
        files.append((upload.name or "document", sniffed.content_type, data))
    return files


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
    deadline = _check_disputable(audit, today or clock.today())
    result = final_result_of(audit)
    problems: list[Problem] = []
    chosen = _disputed_lines(result, lines, problems)
    if not statement.strip():
        problems.append(Problem("statement", "say what is disputed and why"))
    files = _dispute_files(documents, problems)
    if problems:
        raise InvalidInput(problems)
    dispute = Dispute.objects.create(
        audit=audit,
        result=result,
        opened_by=by,
        from_portal=by.is_portal_user,
        deadline=deadline,
        lines=chosen,
        disputed_amount=sum((Decimal(line["disputed"]) for line in chosen), ZERO),
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


@transaction.atomic
def dispute_uphold(*, dispute: Dispute, by: User, resolution: str) -> BillingInstruction | None:
    """The audit stands: the held part goes to billing, and the insured gets the outcome."""
    _check(by, "approve", "resolve a dispute")
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN or dispute.revision_id is not None:
        raise BillingRefused("the dispute is not open")
    if not resolution.strip():
        raise InvalidInput([Problem("resolution", "say why the audit stands")])
    held = held_back(dispute.audit, amount_owed(dispute.audit, final_result_of(dispute.audit)))
    dispute.status = DisputeStatus.UPHELD
    dispute.resolution = resolution.strip()
    dispute.resolved_at = timezone.now()
    dispute.resolved_by = by
    dispute.save()
    _edit(dispute.audit, by, f"dispute resolved: audit upheld ({dispute.resolution})")
    # Before the hand-off, so its payload carries the plan as it now stands.
    plan = _plan_takes_held_part(dispute.audit, held, by)
    _letter(dispute.audit, "dispute_outcome", by, {"dispute": dispute, "plan": plan})
    if not BillingInstruction.objects.filter(audit=dispute.audit).exists():
        return None  # still in the outreach window: the release will bill it whole
    instruction, _ = billing_handoff(audit=dispute.audit, by=by, stage="dispute_upheld")
    return instruction


@transaction.atomic
def dispute_revise(*, dispute: Dispute, by: User, resolution: str) -> Audit:
    """The insured is (partly) right: a revision opens with a copy of the facts. When it is
    completed the dispute is resolved and the difference goes to billing."""
    _check(by, "revise", "revise an audit to resolve a dispute")
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
    outcome = {"dispute": dispute, "result": final_result_of(revision)}
    _letter(dispute.audit, "dispute_outcome", by, outcome)
    billing_handoff(audit=revision, by=by, stage="revised")


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
    if active_plan(audit) is not None:
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
    within = _plan_within_authority(audit, by, total)
    status = PlanStatus.AGREED if within else PlanStatus.AWAITING_REVIEW
    plan = PaymentPlan.objects.create(
        audit=audit,
        total=total,
        down_payment=down_payment,
        instalments=instalments,
        schedule=_schedule_rows(schedule),
        agreed_by=by,
        status=status,
    )
    reason = (
        "within the preparer's authority"
        if within
        else f"the plan's {dollars(total)} is above the preparer's authority"
    )
    PlanStatusChange.objects.create(plan=plan, to_status=status, by=by, reason=reason)
    _edit(
        audit,
        by,
        f"payment plan: {dollars(total)} in {instalments} instalments"
        + (f" after {dollars(down_payment)} down" if down_payment else "")
        + ("" if within else ", waiting for a reviewer (above the preparer's authority)"),
    )
    if within:
        _letter(audit, "payment_plan", by, {"plan": plan})
    return plan


def _schedule_rows(schedule: Iterable[plans.Instalment]) -> list[dict[str, Any]]:
    return [
        {"number": p.number, "due": p.due.isoformat(), "amount": str(p.amount)} for p in schedule
    ]


def _plan_within_authority(audit: Audit, by: User, total: Decimal) -> bool:
    """A plan spreads money owed like an adjustment changes it: the same limits apply, the
    amount and its share of the estimated premium."""
    return by.within_authority(total, Decimal(final_result_of(audit).estimated_premium))


@transaction.atomic
def payment_plan_approve(*, plan: PaymentPlan, by: User, reason: str = "") -> PaymentPlan:
    """A reviewer agrees a plan that was above its preparer's authority: never its preparer,
    and within the reviewer's own authority. The agreement letter goes out then."""
    _check(by, "approve", "approve a payment plan")
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.cancelled_at is not None or plan.status != PlanStatus.AWAITING_REVIEW:
        raise BillingRefused("the payment plan is not waiting for a reviewer")
    if plan.agreed_by_id == by.pk:
        raise NotAllowed("the preparer of a payment plan may not approve it: another reviewer must")
    if not _plan_within_authority(plan.audit, by, Decimal(plan.total)):
        raise NotAllowed(
            f"the plan's {dollars(Decimal(plan.total))} is above your authority: refer it to an "
            "audit manager"
        )
    plan.status = PlanStatus.AGREED
    plan.save(update_fields=["status"])
    PlanStatusChange.objects.create(
        plan=plan,
        from_status=PlanStatus.AWAITING_REVIEW,
        to_status=PlanStatus.AGREED,
        by=by,
        reason=reason.strip() or "approved by a reviewer",
    )
    _edit(plan.audit, by, f"payment plan of {dollars(Decimal(plan.total))} approved")
    _letter(plan.audit, "payment_plan", by, {"plan": plan})
    return plan


def _plan_takes_held_part(audit: Audit, held: Decimal, by: User) -> PaymentPlan | None:
    """An upheld dispute's held part joins the audit's plan when the rules say so: the plan's
    total becomes what billing is asked for in all, spread again over the same payments."""
    plan = active_plan(audit)
    if plan is None or held <= 0:
        return plan
    if rules()["payment_plans"]["held_part_when_upheld"] != "add_to_plan":
        return plan
    config = rules()["payment_plans"]
    total = Decimal(plan.total) + held
    first_due = min(date.fromisoformat(str(row["due"])) for row in plan.schedule)
    schedule = plans.schedule(
        total,
        plan.instalments,
        first_due,
        Decimal(plan.down_payment),
        minimum=int(config["instalments_min"]),
        maximum=int(config["instalments_max"]),
    )
    before = Decimal(plan.total)
    plan.total = total
    plan.schedule = _schedule_rows(schedule)
    plan.save(update_fields=["total", "schedule"])
    PlanStatusChange.objects.create(
        plan=plan,
        from_status=plan.status,
        to_status=plan.status,
        by=by,
        reason=f"dispute upheld: the {dollars(held)} held back is added to the plan "
        f"({dollars(before)} to {dollars(total)})",
    )
    _edit(audit, by, f"payment plan now {dollars(total)}: the held {dollars(held)} is added")
    return plan


def _letter(audit: Audit, kind: str, by: User | None, extra: Mapping[str, Any]) -> None:
    """Send a letter the flow calls for; without an e-mail address on file the history says so
    and staff print it from the audit page."""
    try:
        letter_send(audit=audit, kind=kind, by=by, extra={**dispute_terms(audit), **extra})
    except LetterRefused as e:
        _edit(audit, by, f"letter not sent ({kind.replace('_', ' ')}): {e}")
