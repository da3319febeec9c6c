"""Scheduling audits for ended policy periods, by the rules in ``schedule.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, AuditType, InterimReason, Method, StatusChange
from trueup.audits.workflow import Status
from trueup.core import clock, ruledata
from trueup.core.errors import InvalidInput, NotAllowed, Problem
from trueup.core.money import usd
from trueup.policies.models import PolicyPeriod
from trueup.rating.errors import RuleBookError
from trueup.reference.models import SchedulePattern

SCHEDULE_FILE = Path(__file__).with_name("schedule.toml")


@dataclass(frozen=True)
class Plan:
    """What the rules decide for one period, and why."""

    type: str
    method: str
    start_date: date
    due_date: date
    rush: bool
    waived: bool
    reasons: tuple[str, ...]


def rules(on: date | None = None) -> dict[str, Any]:
    """The scheduling rules in force on the day (today by default)."""
    return ruledata.load(SCHEDULE_FILE).on(on or clock.today())


def estimated_premium(period: PolicyPeriod) -> Decimal:
    """The premium size the rules look at: the billed premium, else the deposit."""
    return period.billed_premium or period.deposit_premium or Decimal(0)


def plan_for(period: PolicyPeriod) -> Plan:
    data = rules()
    ended = period.cancellation_date or period.expiration
    audit_type = AuditType.CANCELLATION if period.cancellation_date else AuditType.FINAL
    pattern = SchedulePattern.objects.filter(audit_type=audit_type).first()
    if pattern is None:
        raise RuleBookError(
            f"no schedule pattern for {audit_type} audits: add one in the admin (reference data)"
        )
    start = ended + timedelta(days=pattern.start_after_days)
    due = min(
        start + timedelta(days=pattern.due_after_days),
        ended + timedelta(days=pattern.latest_due_after_days),
    )
    reasons = [f"{audit_type} audit: {pattern.source}"]

    premium = estimated_premium(period)
    classes = set(period.estimates.values_list("class_code", flat=True))
    method_rule = next(r for r in data["methods"] if _matches(r, period, premium, classes))
    reasons.append(f"{method_rule['method']} audit: {method_rule['source']}")

    waiver = data["waiver"]
    waived = (
        audit_type == AuditType.FINAL
        and period.policy.line in waiver["lines"]
        and premium < Decimal(str(waiver["premium_below"]))
        and not set(period.states) & set(waiver["never_in_states"])
    )
    if waived:
        threshold = Decimal(str(waiver["premium_below"]))
        reasons.append(
            f"waived: estimated premium {usd(premium)} is below {usd(threshold)} "
            f"({waiver['source']})"
        )
    return Plan(audit_type, method_rule["method"], start, due, pattern.rush, waived, tuple(reasons))


def checklist_for(audit: Audit) -> list[tuple[str, str]]:
    """The records to ask for on this audit: (kind, why) for every matching checklist rule."""
    period = audit.period
    premium = estimated_premium(period)
    classes = set(period.estimates.values_list("class_code", flat=True))
    return [
        (rule["kind"], rule["source"])
        for rule in rules()["records"]
        if _matches(rule, period, premium, classes, audit.method)
    ]


def record_reason(kind: str, language: str, default: str) -> str:
    """Why a record is asked for, in the language of the letter that asks for it: the
    checklist rule's ``source_<language>`` where it has one, else ``default``."""
    for rule in rules()["records"]:
        if rule["kind"] == kind and f"source_{language}" in rule:
            return str(rule[f"source_{language}"])
    return default


def _matches(
    rule: dict[str, Any],
    period: PolicyPeriod,
    premium: Decimal,
    classes: set[str],
    method: str | None = None,
) -> bool:
    if "methods_any" in rule and method not in rule["methods_any"]:
        return False
    if (
        "entity_types_any" in rule
        and period.policy.insured.entity_type not in rule["entity_types_any"]
    ):
        return False
    if "line" in rule and period.policy.line != rule["line"]:
        return False
    if "states_any" in rule and not set(period.states) & set(rule["states_any"]):
        return False
    if "classes_any" in rule and not classes & set(rule["classes_any"]):
        return False
    if "premium_at_least" in rule and premium < Decimal(str(rule["premium_at_least"])):
        return False
    if rule.get("construction"):
        span = rules()["construction"]
        if not any(span["class_from"] <= c <= span["class_to"] for c in classes):
            return False
    return True


