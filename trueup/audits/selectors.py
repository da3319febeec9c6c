"""Reads of audits: who may see which, and the worklist's queries."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit, ResultSnapshot, StatusChange
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.workflow import CLOSED, FACTS_EDITABLE, Status
from trueup.audits.worksheet import worksheet_for
from trueup.core.written import records_written, related_written
from trueup.policies.models import EstimatedExposure
from trueup.rating import Result, rate_worksheet, to_jsonable
from trueup.rating.errors import Problem, WorksheetError
from trueup.rating.rates import ClassRate
from trueup.rating.rulebook import default_rulebook
from trueup.reference.selectors import rates_in_use


def audits_visible_to(user: User) -> QuerySet[Audit]:
    """Every audit for the department's own staff; only its firm's audits for a vendor's
    auditor; nothing for an inactive account, nor for a portal user (policyholders and agents
    see their own audits through ``trueup.portal.access``)."""
    audits = Audit.objects.all()
    if not user.is_active or user.is_portal_user:
        return audits.none()
    if user.vendor_id is not None:
        return audits.filter(vendor_id=user.vendor_id)
    return audits


def with_latest_result(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Fetch each audit's latest result summary with the page, not one query per audit."""
    latest = ResultSnapshot.objects.filter(audit=OuterRef("audit_id")).order_by(
        "-created_at", "-id"
    )
    summaries = ResultSnapshot.objects.filter(pk=Subquery(latest.values("pk")[:1])).defer(
        "worksheet", "result"
    )
    return audits.prefetch_related(Prefetch("results", summaries, to_attr="latest_results"))


