"""Policy and audit periods as date ranges: inclusive start, exclusive end (12:01 a.m. to
12:01 a.m.)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def covers(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlap_days(self, other: Period) -> int:
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return max(0, (end - start).days)

    def weeks_counting_part_weeks(self) -> int:
        """Weeks covered, a part week counting as a full week (officer limits; MN 2-E-1-b)."""
        return -(-self.days // 7)

    def split_at(self, boundaries: list[date]) -> list[Period]:
        """Cut the period at each boundary strictly inside it."""
        cuts = sorted({b for b in boundaries if self.start < b < self.end})
        edges = [self.start, *cuts, self.end]
        return [Period(a, b) for a, b in pairwise(edges)]


@lru_cache(maxsize=4096)
def period(start: date, end: date) -> Period:
    """The period from ``start`` to ``end``, made once per pair of dates: a rating asks a policy
    for its term and audit period at nearly every step."""
    return Period(start, end)


def pro_rata_factor(part: Period, whole: Period) -> Decimal:
    """Days in ``part`` (within ``whole``) over days in ``whole``."""
    return Decimal(part.overlap_days(whole)) / Decimal(whole.days)


def short_rate_percent(days_in_force: int, table: list[tuple[int, Decimal]]) -> Decimal:
    """Percent of the annual premium earned after ``days_in_force`` days, from a short-rate table
    of (last day, percent) rows in ascending order; past its end the premium is fully earned."""
    for last_day, percent in table:
        if days_in_force <= last_day:
            return percent
    return Decimal(100)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when that month is shorter."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
