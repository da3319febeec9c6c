"""``trueup api-key create|list|revoke``: other systems' API keys. A key is shown once, when it is
made: only its hash is kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trueup.accounts import services
from trueup.accounts.models import ApiToken, User
from trueup.rating.errors import TrueUpError

HEADINGS = ("ID", "Owner", "Name", "Created", "Last used", "Status")


def when(moment: datetime | None) -> str:
    """To the minute, in the carrier's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


def status(token: ApiToken) -> str:
    return f"revoked {when(token.revoked_at)}" if token.revoked else "active"


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    padded = ([cell.ljust(w) for cell, w in zip(row, widths, strict=True)] for row in rows)
    return ["  ".join(cells).rstrip() for cells in padded]


class Command(BaseCommand):
    help = "Make, list and revoke the API keys other systems use (a key is shown once)"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key; it is printed once")
        create.add_argument("--user", required=True, help="the staff user the key acts as")
        create.add_argument("--name", required=True, help="the system that will use it")
        actions.add_parser("list", help="every key: owner, name, created, last used, status")
        revoke = actions.add_parser("revoke", help="stop a key working at once")
        revoke.add_argument("id", type=int, help="the key's ID (from list)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except TrueUpError as error:
            raise CommandError(error.message) from error

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: there is no user {options['user']!r}")
        token, key = services.api_token_create(user=user, name=options["name"])
        self.stdout.write(
            f"API key {token.pk} for {user.username} ({token.name}) made. "
            "The key is shown only now; keep it in the other system's secret store:"
        )
        self.stdout.write(key)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if not tokens:
            self.stdout.write("No API keys.")
            return
        rows = [self._row(t) for t in tokens]
        for line in table([HEADINGS, *rows]):
            self.stdout.write(line)

    @staticmethod
    def _row(t: ApiToken) -> tuple[str, ...]:
        used = when(t.last_used_at)
        return (str(t.pk), t.user.username, t.name, when(t.created_at), used, status(t))

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"id: there is no API key {options['id']}")
        services.api_token_revoke(token=token, by=None)
        self.stdout.write(
            f"API key {token.pk} for {token.user.username} ({token.name}) revoked: "
            "it no longer works."
        )