def latest_result(audit: Audit) -> ResultSnapshot | None:
    """The prefetched latest result where the query fetched it, else read it now."""
    prefetched: list[ResultSnapshot] | None = getattr(audit, "latest_results", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    # The summary only: the worksheet and the trace are large and not needed here. Asked on
    # every API read of an audit: written once.
    summary = ("worksheet", "result")
    latest = records_written(("latest result", summary), partial(_latest, summary), audit.pk)
    return latest[0] if latest else None


def audits_filtered(user: User, filters: Mapping[str, Any], today: date) -> QuerySet[Audit]:
    """The audits this user may see, narrowed by the worklist's (and the API's) filters."""
    audits = audits_visible_to(user)
    if filters.get("q"):
        q = filters["q"].strip()
        audits = audits.filter(
            Q(period__policy__number__icontains=q) | Q(period__policy__insured__name__icontains=q)
        )
    for name in ("type", "method"):
        if filters.get(name):
            audits = audits.filter(**{name: filters[name]})
    if filters.get("state"):
        # A period's states are JSON; the estimated exposures say the same, and can be indexed.
        audits = audits.filter(
            Exists(
                EstimatedExposure.objects.filter(
                    period_id=OuterRef("period_id"), state=filters["state"]
                )
            )
        )
    assignee = (filters.get("assignee") or "").strip()
    if assignee == "me":
        audits = audits.filter(assignee=user)
    elif assignee == "none":
        audits = audits.filter(assignee__isnull=True)
    elif assignee:
        audits = audits.filter(assignee__username=assignee)
    if filters.get("due_from"):
        audits = audits.filter(due_date__gte=filters["due_from"])
    if filters.get("due_to"):
        audits = audits.filter(due_date__lte=filters["due_to"])
    if filters.get("overdue"):
        audits = audits.filter(due_date__lt=today).exclude(status__in=CLOSED)
    if filters.get("rush"):
        audits = audits.filter(rush=True)
    return audits


def records_requested_on(audit: Audit) -> date | None:
    """The day the records were last asked for (reply-by dates and reminders count from it)."""
    asked = (
        audit.status_changes.filter(to_status=Status.RECORDS_REQUESTED)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return None if asked is None else timezone.localdate(asked)


def respond_by(audit: Audit | None) -> date | None:
    """The day the insured is asked to answer the records request by."""
    asked = None if audit is None else records_requested_on(audit)
    if asked is None:
        return None
    return asked + timedelta(days=int(scheduling_rules()["records_reply"]["respond_within_days"]))


def class_name(audit: Audit, state: str, class_code: str) -> str:
    """A class's description from the rate table in use, for words the insured understands."""
    row = rates_in_use().lookup(state, audit.period.policy.line, class_code, audit.period.effective)
    return row.description if row is not None else ""


def state_choices(audit: Audit) -> list[tuple[str, str]]:
    """The policy's states, each with its name: what a worksheet line's state may be."""
    jurisdictions = default_rulebook().jurisdictions
    return [
        (state, f"{state} ({jurisdictions[state].name})" if state in jurisdictions else state)
        for state in audit.period.states
    ]


def classes_in_use(audit: Audit) -> dict[str, list[ClassRate]]:
    """For each of the policy's states, the classes the rate table in use rates on the policy's
    effective date, by code: what the worksheet's class lookups offer."""
    period = audit.period
    rates = rates_in_use()
    return {
        state: sorted(
            rates.classes(state, period.policy.line, period.effective),
            key=lambda rate: rate.class_code,
        )
        for state in period.states
    }


def audit_rated_now(audit: Audit) -> Result:
    """The engine's rating of the audit's facts as they are, with the rate table in use."""
    return rate_worksheet(worksheet_for(audit), rates=rates_in_use())


def status_counts(audits: QuerySet[Audit], scope: Mapping[str, Any]) -> dict[str, int]:
    """Audits by status for a user's filters. Counting a large book costs tens of milliseconds,
    so the counts are cached under a key that changes with every status change and every edit
    (assignments included). Rows written around the services (bulk loads) show within a minute."""
    changed = _last_changes()
    digest = hashlib.sha256(repr((sorted(scope.items()), changed)).encode()).hexdigest()
    key = f"worklist-counts:{digest}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = dict(
            audits.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        cache.set(key, counts, 60)
    return counts


def _last_changes() -> tuple[int | None, int | None]:
    """The latest status change's id and the latest edit's, in one plain query (two ORM
    aggregates cost the worklist about a millisecond to write)."""
    quote = connection.ops.quote_name
    latest = (
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"
        for model in (StatusChange, AuditEdit)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(latest))
        last_change, last_edit = cursor.fetchone()
    return last_change, last_edit


class WorklistRow(NamedTuple):
    id: int
    policy: str
    insured: str
    effective: date
    expiration: date
    type: str
    method: str
    status: str
    rush: bool
    assignee: str | None
    vendor: str | None
    due_date: date | None
    adjustment: Decimal | None


def worklist_rows(audits: QuerySet[Audit]) -> QuerySet[Audit, WorklistRow]:
    """The worklist's columns as plain tuples, the latest adjustment included, in one query."""
    latest = ResultSnapshot.objects.filter(audit=OuterRef("pk")).order_by("-created_at", "-id")
    return audits.annotate(adjustment=Subquery(latest.values("adjustment")[:1])).values_list(
        "id",
        "period__policy__number",
        "period__policy__insured__name",
        "period__effective",
        "period__expiration",
        "type",
        "method",
        "status",
        "rush",
        "assignee__username",
        "vendor__code",
        "due_date",
        "adjustment",
        named=False,
    )  # type: ignore[return-value]


def working_result(
    audit: Audit, has_facts: bool
) -> tuple[dict[str, Any] | None, list[Problem], bool]:
    """(result, problems, live): while the facts may change, the engine rates them now so the
    auditor sees the effect of each edit; afterwards, the final result (or, in review, the
    result submitted)."""
    if audit.status in FACTS_EDITABLE and has_facts:
        result, problems, live, _ = working_rating(audit, has_facts)
        return result, problems, live
    snapshot = shown_snapshot(audit, defer=("worksheet",))
    return (snapshot.result if snapshot else None), [], False


class Working(NamedTuple):
    """``working_result`` with the worksheet it rated, as JSON (None where nothing was rated)."""

    result: dict[str, Any] | None
    problems: list[Problem]
    live: bool
    worksheet: dict[str, Any] | None


def working_rating(audit: Audit, has_facts: bool) -> Working:
    """What ``working_result`` gives, and the worksheet rated, for a page that shows both (the
    result and the flags read from its worksheet): a stored result is read once, not twice."""
    if audit.status in FACTS_EDITABLE and has_facts:
        sheet = worksheet_for(audit)
        try:
            rated = to_jsonable(rate_worksheet(sheet, rates=rates_in_use()))
        except WorksheetError as error:
            return Working(None, list(error.problems), True, None)
        return Working(rated, [], True, to_jsonable(sheet))
    snapshot = shown_snapshot(audit)
    if snapshot is None:
        return Working(None, [], False, None)
    return Working(snapshot.result, [], False, snapshot.worksheet)


def shown_snapshot(audit: Audit, defer: tuple[str, ...] = ()) -> ResultSnapshot | None:
    """The stored result shown once the facts are closed: the pinned one, else the latest (the
    one submitted for review). ``defer`` leaves out the columns the caller does not read."""
    if audit.final_result_id is not None and not defer:
        # Kept on the audit, so the page's other sections (billing's) read it from there.
        snapshot: ResultSnapshot = related_written(audit, "final_result")
        return snapshot
    if audit.final_result_id is not None:
        return audit.results.defer(*defer).filter(pk=audit.final_result_id).first()
    # Asked on every audit page and API read of an audit in review: written once.
    latest = records_written(("latest result", defer), partial(_latest, defer), audit.pk)
    return latest[0] if latest else None


def _latest(defer: tuple[str, ...], audit: int) -> QuerySet[ResultSnapshot]:
    return (
        ResultSnapshot.objects.filter(audit=audit).defer(*defer).order_by("-created_at", "-id")[:1]
    )


def has_facts(audit: Audit) -> bool:
    """Whether anything is audited yet: a payroll line, an owner, a subcontractor, a GL exposure."""
    return any(
        rows.exists()
        for rows in (audit.payroll, audit.owners, audit.subcontractors, audit.gl_exposures)
    )
