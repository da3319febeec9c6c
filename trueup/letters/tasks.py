"""The letters' periodic work as background tasks (enqueued by ``trueup run_scheduler``). Each
letter itself is sent by ``trueup.letters.delivery.deliver_letter``."""

from __future__ import annotations

from django_tasks import task

from trueup.letters.delivery import letters_retry
from trueup.letters.reminders import reminders_send_due
from trueup.letters.rules import rules


@task()
def send_reminders() -> int:
    """What ``trueup send_reminders`` does: send the records reminders due today. Safe to retry
    after a run has ended: a reminder already sent since the records were asked for is not due
    again. Two runs at the same moment could both send one (nothing locks the audit), which is
    why the scheduler claims each day's run once."""
    return len(reminders_send_due())


@task()
def retry_letters() -> int:
    """Send again the letters whose e-mail failed, up to ``letters.toml``'s tries each, and those
    whose task was lost. Safe to retry and to overlap: each letter is locked while it is sent, and
    one already sent is left alone."""
    delivery = rules()["delivery"]
    return letters_retry(int(delivery["max_attempts"]), int(delivery["waiting_minutes"]))
