"""Billing's periodic work as background tasks (enqueued by ``trueup run_scheduler``). Pushing
billing instructions is ``trueup.billing.outbox.deliver_outbox``, enqueued on commit and on
schedule."""

from __future__ import annotations

from django_tasks import task

from trueup.billing.handoff import reports_billing_handoff
from trueup.billing.services import outreach_release_due


@task()
def release_outreach() -> int:
    """What ``trueup release_outreach`` does: release the results whose window has ended. Safe
    to retry: a released outreach is no longer picked, and each release locks its outreach and
    makes its billing instruction once (its idempotency key)."""
    return len(outreach_release_due())


@task()
def bill_premium_reports() -> int:
    """Hand off the premium reports filed or estimated and not billed yet (an estimated report is
    made by the daily chase of late reports). Safe to retry: each report is billed once."""
    return len(reports_billing_handoff())
