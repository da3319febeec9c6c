"""Writes to reference data: checked before they can affect a rating."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import User
from trueup.rating.errors import RuleBookError, TrueUpError
from trueup.rating.rates import RateTable
from trueup.reference.models import RateTableStatus, RateTableVersion


class InvalidRateTable(TrueUpError):
    code = "invalid_rate_table"


def rate_table_parse(*, name: str, csv_text: str) -> RateTable:
    """The engine's reading of the CSV; its errors name the row and the column."""
    try:
        return RateTable.from_csv_text(csv_text, name)
    except RuleBookError as error:
        raise InvalidRateTable(error.message) from error


@transaction.atomic
def rate_table_activate(*, version: RateTableVersion, by: User) -> RateTableVersion:
    """Put a rate table in use: it is checked first, and the one in use before is retired."""
    rate_table_parse(name=version.name, csv_text=version.csv_text)
    RateTableVersion.objects.select_for_update().filter(status=RateTableStatus.ACTIVE).exclude(
        pk=version.pk
    ).update(status=RateTableStatus.RETIRED)
    version.status = RateTableStatus.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    return version
