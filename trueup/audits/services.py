"""Every write to an audit goes through these services: keyword-only, atomic, and each status
move checked against the transition map and recorded as a status change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits.history import history_note
from trueup.audits.models import (
    Audit,
    GLExposureEntry,
    OwnerEntry,
    PayrollEntry,
    RecordsItem,
    ReferralAnswer,
    ResultSnapshot,
    StatusChange,
    SubcontractorEntry,
)
from trueup.audits.scheduling import checklist_for, plan_for
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.workflow import (
    ACTIONS,
    BILLABLE,
    FACTS_EDITABLE,
    Status,
    allowed,
)
from trueup.audits.worksheet import worksheet_for
from trueup.core import clock
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused, WorksheetError
from trueup.rating import RateTable, Worksheet, rate_worksheet, to_jsonable
from trueup.reference.selectors import rates_in_use

# Derived from the workflow's action table, by action name.
ACTION_ROLES: dict[str, frozenset[str]] = {a.name: a.roles for a in ACTIONS}


# The statuses each move is offered from (the transition map and the services still decide).
ACTION_FROM: dict[str, frozenset[str]] = {a.name: a.offered_from for a in ACTIONS if a.is_move}


# Actions that must say why.
REASON_REQUIRED = frozenset(a.name for a in ACTIONS if a.reason_required)


# One line of the worksheet facts: each kind counts its changes in ``version``.
FactLine = PayrollEntry | OwnerEntry | SubcontractorEntry | GLExposureEntry


# The kinds of worksheet fact, by the name the engine's worksheet uses for them.
FACT_MODELS: dict[str, type[FactLine]] = {
    "payroll": PayrollEntry,
    "owners": OwnerEntry,
    "subcontractors": SubcontractorEntry,
    "gl_exposures": GLExposureEntry,
}


FACT_LABELS = {
    "payroll": "payroll line",
    "owners": "officer/owner",
    "subcontractors": "subcontractor",
    "gl_exposures": "GL exposure",
}


class IllegalTransition(Refused):
    code = "illegal_transition"


class InvalidFacts(InvalidInput):
    """Facts that cannot be saved: every problem, each with the field's path."""

    code = "invalid_facts"


