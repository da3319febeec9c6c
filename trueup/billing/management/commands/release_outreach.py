"""``trueup release-outreach``: release to billing every result whose outreach window has ended
(run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trueup.billing.services import outreach_release_due


class Command(BaseCommand):
    help = "Release to billing the results whose outreach window has ended"

    def handle(self, *args: Any, **options: Any) -> None:
        for instruction in outreach_release_due():
            self.stdout.write(
                f"{instruction.payload['policy']['number']}: instruction {instruction.pk}, "
                f"{instruction.get_kind_display().lower()} {instruction.bill_now}"
                + (f" ({instruction.held} held)" if instruction.held else "")
            )
