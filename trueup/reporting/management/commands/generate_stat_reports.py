"""``trueup generate_stat_reports``: generate the unit statistical reports due, as the daily task
does; ``--from`` and ``--to`` choose the due dates, ``--part k --parts n`` one part of n. Each
policy that cannot be reported is named with the reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trueup.reporting.models import StatRun
from trueup.reporting.tasks import generate_stat_reports


class Command(BaseCommand):
    help = "Generate the unit statistical reports (WCSTAT) due to the rating bureaus"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="due_from", default="", help="first due date (ISO)")
        parser.add_argument("--to", dest="due_to", default="", help="last due date (ISO)")
        parser.add_argument(
            "--part", type=int, default=0, help="this part of the periods (id %% parts), from 0"
        )
        parser.add_argument("--parts", type=int, default=1, help="parts the batch is split in")

    def handle(self, *args: Any, **options: Any) -> None:
        done = generate_stat_reports.call(
            options["due_from"], options["due_to"], options["part"], options["parts"]
        )
        run = StatRun.objects.get(pk=done["run"])
        self.stdout.write(
            f"{run.generated} report(s) generated for due dates {run.due_from} to {run.due_to}"
        )
        for problem in run.problems:
            self.stdout.write(
                f"not reported: {problem['policy']} {problem['state']}: {problem['reason']}"
            )
