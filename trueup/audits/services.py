"""Every write to an audit goes through these services: keyword-only, atomic, and each status
move checked against the transition map and recorded as a status change."""

from __future__ import annotations

from django.db import transaction

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, ResultSnapshot, StatusChange
from trueup.audits.workflow import Status, allowed
from trueup.audits.worksheet import worksheet_for
from trueup.rating import rate_worksheet, to_jsonable
from trueup.rating.errors import TrueUpError

# Which roles may take each action.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "start": frozenset({Role.AUDITOR, Role.MANAGER, Role.ADMIN}),
    "request_records": frozenset({Role.AUDITOR, Role.MANAGER, Role.ADMIN}),
    "receive_records": frozenset({Role.AUDITOR, Role.MANAGER, Role.ADMIN}),
    "submit": frozenset({Role.AUDITOR, Role.REVIEWER, Role.MANAGER, Role.ADMIN}),
    "approve": frozenset({Role.REVIEWER, Role.MANAGER, Role.ADMIN}),
    "return": frozenset({Role.REVIEWER, Role.MANAGER, Role.ADMIN}),
    "estimate": frozenset({Role.AUDITOR, Role.MANAGER, Role.ADMIN}),
    "waive": frozenset({Role.MANAGER, Role.ADMIN}),
    "revise": frozenset({Role.MANAGER, Role.ADMIN}),
    "reverse": frozenset({Role.MANAGER, Role.ADMIN}),
}


class IllegalTransition(TrueUpError):
    code = "illegal_transition"


class NotAllowed(TrueUpError):
    code = "not_allowed"


def _label(status: str) -> str:
    return str(Status(status).label).lower()


def _check_role(by: User, action: str) -> None:
    if by.role not in ACTION_ROLES[action]:
        verb = action.replace("_", " ")
        raise NotAllowed(f"a user with the {by.get_role_display()} role may not {verb} an audit")


@transaction.atomic
def audit_transition(*, audit: Audit, to: str, by: User | None, reason: str = "") -> Audit:
    """Move ``audit`` to status ``to`` along the transition map, leaving a status-change row."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if not allowed(locked.status, to):
        raise IllegalTransition(
            f"an audit that is {_label(locked.status)} cannot become {_label(to)}"
        )
    StatusChange.objects.create(
        audit=locked, from_status=locked.status, to_status=to, by=by, reason=reason
    )
    locked.status = to
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def audit_rate(*, audit: Audit, by: User | None) -> ResultSnapshot:
    """Rate the audit's facts with the engine and keep the result as a new snapshot."""
    worksheet = worksheet_for(audit)
    result = rate_worksheet(worksheet)
    snapshot = ResultSnapshot.objects.create(
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
    # Read back so money comes out as stored (two places), the same as on every later read.
    snapshot.refresh_from_db()
    return snapshot


def audit_start(*, audit: Audit, by: User) -> Audit:
    _check_role(by, "start")
    return audit_transition(audit=audit, to=Status.IN_PROGRESS, by=by)


def audit_request_records(*, audit: Audit, by: User, reason: str = "") -> Audit:
    _check_role(by, "request_records")
    return audit_transition(audit=audit, to=Status.RECORDS_REQUESTED, by=by, reason=reason)


def audit_receive_records(*, audit: Audit, by: User) -> Audit:
    _check_role(by, "receive_records")
    return audit_transition(audit=audit, to=Status.RECORDS_RECEIVED, by=by)


@transaction.atomic
def audit_submit(*, audit: Audit, by: User) -> Audit:
    """Rate and submit: completed when the adjustment is within the preparer's authority,
    otherwise sent to a reviewer."""
    _check_role(by, "submit")
    if audit.status != Status.IN_PROGRESS:
        raise IllegalTransition(
            f"only an audit in progress can be submitted, not one that is {_label(audit.status)}"
        )
    snapshot = audit_rate(audit=audit, by=by)
    Audit.objects.filter(pk=audit.pk).update(prepared_by=by)
    within = by.within_authority(snapshot.adjustment, snapshot.estimated_premium)
    to = Status.COMPLETED if within else Status.IN_REVIEW
    reason = (
        "within the preparer's authority"
        if within
        else f"adjustment {snapshot.adjustment} is above the preparer's authority"
    )
    return audit_transition(audit=audit, to=to, by=by, reason=reason)


@transaction.atomic
def audit_approve(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """A reviewer completes an audit in review: never its preparer, and within their own
    authority."""
    _check_role(by, "approve")
    audit = Audit.objects.get(pk=audit.pk)
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
    return audit_transition(audit=audit, to=Status.COMPLETED, by=by, reason=reason)


def audit_return(*, audit: Audit, by: User, reason: str) -> Audit:
    _check_role(by, "return")
    if not reason.strip():
        raise NotAllowed("say why the audit is returned to its preparer")
    return audit_transition(audit=audit, to=Status.IN_PROGRESS, by=by, reason=reason)


def audit_waive(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """A waived audit: the estimate stands and the adjustment is zero."""
    _check_role(by, "waive")
    return audit_transition(audit=audit, to=Status.WAIVED, by=by, reason=reason)


@transaction.atomic
def audit_estimate(*, audit: Audit, by: User, reason: str) -> Audit:
    """Records were not provided: an estimated audit with the state's non-compliance charge."""
    _check_role(by, "estimate")
    audit = audit_transition(audit=audit, to=Status.ESTIMATED, by=by, reason=reason)
    audit_rate(audit=audit, by=by)
    return audit


def audit_reverse(*, audit: Audit, by: User, reason: str) -> Audit:
    _check_role(by, "reverse")
    return audit_transition(audit=audit, to=Status.REVERSED, by=by, reason=reason)


@transaction.atomic
def audit_revise(*, audit: Audit, by: User, reason: str) -> Audit:
    """Open a revision: the original becomes revised (its results kept as they were) and a new
    audit, linked to it, starts in progress with a copy of its facts."""
    _check_role(by, "revise")
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
    for related in ("payroll", "owners", "subcontractors", "gl_exposures"):
        for row in getattr(original, related).all():
            row.pk = None
            row.audit = revision
            row.save()
    return revision
