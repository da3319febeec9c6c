"""``trueup run_scheduler``: enqueue the periodic work (trueup/core/schedule.toml) on its cadence.

Run one beside the workers (``make demo`` does). Running two, on two machines for availability,
is safe: each period's run of a task is claimed in the database, so it is enqueued once.
``--once`` makes one pass and exits, for cron or a timer instead of a long-running process."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from trueup.core.scheduler import scheduler_id, tick


class Command(BaseCommand):
    help = "Enqueue the periodic background work on its cadence (schedule.toml)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between passes (default 30)"
        )
        parser.add_argument(
            "--now", type=datetime.fromisoformat, help="as of this moment (ISO, with offset)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        me = scheduler_id()
        while True:
            now = options["now"] or timezone.now()
            for run in tick(now, me):
                self.stdout.write(f"{run}: enqueued ({run.task_result_id})")
            if options["once"]:
                return
            close_old_connections()
            time.sleep(options["interval"])
