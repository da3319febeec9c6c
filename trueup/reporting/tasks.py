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
    due_from: str = "", due_to: str = "", part: int = 0, parts: int = 1
) -> dict[str, Any]:
    """Generate the first unit statistical reports due between the two days (ISO dates; by
    default the daily batch's window), of the periods whose id % ``parts`` is ``part``: the
    batch enqueued as ``parts`` tasks runs on as many workers. Safe to retry and to overlap: a
    report already generated is not generated again."""
    start, end = rules.batch_window(clock.today())
    run = batch.reports_generate_due(
        due_from=date.fromisoformat(due_from) if due_from else start,
        due_to=date.fromisoformat(due_to) if due_to else end,
        part=part,
        parts=parts,
    )
    return {"run": run.pk, "generated": run.generated, "problems": len(run.problems)}


def enqueue_stat_reports(parts: int = 1, due_from: str = "", due_to: str = "") -> None:
    """The batch as ``parts`` tasks, one per part, for as many workers to share."""
    for part in range(parts):
        enqueue_on_commit(generate_stat_reports, due_from, due_to, part, parts)
