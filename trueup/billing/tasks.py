"""Billing's periodic work as background tasks (enqueued by ``trueup run_scheduler``)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from django.conf import settings
from django_tasks import task

from trueup.billing.services import outbox_deliver, outreach_release_due

# The billing system is given this long to answer one instruction.
DELIVERY_TIMEOUT_SECONDS = 30.0


@task()
def release_outreach() -> int:
    """What ``trueup release_outreach`` does: release the results whose window has ended. Safe
    to retry: a released outreach is no longer picked, and each release locks its outreach and
    makes its billing instruction once (its idempotency key)."""
    return len(outreach_release_due())


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": str(body["idempotency_key"]),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as answer:
        if answer.status >= 300:
            raise OSError(f"billing answered {answer.status}")


@task()
def deliver_billing() -> dict[str, int]:
    """What ``trueup deliver_billing URL`` does, to TRUEUP_BILLING_URL: push undelivered billing
    instructions; failures stay in the outbox for the next run. Without a URL billing pulls them
    through the API, so there is nothing to push. Each carries its idempotency key, so billing
    ignores one it already has if a retry sends it again."""
    url = settings.TRUEUP_BILLING_URL
    if not url:
        return {"delivered": 0, "failed": 0}
    delivered, failed = outbox_deliver(lambda body: _post(url, body), url)
    return {"delivered": delivered, "failed": failed}
