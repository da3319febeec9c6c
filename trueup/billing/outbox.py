"""Billing instructions on their way to the billing system: the outbox. Billing may pull them
through the API and acknowledge each; when it has an address (``TRUEUP_BILLING_URL``) they are
pushed as JSON, each with its idempotency key, by a background task enqueued as soon as an
instruction is committed and again by the scheduler for those that failed."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from trueup.billing.models import OutboxMessage

# The billing system is given this long to answer one instruction.
DELIVERY_TIMEOUT_SECONDS = 30.0


def post_json(url: str, body: dict[str, Any], timeout: float = DELIVERY_TIMEOUT_SECONDS) -> None:
    """POST one instruction; the ``Idempotency-Key`` header lets billing ignore a repeat."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": str(body["idempotency_key"]),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        if answer.status >= 300:
            raise OSError(f"billing answered {answer.status}")


@transaction.atomic
def outbox_delivered(*, message: OutboxMessage, to: str) -> OutboxMessage:
    """Billing has the instruction (it acknowledged it, or the push succeeded)."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.delivered_at is None:
        message.delivered_at = timezone.now()
        message.delivered_to = to[:200]
        message.save(update_fields=["delivered_at", "delivered_to"])
    return message


def _body(message: OutboxMessage) -> dict[str, Any]:
    instruction = message.instruction
    return {
        "idempotency_key": instruction.idempotency_key,
        "instruction_id": instruction.pk,
        "kind": instruction.kind,
        "bill_now": str(instruction.bill_now),
        **instruction.payload,
    }


def _deliver_one(pk: int, send: Callable[[dict[str, Any]], None], to: str) -> bool | None:
    """Push one message under its row lock; None if another run has it or it went already."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .select_related("instruction")
            .filter(pk=pk, delivered_at__isnull=True)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        try:
            send(_body(message))
        except Exception as error:  # any failure of the transport: kept and retried
            message.last_error = str(error)[:2000]
            message.save(update_fields=["attempts", "last_attempt_at", "last_error"])
            return False
        message.delivered_at = timezone.now()
        message.delivered_to = to[:200]
        message.last_error = ""
        message.save()
        return True


def outbox_deliver(send: Callable[[dict[str, Any]], None], to: str) -> tuple[int, int]:
    """Push every undelivered instruction with ``send``; a failure is recorded and retried next
    time. Safe when runs overlap: each message is pushed under its row lock, and one another run
    holds or has delivered is left to it. Returns (delivered, failed)."""
    delivered = failed = 0
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True).order_by("pk")
    for pk in list(pending.values_list("pk", flat=True)):
        outcome = _deliver_one(pk, send, to)
        delivered += outcome is True
        failed += outcome is False
    return delivered, failed


@task()
def deliver_outbox() -> dict[str, int]:
    """Push undelivered instructions to ``TRUEUP_BILLING_URL``. Without an address billing pulls
    them through the API, so there is nothing to push."""
    url = settings.TRUEUP_BILLING_URL
    if not url:
        return {"delivered": 0, "failed": 0}
    delivered, failed = outbox_deliver(lambda body: post_json(url, body), url)
    return {"delivered": delivered, "failed": failed}
