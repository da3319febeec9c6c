"""``trueup send-reminders``: send the records reminders that are due today (run it daily)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.letters.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Send the first, second and final records reminders that are due today"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on", type=date.fromisoformat, help="as of this day (YYYY-MM-DD); default today"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for sent in reminders_send_due(options["on"]):
            number = sent.audit.period.policy.number
            if sent.letter is None:
                self.stdout.write(f"{number}: {sent.kind} not sent ({sent.reason})")
            else:
                self.stdout.write(
                    f"{number}: {sent.kind} sent to {', '.join(sent.letter.recipients)}"
                )
