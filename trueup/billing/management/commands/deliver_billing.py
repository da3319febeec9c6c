"""``trueup deliver-billing URL``: push every undelivered billing instruction to the billing
system's endpoint as JSON, with its idempotency key in the ``Idempotency-Key`` header. Failures
are recorded on the outbox and retried on the next run; billing may instead pull the queue through
the API (``GET /api/billing/instructions?undelivered=true``) and acknowledge each instruction."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.billing.services import outbox_deliver


class Command(BaseCommand):
    help = "Push undelivered billing instructions to the billing system"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the billing system's endpoint (HTTP POST, JSON)")
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["url"]

        def post(body: dict[str, Any]) -> None:
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(body["idempotency_key"]),
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=options["timeout"]) as answer:
                if answer.status >= 300:
                    raise OSError(f"billing answered {answer.status}")

        delivered, failed = outbox_deliver(post, url)
        self.stdout.write(f"delivered {delivered}, failed {failed} (kept for the next run)")
