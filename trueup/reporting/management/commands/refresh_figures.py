"""``trueup refresh_figures``: rebuild the figures the department's metrics read, as the
scheduled task does every quarter hour (after loading a book, or to see a change at once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trueup.reporting.tasks import refresh_figures


class Command(BaseCommand):
    help = "Rebuild the figures the dashboard and the metrics read"

    def handle(self, *args: Any, **options: Any) -> None:
        done = refresh_figures.call()
        self.stdout.write(f"figures rebuilt for {done['audits']} audit(s)")
