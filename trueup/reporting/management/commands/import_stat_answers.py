"""``trueup import_stat_answers FILE``: record the rating bureau's answers to the unit
statistical reports sent, from a CSV with the columns digest, status and note. All or nothing:
each row that cannot be used is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trueup.core.errors import InvalidInput
from trueup.reporting.statistical.services import answers_import


class Command(BaseCommand):
    help = "Record the bureau's answers (accepted, with warnings, rejected) to reports sent"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = answers_import(text=options["file"].read_text(encoding="utf-8"), by=None)
        except InvalidInput as error:
            raise CommandError(
                "nothing recorded: " + "; ".join(f"{p.path}: {p.reason}" for p in error.problems)
            ) from None
        self.stdout.write(f"{len(done)} answer(s) recorded")
