"""``trueup import-payroll FILE --audit ID``: preview a payroll register for an audit and, with
``--commit``, put its lines on the audit. A file larger than an upload may be (200 MB) is read
and imported a batch of rows at a time, in the memory of a batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.money import usd_of_cents
from trueup.payroll import services
from trueup.payroll.ingest.readers import MAX_BYTES
from trueup.rating.errors import TrueUpError


class Command(BaseCommand):
    help = "Import a payroll register (CSV or XLSX) into an audit: preview, then --commit"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--audit", type=int, required=True, help="the audit's id")
        parser.add_argument("--user", required=True, help="who imports (an auditor's user name)")
        parser.add_argument("--profile", help="a mapping profile's key (default: detected)")
        parser.add_argument("--basis", choices=("check", "earned"), default="check")
        parser.add_argument("--commit", action="store_true", help="put the lines on the audit")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
            audit = Audit.objects.get(pk=options["audit"])
        except (User.DoesNotExist, Audit.DoesNotExist) as error:
            raise CommandError(str(error)) from error
        path: Path = options["file"]
        try:
            large = path.stat().st_size > MAX_BYTES
            data = b"" if large else path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            if large:
                preview = services.payroll_import_preview_file(
                    audit=audit,
                    by=user,
                    path=path,
                    profile=options["profile"],
                    basis=options["basis"],
                )
            else:
                preview = services.payroll_import_preview(
                    audit=audit,
                    by=user,
                    data=data,
                    filename=path.name,
                    profile=options["profile"],
                    basis=options["basis"],
                )
            out = self.stdout.write
            out(
                f"{path.name}: {preview.profile_name}; {preview.rows_read} rows read, "
                f"{preview.rows_used} used, {preview.rows_excepted} exceptions; "
                f"{len(preview.lines)} payroll lines"
            )
            out(f"gross pay {usd_of_cents(preview.gross_cents)}")
            for category, cents in preview.totals.items():
                out(f"  {category.replace('_', ' ')}: {usd_of_cents(cents)}")
            for kind, count in preview.exception_counts.items():
                out(f"exceptions, {kind.replace('_', ' ')}: {count}")
            for item in preview.exceptions[:20]:
                where = f", column {item['column']}" if item["column"] else ""
                out(f"  row {item['row']}{where}: {item['message']}")
            if preview.refusals:
                out("the rating engine would refuse these lines, so they cannot be committed:")
            for refusal in preview.refusals:
                out(f"  {refusal['where']}: {refusal['message']}")
            waiting = services.waiting_problems(preview)
            if waiting:
                out("waiting for your answers (the preview's page, or the API's resolve):")
            for problem in waiting:
                out(f"  {problem.path}: {problem.reason}")
            if waiting and not options["commit"]:
                # A script must not take a preview that cannot be committed for a good one.
                raise CommandError(
                    f"previewed as import {preview.pk}, but {len(waiting)} question(s) wait "
                    "for an answer before it can be committed",
                    returncode=2,
                )
            if options["commit"]:
                services.payroll_import_commit(payroll_import=preview, by=user)
                out(f"committed to audit {audit.pk} (import {preview.pk})")
            else:
                out(f"previewed as import {preview.pk}: nothing changed; --commit to apply")
        except TrueUpError as error:
            raise CommandError(error.message) from error
