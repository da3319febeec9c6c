"""Billing's periodic work as background tasks (enqueued by ``trueup run_scheduler``). Pushing
billing instructions is ``trueup.billing.outbox.deliver_outbox``, enqueued on commit and on
schedule."""

from __future__ import annotations

from django_tasks import task

from trueup.billing.services import outreach_release_due


@task()
def release_outreach() -> int:
    """What ``trueup release_outreach`` does: release the results whose window has ended. Safe
    to retry: a released outreach is no longer picked, and each release locks its outreach and
    makes its billing instruction once (its idempotency key)."""
    return len(outreach_release_due())
