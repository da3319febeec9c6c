"""``trueup ship_classes``: bring the class table's shipped descriptions and keywords up to the
file shipped with this version of TrueUp (the migrations load it once); a carrier's loaded
classes are left as they are."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trueup.reference.services import class_table_ship


class Command(BaseCommand):
    help = "Add or update TrueUp's shipped class descriptions (carriers' rows are kept)"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{class_table_ship()} class(es) added or updated")
