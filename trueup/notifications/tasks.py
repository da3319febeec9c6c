"""The notifications' periodic work as background tasks (enqueued by ``trueup run_scheduler``
once a day, ``trueup/core/schedule.toml``). Each is safe to run again."""

from __future__ import annotations

from django_tasks import task

from trueup.notifications.services import daily_digests_send, overdue_notify


@task()
def send_daily_digests() -> int:
    """E-mail the daily digest to each user who chose it: their unread notifications not
    e-mailed yet. Answers how many notifications were e-mailed."""
    return daily_digests_send()


@task()
def send_overdue_digests() -> int:
    """Tell the audit managers of the audits newly past their due date, in TrueUp and in one
    e-mail each. Answers how many notices were made."""
    return overdue_notify()
