"""Each role's queue of work: audits waiting for review, billing instructions not yet delivered,
referrals to underwriting, and an auditor's own open audits. Every queue is read from the audits
the user may see (a vendor firm's auditor sees only the firm's), and each row says in words why
it is there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, Finding, ReferralAnswer, ResultSnapshot, StatusChange
from trueup.audits.selectors import audits_visible_to
from trueup.audits.services import referral_answer as audits_referral_answer
from trueup.audits.workflow import ACTIONS_BY_NAME, CLOSED, Status
from trueup.billing.models import BillingInstruction, OutboxMessage
from trueup.billing.outbox import DELIVERY_TIMEOUT_SECONDS, outbox_delivered
from trueup.billing.selectors import instructions_visible_to
from trueup.core.errors import NotAllowed
from trueup.core.money import figure, usd, usd_cents
from trueup.policies.models import PolicyPeriod
from trueup.premium_reports.models import ReportingPlan
from trueup.reporting.models import ExposureVariance
from trueup.reporting.rules import rules

# Who opens each queue. Review: those who may approve an audit. Billing: billing and the
# department's managers read it (as the API lets them); only billing and administrators record a
# delivery. Mine: whoever does the fieldwork on an audit.
QUEUE_ROLES: dict[str, frozenset[str]] = {
    "review": ACTIONS_BY_NAME["approve"].roles,
    "billing": frozenset({Role.BILLING, Role.MANAGER, Role.ADMIN}),
    "underwriting": frozenset({Role.UNDERWRITER, Role.MANAGER, Role.ADMIN}),
    "mine": ACTIONS_BY_NAME["document"].roles,
}
DELIVERY_ROLES = frozenset({Role.BILLING, Role.ADMIN})
HUNDRED = Decimal(100)


def may_open(user: User, queue: str) -> bool:
    return user.is_active and user.role in QUEUE_ROLES[queue]


def _percent(value: Decimal) -> str:
    """A share in whole percent, as people read it (123%)."""
    return f"{value.quantize(Decimal(1)):,}%"


# The reviewer's queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    audit: Audit
    waiting_since: datetime | None
    adjustment: Decimal | None
    estimated: Decimal | None
    against_authority: str
    within: bool


def review_queue(user: User) -> QuerySet[Audit]:
    """Audits in review, with when each (last) went there and its submitted result's figures;
    the longest waiting first."""
    entered = StatusChange.objects.filter(audit=OuterRef("pk"), to_status=Status.IN_REVIEW)
    latest = ResultSnapshot.objects.filter(audit=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        audits_visible_to(user)
        .filter(status=Status.IN_REVIEW)
        .select_related("period__policy__insured", "prepared_by", "assignee", "vendor")
        .annotate(
            waiting_since=Subquery(entered.order_by("-at", "-id").values("at")[:1]),
            submitted_adjustment=Subquery(latest.values("adjustment")[:1]),
            submitted_estimate=Subquery(latest.values("estimated_premium")[:1]),
        )
        .order_by(F("waiting_since").asc(nulls_first=True), "id")
    )


def adjustment_words(adjustment: Decimal) -> str:
    if adjustment > 0:
        return f"{usd(adjustment)} additional"
    if adjustment < 0:
        return f"{usd(-adjustment)} return"
    return "no change in premium"


def against_authority(user: User, audit: Audit, adjustment: Decimal, estimated: Decimal) -> str:
    """The adjustment against this reviewer's limits, in words: whether they may approve it, and
    which limit stops them if not."""
    said = adjustment_words(adjustment)
    if audit.prepared_by_id == user.pk:
        return f"{said}: you prepared it, so another reviewer approves it"
    size = abs(adjustment)
    if size > user.authority_amount:
        return f"{said}: above your {usd(user.authority_amount)} authority"
    if not user.within_authority(adjustment, estimated):
        if estimated <= 0:
            return f"{said}: above your authority, as nothing was estimated"
        return (
            f"{said}: above your {_percent(user.authority_percent)} authority "
            f"({_percent(size * HUNDRED / estimated)} of the {usd(estimated)} estimate)"
        )
    return f"{said}: within your authority"


def review_rows(user: User, audits: Iterable[Any]) -> list[ReviewRow]:
    """Each audit of ``review_queue`` (with its annotations) as the reviewer reads it."""
    rows = []
    for audit in audits:
        adjustment, estimated = audit.submitted_adjustment, audit.submitted_estimate
        known = adjustment is not None and estimated is not None
        rows.append(
            ReviewRow(
                audit=audit,
                waiting_since=audit.waiting_since,
                adjustment=adjustment,
                estimated=estimated,
                against_authority=(
                    against_authority(user, audit, adjustment, estimated)
                    if known
                    else "no result submitted"
                ),
                within=known
                and audit.prepared_by_id != user.pk
                and user.within_authority(adjustment, estimated),
            )
        )
    return rows


# The billing queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingRow:
    instruction: BillingInstruction
    # The policy period billed: the audit's, or the premium report's.
    period: PolicyPeriod
    # What is billed is exact: always with cents.
    bill_now: str
    attempts: int
    last_tried: datetime | None
    last_error: str
    may_mark: bool


def billing_queue(user: User) -> QuerySet[BillingInstruction]:
    """Instructions billing does not have yet (an audit's result or a premium report's), the
    oldest first."""
    return (
        instructions_visible_to(user)
        .filter(outbox__delivered_at__isnull=True)
        .select_related(
            "outbox", "audit__period__policy__insured", "report__plan__period__policy__insured"
        )
        .order_by("created_at", "id")
    )


def error_words(message: OutboxMessage) -> str:
    """Why the last push failed, as billing staff would say it; the transport's own text
    follows for whoever fixes it."""
    if message.attempts == 0:
        if settings.TRUEUP_BILLING_URL:
            return "not sent yet"
        return "not sent: billing fetches instructions through the API"
    error = message.last_error
    if not error:
        return "no error recorded"
    lowered = error.lower()
    if "timed out" in lowered or "timeout" in lowered:
        said = f"the billing system did not answer within {DELIVERY_TIMEOUT_SECONDS:g} seconds"
    elif "refused" in lowered:
        said = "the billing system refused the connection (it may be down)"
    elif "name or service not known" in lowered or "nodename" in lowered:
        said = "the billing system's address was not found"
    elif "billing answered" in lowered or "http error" in lowered:
        said = "the billing system answered with an error"
    else:
        said = "the billing system could not be reached"
    return f"{said} ({error})"


def _billed_period(instruction: BillingInstruction) -> PolicyPeriod:
    if instruction.audit is not None:
        return instruction.audit.period
    assert instruction.report is not None  # an instruction is of an audit or of a report
    return instruction.report.plan.period


def billing_rows(user: User, instructions: Iterable[BillingInstruction]) -> list[BillingRow]:
    may_mark = user.role in DELIVERY_ROLES
    return [
        BillingRow(
            instruction=i,
            period=_billed_period(i),
            bill_now=usd_cents(Decimal(i.bill_now)),
            attempts=i.outbox.attempts,
            last_tried=i.outbox.last_attempt_at,
            last_error=error_words(i.outbox),
            may_mark=may_mark,
        )
        for i in instructions
    ]


@dataclass(frozen=True)
class Delivery:
    message: OutboxMessage
    # False when it had been marked delivered already (a second press, or two at once).
    marked_now: bool


@transaction.atomic
def instruction_mark_delivered(*, instruction_id: int, by: User) -> Delivery:
    """Billing says it has the instruction. The outbox row is locked first, so of two marks at
    once one records the delivery and the other learns it was done."""
    if not by.is_active or by.role not in DELIVERY_ROLES:
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not mark an instruction delivered"
        )
    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("instruction")
        .get(
            instruction_id=instruction_id,
            instruction__in=instructions_visible_to(by),
        )
    )
    if message.delivered_at is not None:
        return Delivery(message, marked_now=False)
    delivered = outbox_delivered(message=message, to=f"marked delivered by {by.username}")
    return Delivery(delivered, marked_now=True)


# The underwriter's referrals -----------------------------------------------------------------


@dataclass(frozen=True)
class Referral:
    audit: Audit
    reasons: list[str]
    answered: ReferralAnswer | None = None  # the last answer, when something newer re-referred


def variance_band(on: date | None = None) -> tuple[Decimal, Decimal]:
    variance = rules(on)["variance"]
    return Decimal(str(variance["low_percent"])), Decimal(str(variance["high_percent"]))


def _outside(low: Decimal, high: Decimal) -> Q:
    """An audited exposure outside the band, or audited where nothing was estimated."""
    return (
        Q(ratio_percent__lt=low)
        | Q(ratio_percent__gt=high)
        | Q(ratio_percent__isnull=True, audited__gt=0)
    )


def underwriting_queue(user: User) -> QuerySet[Audit]:
    """Audits referred to underwriting: estimated because records were not provided, with a
    finding the auditor flagged for underwriting, or with a state and class whose audited
    exposure is outside the variance band (``reporting.toml``). Newest first."""
    low, high = variance_band()
    flagged = Finding.objects.filter(audit=OuterRef("pk"), for_underwriting=True)
    trend = ExposureVariance.objects.filter(_outside(low, high), audit=OuterRef("pk"))
    # Premium reports whose trend left the band (premium_reports.toml) refer the period's audit.
    reported = ReportingPlan.objects.filter(period=OuterRef("period"), referred_on__isnull=False)
    referred = (
        audits_visible_to(user)
        .exclude(status=Status.REVERSED)
        .filter(Q(status=Status.ESTIMATED) | Exists(flagged) | Exists(trend) | Exists(reported))
    )
    return (
        _unanswered(referred)
        .select_related("period__policy__insured", "assignee", "vendor")
        .order_by("-id")
    )


def _unanswered(referred: QuerySet[Audit]) -> QuerySet[Audit]:
    """The referrals underwriting has not answered, or that something newer referred again: a
    finding flagged after the last answer, or the premium reports' trend after its day."""
    answers = ReferralAnswer.objects.filter(audit=OuterRef("pk")).order_by("-at", "-id")
    referred = referred.annotate(
        answered_at=Subquery(answers.values("at")[:1]),
        answered_on=Subquery(answers.annotate(day=TruncDate("at")).values("day")[:1]),
    )
    newer_finding = Finding.objects.filter(
        audit=OuterRef("pk"), for_underwriting=True, at__gt=OuterRef("answered_at")
    )
    newer_trend = ReportingPlan.objects.filter(
        period=OuterRef("period"), referred_on__gt=OuterRef("answered_on")
    )
    return referred.filter(
        Q(answered_at__isnull=True) | Exists(newer_finding) | Exists(newer_trend)
    )


