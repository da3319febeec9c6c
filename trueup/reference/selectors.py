"""Reads of reference data for rating and scheduling."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from trueup.core.written import values_written
from trueup.rating.rates import RateTable, demo_rates
from trueup.reference.models import RateTableStatus, RateTableVersion


def rates_in_use() -> RateTable:
    """The rate table in use, or TrueUp's illustrative demo rates when none has been loaded."""
    # Asked on every page that rates or shows a class: the query is written once.
    found = values_written("rates in use", _in_use, RateTableStatus.ACTIVE.value)
    if not found:
        return demo_rates()
    return _parsed(*found[0])


def _in_use(status: str) -> QuerySet[RateTableVersion, tuple[int, str, object]]:
    """The latest version of that status (the model's ordering: newest first)."""
    return RateTableVersion.objects.filter(status=status).values_list("pk", "name", "activated_at")[
        :1
    ]


@lru_cache(maxsize=4)
def _parsed(pk: int, name: str, activated_at: object) -> RateTable:
    # Keyed by activation too: a version put back in use is read again.
    text = RateTableVersion.objects.values_list("csv_text", flat=True).get(pk=pk)
    return RateTable.from_csv_text(text, name)
