"""The metrics' periodic work as a background task (enqueued by ``trueup run_scheduler``)."""

from __future__ import annotations

from django_tasks import task

from trueup.core import clock
from trueup.reporting import figures, metrics


@task()
def refresh_figures() -> dict[str, int]:
    """Rebuild the figures, then compute the dashboard's opening view from them, so the first
    manager to open it is answered from the snapshot. Safe to retry: a rebuild replaces the
    figures whole."""
    run = figures.refresh()
    metrics.dashboard(metrics.default_filters(clock.today()), clock.today())
    return {"run": run.pk, "audits": run.audits}
