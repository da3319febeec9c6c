"""The audit's statuses and the moves allowed between them: the one declared transition map."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RECORDS_REQUESTED = "records_requested", "Records requested"
    RECORDS_RECEIVED = "records_received", "Records received"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    COMPLETED = "completed", "Completed"
    WAIVED = "waived", "Waived"
    ESTIMATED = "estimated", "Estimated (non-compliant)"
    REVISED = "revised", "Revised"
    REVERSED = "reversed", "Reversed"


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.RECORDS_REQUESTED, S.IN_PROGRESS, S.WAIVED}),
    S.RECORDS_REQUESTED: frozenset({S.RECORDS_RECEIVED, S.IN_PROGRESS, S.ESTIMATED, S.WAIVED}),
    S.RECORDS_RECEIVED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.IN_REVIEW, S.COMPLETED, S.RECORDS_REQUESTED}),
    S.IN_REVIEW: frozenset({S.COMPLETED, S.IN_PROGRESS}),
    # A waived audit is reopened when the insured asks for an audit (within 60 days).
    S.WAIVED: frozenset({S.SCHEDULED}),
    S.ESTIMATED: frozenset({S.REVISED, S.REVERSED}),
    S.COMPLETED: frozenset({S.REVISED, S.REVERSED}),
    S.REVISED: frozenset(),
    S.REVERSED: frozenset(),
}
FINAL = frozenset({S.COMPLETED, S.ESTIMATED, S.WAIVED})
# Audits with nothing left to do: final, or replaced by a revision, or reversed.
CLOSED = FINAL | {S.REVISED, S.REVERSED}
# The statuses in which the worksheet facts may still change.
FACTS_EDITABLE = frozenset({S.SCHEDULED, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED, S.IN_PROGRESS})


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