class StaleEdit(IllegalTransition):
    """An edit made from a version of the facts that is no longer the current one: nothing was
    written. ``current`` is what the editor needs to redo it against what is there now (and what
    the API's 409 answer carries): ``{"facts_version": n}`` when all the facts of a kind were to
    be replaced, ``{"version": n, "values": {...}}`` for one line, both ``None`` if the line was
    removed."""

    code = "stale_edit"

    def __init__(self, message: str, *, current: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.current = dict(current)

    def details(self) -> dict[str, Any]:
        return {"current": self.current}


def may(user: User, action: str) -> bool:
    """Whether ``user``'s role allows ``action`` (the status is checked when it is taken)."""
    return user.role in ACTION_ROLES[action]


def status_label(status: str) -> str:
    return str(Status(status).label).lower()


def check_role(by: User, action: str) -> None:
    if not may(by, action):
        verb = action.replace("_", " ")
        raise NotAllowed(f"a user with the {by.get_role_display()} role may not {verb} an audit")


@transaction.atomic
def audit_transition(*, audit: Audit, to: str, by: User | None, reason: str = "") -> Audit:
    """Move ``audit`` to status ``to`` along the transition map, leaving a status-change row."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if not allowed(locked.status, to):
        raise IllegalTransition(
            f"an audit that is {status_label(locked.status)} cannot become {status_label(to)}"
        )
    StatusChange.objects.create(
        audit=locked, from_status=locked.status, to_status=to, by=by, reason=reason
    )
    locked.status = to
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def audit_rate(*, audit: Audit, by: User | None) -> ResultSnapshot:
    """Rate the audit's facts with the engine and keep the result as a new snapshot: only while
    the facts can change. A final result is never re-priced (a revision is the way to change
    it), and an audit in review keeps the result its preparer submitted."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    check_facts_open(locked)
    return _rate(locked, by)


def _rate(audit: Audit, by: User | None) -> ResultSnapshot:
    """The rating itself, for the moves that rate as they go (submit, estimate)."""
    snapshot = rated_snapshot(audit, worksheet_for(audit), by=by, rates=rates_in_use())
    snapshot.save()
    # Read back so money comes out as stored (two places), the same as on every later read.
    snapshot.refresh_from_db()
    return snapshot


def rated_snapshot(
    audit: Audit, worksheet: Worksheet, *, by: User | None, rates: RateTable
) -> ResultSnapshot:
    """The snapshot ``audit_rate`` keeps for this worksheet, not yet saved: a book-level batch
    rates many audits and saves their snapshots together. The caller checks that the audit's
    facts are open (``check_facts_open``); a figure too large to keep is refused here."""
    result = rate_worksheet(worksheet, rates=rates)
    _check_storable(result.estimated_premium, result.audited_premium, result.adjustment)
    return ResultSnapshot(
        audit=audit,
        created_by=by,
        engine_version=result.engine_version,
        rulebook_version=result.rulebook_version,
        rates_version=result.rates_version,
        worksheet=to_jsonable(worksheet),
        result=to_jsonable(result),
        estimated_premium=result.estimated_premium,
        audited_premium=result.audited_premium,
        adjustment=result.adjustment,
        outcome=result.outcome,
    )


# The snapshot's money columns hold 14 digits, 2 of them cents.
STORABLE = Decimal(10) ** 12


def _check_storable(*figures: Decimal) -> None:
    """Facts each within their limits can still multiply into a premium too large to keep: say
    so, as a problem with the worksheet, rather than fail in the database."""
    if any(abs(figure) >= STORABLE for figure in figures):
        raise WorksheetError(
            [
                Problem(
                    "$",
                    "the premium this worksheet rates to is too large to keep (more than "
                    f"{STORABLE - Decimal('0.01'):,} dollars): check the amounts and factors",
                )
            ]
        )


def audit_start(*, audit: Audit, by: User) -> Audit:
    check_role(by, "start")
    return audit_transition(audit=audit, to=Status.IN_PROGRESS, by=by)


@transaction.atomic
def audit_request_records(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """Ask the insured for records: the move, and the records checklist for this audit."""
    check_role(by, "request_records")
    moved = audit_transition(audit=audit, to=Status.RECORDS_REQUESTED, by=by, reason=reason)
    records_checklist_create(audit=moved, by=by)
    return moved


def audit_receive_records(*, audit: Audit, by: User) -> Audit:
    check_role(by, "receive_records")
    return audit_transition(audit=audit, to=Status.RECORDS_RECEIVED, by=by)


@transaction.atomic
def audit_submit(*, audit: Audit, by: User) -> Audit:
    """Rate and submit: completed when the adjustment is within the preparer's authority,
    otherwise sent to a reviewer."""
    check_role(by, "submit")
    # Locked and read afresh: a second submit from an old page must see the first one's move.
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status != Status.IN_PROGRESS:
        raise IllegalTransition(
            "only an audit in progress can be submitted, not one that is "
            f"{status_label(audit.status)}"
        )
    snapshot = _rate(audit, by)
    Audit.objects.filter(pk=audit.pk).update(prepared_by=by)
    within = by.within_authority(snapshot.adjustment, snapshot.estimated_premium)
    to = Status.COMPLETED if within else Status.IN_REVIEW
    reason = (
        "within the preparer's authority"
        if within
        else f"adjustment {snapshot.adjustment} is above the preparer's authority"
    )
    moved = audit_transition(audit=audit, to=to, by=by, reason=reason)
    if moved.status == Status.COMPLETED:
        _after_final(moved, snapshot, by)
    return moved


@transaction.atomic
def audit_approve(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """A reviewer completes an audit in review: never its preparer, and within their own
    authority."""
    check_role(by, "approve")
    # Locked: two reviewers approving at once must not both pass the checks below.
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.prepared_by_id == by.pk:
        raise NotAllowed("the preparer of an audit may not approve it: another reviewer must")
    snapshot = audit.latest_result
    if snapshot is None:
        raise IllegalTransition("the audit has no result to approve: submit it first")
    if not by.within_authority(snapshot.adjustment, snapshot.estimated_premium):
        raise NotAllowed(
            f"the adjustment {snapshot.adjustment} is above your authority: refer it to an audit "
            "manager"
        )
    moved = audit_transition(audit=audit, to=Status.COMPLETED, by=by, reason=reason)
    _after_final(moved, snapshot, by)
    return moved


def _after_final(audit: Audit, snapshot: ResultSnapshot, by: User) -> None:
    """Pin the result that became final: what billing, letters and the portal use from now on
    (``trueup.flows.results`` then opens the outreach window before billing)."""
    audit.final_result = snapshot
    audit.save(update_fields=["final_result"])


def audit_return(*, audit: Audit, by: User, reason: str) -> Audit:
    check_role(by, "return")
    if not reason.strip():
        raise NotAllowed("say why the audit is returned to its preparer")
    return audit_transition(audit=audit, to=Status.IN_PROGRESS, by=by, reason=reason)


def audit_waive(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """A waived audit: the estimate stands and the adjustment is zero."""
    check_role(by, "waive")
    return audit_transition(audit=audit, to=Status.WAIVED, by=by, reason=reason)


@transaction.atomic
def audit_estimate(*, audit: Audit, by: User, reason: str) -> Audit:
    """Records were not provided: an estimated audit with the state's non-compliance charge."""
    check_role(by, "estimate")
    audit = audit_transition(audit=audit, to=Status.ESTIMATED, by=by, reason=reason)
    audit.refer_to_underwriting = True
    audit.save(update_fields=["refer_to_underwriting"])
    snapshot = _rate(audit, by)
    _after_final(audit, snapshot, by)
    return audit


@transaction.atomic
def referral_answer(*, audit: Audit, by: User, note: str) -> ReferralAnswer:
    """Underwriting says what it did about the audit's referral; the audit leaves the referral
    queue until something newer refers it. Allowed at any status: the answer changes neither the
    audit's facts nor its result."""
    check_role(by, "answer_referral")
    if not note.strip():
        raise InvalidInput([Problem("note", "say what underwriting did about the referral")])
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    return ReferralAnswer.objects.create(audit=locked, note=note.strip(), by=by)


@transaction.atomic
def audit_reopen(*, audit: Audit, by: User, reason: str, requested_on: date | None = None) -> Audit:
    """The insured asked for an audit of a waived period: allowed within the waiver's request
    window (``schedule.toml``), counted from the day the audit was waived."""
    check_role(by, "reopen")
    requested_on = requested_on or clock.today()
    waived = audit.status_changes.filter(to_status=Status.WAIVED).order_by("-at", "-id").first()
    window = int(scheduling_rules()["waiver"]["request_window_days"])
    if waived is not None:
        last_day = timezone.localdate(waived.at) + timedelta(days=window)
        if requested_on > last_day:
            raise NotAllowed(
                f"the insured could ask for an audit until {last_day} ({window} days after the "
                "waiver); the estimate stands"
            )
    plan = plan_for(audit.period)
    pattern_due = plan.due_date - plan.start_date
    reopened = audit_transition(audit=audit, to=Status.SCHEDULED, by=by, reason=reason)
    reopened.type = plan.type
    reopened.method = plan.method
    reopened.start_date = requested_on
    reopened.due_date = requested_on + pattern_due
    reopened.save(update_fields=["type", "method", "start_date", "due_date"])
    return reopened


@transaction.atomic
def audit_reverse(*, audit: Audit, by: User, reason: str) -> Audit:
    """Reverse a final audit (``trueup.flows.results`` hands back to billing what was billed)."""
    check_role(by, "reverse")
    return audit_transition(audit=audit, to=Status.REVERSED, by=by, reason=reason)


@transaction.atomic
def audit_revise(*, audit: Audit, by: User, reason: str) -> Audit:
    """Open a revision: the original becomes revised (its results kept as they were) and a new
    audit, linked to it, starts in progress with a copy of its facts."""
    check_role(by, "revise")
    original = audit_transition(audit=audit, to=Status.REVISED, by=by, reason=reason)
    revision = Audit.objects.create(
        period=original.period,
        type=original.type,
        method=original.method,
        status=Status.IN_PROGRESS,
        assignee=original.assignee,
        revision_of=original,
        non_compliance_multiplier=original.non_compliance_multiplier,
        audit_costs=original.audit_costs,
    )
    StatusChange.objects.create(
        audit=revision,
        from_status=Status.IN_PROGRESS,
        to_status=Status.IN_PROGRESS,
        by=by,
        reason=f"revision of audit {original.pk}: {reason}",
    )
    copied = 0
    for related in FACT_MODELS:
        for row in getattr(original, related).all():
            row.pk = None
            row.audit = revision
            row.version = 1  # a new line of the revision, not yet changed on it
            row.save()
            copied += 1
    if copied:
        facts_changed(revision)
    return revision


def note_edit(audit: Audit, by: User | None, summary: str) -> None:
    history_note(audit=audit, by=by, summary=summary)


class AuditClosed(IllegalTransition):
    """The audit's facts and rating are read only in its status; the message names the way
    forward (a revision, a reopening, a return by the reviewer)."""

    code = "audit_closed"


def _way_forward(audit: Audit) -> str:
    if audit.status in BILLABLE:
        return "its result is final; to change it, an audit manager opens a revision"
    if audit.status == Status.WAIVED:
        return "the estimate stands; if the insured asks for an audit, reopen it"
    if audit.status == Status.IN_REVIEW:
        return "a reviewer must first return it to its preparer"
    if audit.status == Status.REVISED:
        return "a revision replaced it; change the revision instead"
    return "it was reversed and nothing more changes on it"


def facts_changed(audit: Audit) -> None:
    """Count one more change to the audit's facts. The caller holds the audit's row lock (or
    has just created it), so the count read is the current one."""
    audit.facts_version += 1
    audit.save(update_fields=["facts_version"])


def check_facts_open(audit: Audit) -> None:
    """Refuse (409) any change to the facts, the rating, the tax filings or the employee classes
    of an audit whose facts are no longer open, naming the way forward."""
    if audit.status not in FACTS_EDITABLE:
        raise AuditClosed(
            f"the audit is {status_label(audit.status)} and its facts cannot change: "
            + _way_forward(audit)
        )


@transaction.atomic
def audit_assign(
    *, audit: Audit, by: User, assignee: User | None, vendor: VendorFirm | None = None
) -> Audit:
    """Assign the audit to an auditor, a vendor firm, or an auditor of a vendor firm."""
    check_role(by, "assign")
    if assignee is not None and assignee.role not in (Role.AUDITOR, Role.MANAGER):
        raise NotAllowed(f"{assignee.username} is not an auditor")
    if assignee is not None and assignee.vendor_id is not None:
        if vendor is not None and vendor.pk != assignee.vendor_id:
            raise NotAllowed(f"{assignee.username} works for another vendor firm")
        vendor = assignee.vendor
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    audit.assignee = assignee
    audit.vendor = vendor
    audit.save(update_fields=["assignee", "vendor"])
    who = assignee.username if assignee else "nobody"
    note_edit(audit, by, f"assigned to {who}" + (f" ({vendor.name})" if vendor else ""))
    return audit


@transaction.atomic
def records_checklist_create(*, audit: Audit, by: User | None) -> list[RecordsItem]:
    """The records checklist by the rules in ``schedule.toml``; items already there stay as they
    are, so asking again is safe."""
    have = set(audit.records.values_list("kind", flat=True))
    new = [
        RecordsItem(audit=audit, kind=kind, why=why, updated_by=by)
        for kind, why in checklist_for(audit)
        if kind not in have
    ]
    RecordsItem.objects.bulk_create(new)
    return list(audit.records.all())


def check_action(*, action: str, reason: str) -> None:
    """The action exists, and has its reason where one is required."""
    if action not in ACTION_ROLES or action not in ACTION_FROM:
        raise NotAllowed(f"{action!r} is not an audit action")
    if action in REASON_REQUIRED and not reason.strip():
        raise NotAllowed(f"say why: a reason is required to {action.replace('_', ' ')}")


def audit_act(*, audit: Audit, by: User, action: str, reason: str = "") -> Audit:
    """Take a named action (the API's and the workbench's buttons). ``revise`` answers with the
    new revision."""
    check_action(action=action, reason=reason)
    simple = {
        "start": audit_start,
        "receive_records": audit_receive_records,
        "submit": audit_submit,
    }
    if action in simple:
        return simple[action](audit=audit, by=by)
    with_reason = {
        "request_records": audit_request_records,
        "approve": audit_approve,
        "return": audit_return,
        "waive": audit_waive,
        "estimate": audit_estimate,
        "revise": audit_revise,
        "reverse": audit_reverse,
        "reopen": audit_reopen,
    }
    return with_reason[action](audit=audit, by=by, reason=reason)


def actions_for(user: User, audit: Audit) -> list[str]:
    """The actions this user may take on this audit in its status now."""
    return [
        action
        for action, statuses in ACTION_FROM.items()
        if audit.status in statuses
        and may(user, action)
        and not (action == "approve" and audit.prepared_by_id == user.pk)
    ]