@transaction.atomic
def audit_schedule(*, period: PolicyPeriod, by: User | None = None) -> Audit:
    """Schedule the audit of an ended period, or waive it where the rules allow. Idempotent: a
    period that already has an audit gets that audit back."""
    existing = period.audits.order_by("id").first()
    if existing is not None:
        return existing
    plan = plan_for(period)
    audit = Audit.objects.create(
        period=period,
        type=AuditType.WAIVED if plan.waived else plan.type,
        method=Method(plan.method),
        status=Status.WAIVED if plan.waived else Status.SCHEDULED,
        start_date=plan.start_date,
        due_date=plan.due_date,
        rush=plan.rush,
    )
    StatusChange.objects.create(
        audit=audit,
        from_status=Status.SCHEDULED,
        to_status=audit.status,
        by=by,
        reason="; ".join(plan.reasons),
    )
    return audit


def periods_to_schedule(today: date) -> list[PolicyPeriod]:
    """Periods that have ended (expired or cancelled) and have no audit yet."""
    ended = Q(cancellation_date__lte=today) | Q(
        cancellation_date__isnull=True, expiration__lte=today
    )
    return list(
        PolicyPeriod.objects.filter(ended, audits__isnull=True)
        .select_related("policy")
        .order_by("id")
    )


# Who asks for an interim audit: the underwriter, or an audit manager or administrator.
INTERIM_REQUESTERS = frozenset({Role.UNDERWRITER, Role.MANAGER, Role.ADMIN})


def may_request_interim(user: User) -> bool:
    return user.is_active and user.role in INTERIM_REQUESTERS


def _pattern(audit_type: str) -> SchedulePattern:
    pattern = SchedulePattern.objects.filter(audit_type=audit_type).first()
    if pattern is None:
        raise RuleBookError(
            f"no schedule pattern for {audit_type} audits: add one in the admin (reference data)"
        )
    return pattern


def interim_covers_from(period: PolicyPeriod) -> date:
    """An interim audit starts where the last one ended, or on the term's first day."""
    last = (
        period.audits.filter(type=AuditType.INTERIM, covers_to__isnull=False)
        .order_by("-covers_to")
        .values_list("covers_to", flat=True)
        .first()
    )
    return last + timedelta(days=1) if last else period.effective


@transaction.atomic
def interim_audit_request(*, period: PolicyPeriod, covers_to: date, reason: str, by: User) -> Audit:
    """Schedule an interim audit of the term from its first day (or the day after the last
    interim audit) to ``covers_to``, due by the interim pattern counted from that day."""
    if not may_request_interim(by):
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not ask for an interim audit: "
            "the underwriter or an audit manager does"
        )
    locked = PolicyPeriod.objects.select_for_update().get(pk=period.pk)
    covers_from = interim_covers_from(locked)
    _check_interim(locked, covers_from, covers_to, reason)
    pattern = _pattern(AuditType.INTERIM)
    start = covers_to + timedelta(days=pattern.start_after_days)
    due = min(
        start + timedelta(days=pattern.due_after_days),
        covers_to + timedelta(days=pattern.latest_due_after_days),
    )
    audit = Audit.objects.create(
        period=locked,
        type=AuditType.INTERIM,
        method=Method(plan_for_method(locked)),
        start_date=start,
        due_date=due,
        rush=pattern.rush,
        covers_from=covers_from,
        covers_to=covers_to,
        interim_reason=reason,
    )
    words = InterimReason(reason).label
    StatusChange.objects.create(
        audit=audit,
        from_status=Status.SCHEDULED,
        to_status=Status.SCHEDULED,
        by=by,
        reason=f"interim audit of {covers_from.isoformat()} to {covers_to.isoformat()} "
        f"({words.lower()}); {pattern.source}",
    )
    return audit


def plan_for_method(period: PolicyPeriod) -> str:
    """The method the scheduling rules choose for the period, as for its final audit."""
    premium = estimated_premium(period)
    classes = set(period.estimates.values_list("class_code", flat=True))
    return str(
        next(r for r in rules()["methods"] if _matches(r, period, premium, classes))["method"]
    )


def _check_interim(period: PolicyPeriod, covers_from: date, covers_to: date, reason: str) -> None:
    ends = period.cancellation_date or period.expiration
    problems = []
    if reason not in InterimReason.values:
        choices = ", ".join(str(label).lower() for label in InterimReason.labels)
        problems.append(Problem("reason", f"choose why the audit is asked for: {choices}"))
    if covers_from >= ends:
        problems.append(
            Problem("covers_to", "the term has no time left for an interim audit to cover")
        )
    elif not covers_from <= covers_to < ends:
        last = ends - timedelta(days=1)
        problems.append(
            Problem(
                "covers_to",
                f"an interim audit covers part of the term from {covers_from.isoformat()}: "
                f"choose a last day from {covers_from.isoformat()} to {last.isoformat()} "
                "(earlier days are covered by an earlier interim audit, the term's end by "
                "its final audit)"
                if covers_from > period.effective
                else f"an interim audit covers part of the term: choose a last day from "
                f"{covers_from.isoformat()} to {last.isoformat()}",
            )
        )
    if problems:
        raise InvalidInput(problems)
