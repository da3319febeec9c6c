"""Rebuild the figures the metrics read: one ``AuditFigures`` row per audit and one
``ExposureVariance`` row per state and class of each pinned result.

The figures are gathered from the system of record in a handful of queries over the whole book
(never one query per audit), then written in one transaction, so a page reading them during a
rebuild sees the last complete set. A scheduled task runs it every quarter hour
(``trueup/core/schedule.toml``); ``trueup refresh_figures`` runs it by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trueup.audits.models import Audit, AuditEdit, ResultSnapshot, StatusChange
from trueup.audits.workflow import FINAL, Status
from trueup.billing.models import Dispute, Outcome, Outreach, OutreachAttempt
from trueup.core import clock
from trueup.core.chunks import chunks
from trueup.core.money import as_decimal
from trueup.reporting.models import (
    AuditFigures,
    ExposureVariance,
    FiguresRun,
    MetricsSnapshot,
    RunStatus,
)
from trueup.reporting.stats import percent_of

BATCH = 5000
# An attempt that reached the insured or agent: the result was explained to them.
EXPLAINED = frozenset({Outcome.REACHED, Outcome.AGREED, Outcome.DISPUTED})
# AuditEdit's summary when the audit was given to someone, or to a firm with nobody named yet
# ("assigned to nobody (Field Audit Co)"), or taken back ("assigned to nobody"), as
# ``audits.services.audit_assign`` writes it.
ASSIGNED = "assigned to "
UNASSIGNED = "assigned to nobody"


@dataclass
class History:
    """What one audit's status changes say: when it closed, and its time in review."""

    closed_at: datetime | None = None
    closed_as: str = ""
    review_entered_at: datetime | None = None
    review_seconds: float = 0.0
    review_open_since: datetime | None = None
    returned: int = 0


def refresh() -> FiguresRun:
    """Rebuild every audit's figures; the run records when, how many and whether it failed."""
    run = FiguresRun.objects.create(started_at=clock.now())
    try:
        with transaction.atomic():
            count = _rebuild(clock.now())
    except Exception as error:
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(error), clock.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status, run.audits, run.finished_at = RunStatus.DONE, count, clock.now()
    run.save(update_fields=["status", "audits", "finished_at"])
    # Older runs' snapshots are of figures no longer shown.
    MetricsSnapshot.objects.exclude(run=run).delete()
    return run


def _rebuild(now: datetime) -> int:
    histories = _histories()
    assigned = _assigned_on()
    outreach = _outreach()
    disputes = _disputes()
    AuditFigures.objects.all().delete()
    ExposureVariance.objects.all().delete()
    count = 0
    for chunk in chunks(_audits(), BATCH):
        rows = [
            _figures(a, histories.get(a["id"]), assigned, outreach, disputes, now) for a in chunk
        ]
        AuditFigures.objects.bulk_create(rows)
        count += len(rows)
    for variances in chunks(_variances(), BATCH):
        ExposureVariance.objects.bulk_create(variances)
    return count


def _audits() -> Iterator[Any]:
    return (
        Audit.objects.order_by("id")
        .values(
            "id",
            "type",
            "method",
            "status",
            "assignee_id",
            "vendor_id",
            "due_date",
            "rush",
            "period__policy__line",
            "period__policy__insured__agency_id",
            "period__expiration",
            "period__cancellation_date",
            "final_result__estimated_premium",
            "final_result__audited_premium",
            "final_result__adjustment",
        )
        .iterator(chunk_size=BATCH)
    )


def _figures(
    a: dict[str, Any],
    history: History | None,
    assigned: dict[int, date],
    outreach: dict[int, tuple[date | None, bool | None, int]],
    disputes: dict[int, int],
    now: datetime,
) -> AuditFigures:
    history = history or History()
    period_end = a["period__cancellation_date"] or a["period__expiration"]
    closed_on = _day(history.closed_at)
    released_on, explained, attempts = outreach.get(a["id"], (None, None, 0))
    review_seconds = history.review_seconds
    if history.review_open_since is not None:  # still waiting: its time so far counts
        review_seconds += (now - history.review_open_since).total_seconds()
    return AuditFigures(
        audit_id=a["id"],
        line=a["period__policy__line"],
        type=a["type"],
        method=a["method"],
        status=a["status"],
        closed_as=history.closed_as,
        assignee_id=a["assignee_id"],
        vendor_id=a["vendor_id"],
        agency_id=a["period__policy__insured__agency_id"],
        period_end=period_end,
        due_date=a["due_date"],
        rush=a["rush"],
        assigned_on=assigned.get(a["id"]),
        closed_on=closed_on,
        cycle_days=(closed_on - period_end).days if closed_on else None,
        estimated_premium=a["final_result__estimated_premium"],
        audited_premium=a["final_result__audited_premium"],
        adjustment=a["final_result__adjustment"],
        review_entered_at=history.review_entered_at,
        review_days=_days(review_seconds) if history.review_entered_at else None,
        returned=history.returned,
        released_on=released_on,
        explained_before_billing=explained,
        attempts=attempts,
        disputes=disputes.get(a["id"], 0),
        revised=a["status"] == Status.REVISED,
        reversed=a["status"] == Status.REVERSED,
        refreshed_at=now,
    )


