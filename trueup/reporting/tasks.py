"""The reporting app's background work: the metrics' periodic rebuild and the unit statistical
reports' batch (both enqueued by ``trueup run_scheduler``; the batch also from its page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task

from trueup.core import clock
from trueup.core.tasks import enqueue_on_commit
from trueup.reporting import figures, metrics
from trueup.reporting.statistical import batch, rules


@task()
def refresh_figures() -> dict[str, int]:
    """Rebuild the figures, then compute the dashboard's opening view from them, so the first
    manager to open it is answered from the snapshot. Safe to retry: a rebuild replaces the
    figures whole."""
    run = figures.refresh()
    metrics.dashboard(metrics.default_filters(clock.today()), clock.today())
    return {"run": run.pk, "audits": run.audits}


@task()
def generate_stat_reports(
    due_from: str = "", due_to: str = "", part: int = 0, parts: int = 0
) -> dict[str, Any]:
    """Generate the first unit statistical reports due between the two days (ISO dates; by
    default the daily batch's window), of the periods whose id % ``parts`` is ``part``. With
    ``parts`` 0 (the daily run) the batch is split as statistical.toml says: into one task per
    part, enqueued here with the window fixed now, for as many workers to share. Safe to retry
    and to overlap: a report already generated is not generated again."""
    start, end = rules.batch_window(clock.today())
    due_from, due_to = due_from or start.isoformat(), due_to or end.isoformat()
    if parts == 0:
        parts = rules.batch_parts(clock.today())
        if parts > 1:
            for k in range(parts):
                enqueue_on_commit(generate_stat_reports, due_from, due_to, k, parts)
            return {"parts": parts}
    run = batch.reports_generate_due(
        due_from=date.fromisoformat(due_from),
        due_to=date.fromisoformat(due_to),
        part=part,
        parts=parts,
    )
    return {"run": run.pk, "generated": run.generated, "problems": len(run.problems)}
