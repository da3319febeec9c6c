"""``trueup deliver-billing URL``: push every undelivered billing instruction to the billing
system's endpoint as JSON, with its idempotency key in the ``Idempotency-Key`` header. Failures
are recorded on the outbox and retried on the next run; billing may instead pull the queue through
the API (``GET /api/billing/instructions?undelivered=true``) and acknowledge each instruction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.billing.outbox import outbox_deliver, post_json


class Command(BaseCommand):
    help = "Push undelivered billing instructions to the billing system"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="the billing system's endpoint (HTTP POST, JSON)")
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["url"]

        timeout: float = options["timeout"]
        delivered, failed = outbox_deliver(lambda body: post_json(url, body, timeout), url)
        self.stdout.write(f"delivered {delivered}, failed {failed} (kept for the next run)")
