"""Reads of audits: who may see which, and the worklist's queries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from trueup.accounts.models import User
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.workflow import FINAL, Status
from trueup.audits.worksheet import worksheet_for
from trueup.policies.models import EstimatedExposure
from trueup.rating import Result, rate_worksheet
from trueup.reference.selectors import rates_in_use

# Audits with nothing left to do: final, or replaced by a revision or reversed.
CLOSED = FINAL | {Status.REVISED, Status.REVERSED}


def audits_visible_to(user: User) -> QuerySet[Audit]:
    """Every audit for the department's own staff; only its firm's audits for a vendor's
    auditor; nothing for an inactive account."""
    audits = Audit.objects.all()
    if not user.is_active:
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
    return audit.latest_result


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


_CLOSED = frozenset({Status.REVISED, Status.REVERSED})


def audit_rated_now(audit: Audit) -> Result:
    """The engine's rating of the audit's facts as they are, with the rate table in use."""
    return rate_worksheet(worksheet_for(audit), rates=rates_in_use())