def _histories() -> dict[int, History]:
    """Each audit's status changes, in order: the first move into a final status closes it;
    each stay in review adds to its time there; each return from review is counted."""
    histories: dict[int, History] = defaultdict(History)
    changes = StatusChange.objects.order_by("audit_id", "at", "id").values_list(
        "audit_id", "from_status", "to_status", "at"
    )
    for audit_id, before, after, at in changes.iterator(chunk_size=BATCH):
        h = histories[audit_id]
        if before == Status.IN_REVIEW and h.review_open_since is not None:
            h.review_seconds += (at - h.review_open_since).total_seconds()
            h.review_open_since = None
            if after == Status.IN_PROGRESS:
                h.returned += 1
        if after == Status.IN_REVIEW:
            h.review_entered_at = h.review_entered_at or at
            h.review_open_since = at
        if after in FINAL and h.closed_at is None:
            h.closed_at, h.closed_as = at, after
        elif after == Status.SCHEDULED and before == Status.WAIVED:
            # Reopened after a waiver: it is open again until it closes once more.
            h.closed_at, h.closed_as = None, ""
    return histories


def _assigned_on() -> dict[int, date]:
    """The day each audit was last given to an auditor or firm (from the assignment's record)."""
    days: dict[int, date] = {}
    edits = AuditEdit.objects.filter(summary__startswith=ASSIGNED).order_by("audit_id", "at", "id")
    for audit_id, summary, at in edits.values_list("audit_id", "summary", "at").iterator(
        chunk_size=BATCH
    ):
        day = _day(at)
        if summary == UNASSIGNED:
            days.pop(audit_id, None)
        elif day is not None:
            days[audit_id] = day
    return days


def _outreach() -> dict[int, tuple[date | None, bool | None, int]]:
    """For each audit whose result went to outreach: the day it was released to billing,
    whether someone explained it before then (None until released), and the attempts made."""
    attempts: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for audit_id, outcome, at in OutreachAttempt.objects.values_list(
        "outreach__audit_id", "outcome", "at"
    ).iterator(chunk_size=BATCH):
        attempts[audit_id].append((outcome, at))
    found: dict[int, tuple[date | None, bool | None, int]] = {}
    for audit_id, released_at in Outreach.objects.values_list("audit_id", "released_at"):
        tried = attempts.get(audit_id, [])
        explained = None
        if released_at is not None:
            explained = any(o in EXPLAINED and at <= released_at for o, at in tried)
        found[audit_id] = (_day(released_at), explained, len(tried))
    return found


def _disputes() -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for audit_id in Dispute.objects.values_list("audit_id", flat=True).iterator(chunk_size=BATCH):
        counts[audit_id] += 1
    return counts


def _variances() -> Iterator[ExposureVariance]:
    """Audited against estimated exposure per state and class of each final result, from the
    result's own adjustment lines (the engine's figures, not recomputed)."""
    pinned = ResultSnapshot.objects.filter(
        audit__status__in=sorted(FINAL - {Status.WAIVED}), audit__final_result_id=F("id")
    )
    lines = pinned.order_by("audit_id").values_list("audit_id", "result__adjustments")
    for audit_id, adjustments in lines.iterator(chunk_size=BATCH):
        for line in adjustments or ():
            if not line.get("is_class"):
                continue
            estimated = as_decimal(line.get("estimated_exposure")) or Decimal(0)
            audited = as_decimal(line.get("audited_exposure")) or Decimal(0)
            yield ExposureVariance(
                audit_id=audit_id,
                state=line.get("state") or "",
                class_code=str(line.get("item") or "")[:6],
                estimated=estimated,
                audited=audited,
                ratio_percent=percent_of(audited, estimated),
            )


def _day(moment: datetime | None) -> date | None:
    """The carrier's day a stored moment fell on."""
    return timezone.localdate(moment) if moment is not None else None


def _days(seconds: float) -> Decimal:
    """Seconds as days with two decimals (time in review is shown in days)."""
    return (Decimal(int(seconds)) / Decimal(86400)).quantize(Decimal("0.01"))
