"""The audits' periodic work as a background task (enqueued by ``trueup run_scheduler``)."""

from __future__ import annotations

from django_tasks import task

from trueup.audits.scheduling import audit_schedule, periods_to_schedule
from trueup.core import clock


@task()
def schedule_audits() -> dict[str, int]:
    """What ``trueup schedule_audits`` does: schedule (or waive) the audit of every ended period.
    Safe to retry: a period that has an audit gets that audit back."""
    counts = {"scheduled": 0, "waived": 0}
    for period in periods_to_schedule(clock.today()):
        audit = audit_schedule(period=period)
        counts["waived" if audit.status == "waived" else "scheduled"] += 1
    return counts
