"""The arithmetic of the metrics, in one place: shares as percentages, medians and percentiles.
Every percentage is rounded here, half up, to two decimals; dollars are never rounded (they are
sums of exact cents)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def percent_of(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (two decimals); None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` ÷ ``whole`` to two decimals (attempts per result); None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def median(values: Sequence[Decimal | int]) -> Decimal | None:
    """The middle of the sorted values; the mean of the two middle ones when their count is
    even. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return ((Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )


def percentile(values: Sequence[Decimal | int], share: int) -> Decimal | None:
    """The nearest-rank percentile: the smallest value with at least ``share`` % of the values
    at or below it. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered) / 100))
    return Decimal(ordered[rank - 1])
