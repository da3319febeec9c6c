"""The letters' periodic work as a background task (enqueued by ``trueup run_scheduler``)."""

from __future__ import annotations

from django_tasks import task

from trueup.letters.reminders import reminders_send_due


@task()
def send_reminders() -> int:
    """What ``trueup send_reminders`` does: send the records reminders due today. Safe to retry
    after a run has ended: a reminder already sent since the records were asked for is not due
    again. Two runs at the same moment could both send one (nothing locks the audit), which is
    why the scheduler claims each day's run once."""
    return len(reminders_send_due())