@transaction.atomic
def referral_answer(*, audit_id: int, by: User, note: str) -> ReferralAnswer:
    """Underwriting's answer to a referral it may see (``audits.services.referral_answer``)."""
    if not may_open(by, "underwriting"):
        raise NotAllowed(f"a user with the {by.get_role_display()} role has no referrals")
    audit = audits_visible_to(by).get(pk=audit_id)
    return audits_referral_answer(audit=audit, by=by, note=note)


def _variance_words(row: ExposureVariance, low: Decimal, high: Decimal) -> str:
    where = f"{row.state} {row.class_code}"
    if row.ratio_percent is None:
        return f"{where}: {figure(row.audited)} audited where nothing was estimated"
    side = "below" if row.ratio_percent < low else "above"
    return (
        f"{where}: audited {figure(row.audited)} against {figure(row.estimated)} estimated, "
        f"{_percent(row.ratio_percent)} of the estimate ({side} the "
        f"{_percent(low)}–{_percent(high)} band)"
    )


def referral_rows(page: Iterable[Audit]) -> list[Referral]:
    audits = list(page)
    ids = [a.pk for a in audits]
    low, high = variance_band()
    findings: dict[int, list[str]] = {}
    for finding in Finding.objects.filter(audit_id__in=ids, for_underwriting=True):
        findings.setdefault(finding.audit_id, []).append(
            f"finding flagged for underwriting ({finding.get_kind_display().lower()}): "
            f"{finding.text}"
        )
    trends: dict[int, list[str]] = {}
    outside = ExposureVariance.objects.filter(_outside(low, high), audit_id__in=ids)
    for row in outside.order_by("state", "class_code", "id"):
        trends.setdefault(row.audit_id, []).append(_variance_words(row, low, high))
    reports: dict[int, list[str]] = {}
    referred = ReportingPlan.objects.filter(
        period_id__in=[a.period_id for a in audits], referred_on__isnull=False
    )
    for plan in referred:
        reports[plan.period_id] = [f"premium reports: {plan.referral_reason}"]
    answered: dict[int, ReferralAnswer] = {}
    for answer in ReferralAnswer.objects.filter(audit_id__in=ids).select_related("by"):
        answered[answer.audit_id] = answer  # in order: the last one stays
    return [
        Referral(
            audit=audit,
            reasons=[
                *(
                    ["estimated: the insured did not provide records"]
                    if audit.status == Status.ESTIMATED
                    else []
                ),
                *findings.get(audit.pk, []),
                *trends.get(audit.pk, []),
                *reports.get(audit.period_id, []),
            ],
            answered=answered.get(audit.pk),
        )
        for audit in audits
    ]


# An auditor's own work -----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkRow:
    audit: Audit
    due: str
    overdue: bool


def my_work(user: User) -> QuerySet[Audit]:
    """The user's open audits: rush first, then by due date (those without one last)."""
    return (
        audits_visible_to(user)
        .filter(assignee=user)
        .exclude(status__in=CLOSED)
        .select_related("period__policy__insured", "vendor")
        .order_by("-rush", F("due_date").asc(nulls_last=True), "id")
    )


def due_words(due_date: date | None, today: date) -> str:
    if due_date is None:
        return "no due date"
    days = (due_date - today).days
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def work_rows(audits: Iterable[Audit], today: date) -> list[WorkRow]:
    return [
        WorkRow(
            audit=audit,
            due=due_words(audit.due_date, today),
            overdue=audit.due_date is not None and audit.due_date < today,
        )
        for audit in audits
    ]
