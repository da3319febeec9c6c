"""Billing's periodic work as background tasks (enqueued by ``trueup run_scheduler``)."""

from __future__ import annotations

from django_tasks import task

from trueup.billing.outbox import deliver_outbox
from trueup.billing.services import outreach_release_due


@task()
def release_outreach() -> int:
    """What ``trueup release_outreach`` does: release the results whose window has ended. Safe
    to retry: a released outreach is no longer picked, and each release locks its outreach and
    makes its billing instruction once (its idempotency key)."""
    return len(outreach_release_due())


@task()
def deliver_billing() -> dict[str, int]:
    """What ``trueup deliver_billing URL`` does, to TRUEUP_BILLING_URL, for the instructions whose
    push failed (each new one is pushed as soon as it is committed): see ``billing.outbox``."""
    return deliver_outbox.call()
