"""Reads of reference data for rating and scheduling."""

from __future__ import annotations

from functools import lru_cache

from trueup.rating.rates import RateTable, demo_rates
from trueup.reference.models import RateTableStatus, RateTableVersion


def rates_in_use() -> RateTable:
    """The rate table in use, or TrueUp's illustrative demo rates when none has been loaded."""
    version = (
        RateTableVersion.objects.filter(status=RateTableStatus.ACTIVE)
        .values_list("pk", "name", "activated_at")
        .first()
    )
    if version is None:
        return demo_rates()
    return _parsed(*version)


@lru_cache(maxsize=4)
def _parsed(pk: int, name: str, activated_at: object) -> RateTable:
    # Keyed by activation too: a version put back in use is read again.
    text = RateTableVersion.objects.values_list("csv_text", flat=True).get(pk=pk)
    return RateTable.from_csv_text(text, name)
