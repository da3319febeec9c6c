"""``trueup schedule_audits``: schedule (or waive) the audits of every ended policy period.
Run daily from cron or a timer; safe to run again."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.audits.scheduling import audit_schedule, periods_to_schedule
from trueup.core import clock


class Command(BaseCommand):
    help = "Schedule audits for expired and cancelled policy periods"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or clock.today()
        counts = {"scheduled": 0, "waived": 0}
        for period in periods_to_schedule(today):
            audit = audit_schedule(period=period)
            counts["waived" if audit.status == "waived" else "scheduled"] += 1
        self.stdout.write(f"{counts['scheduled']} audit(s) scheduled, {counts['waived']} waived")
