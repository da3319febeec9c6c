"""The size every number and date in a worksheet must keep, checked before any arithmetic.

Decimal arithmetic has 28 significant digits: an amount of 1 followed by 28 zeros cannot be
rounded to cents (``decimal.InvalidOperation``). Bounding each number by what the system of record
can store keeps every premium the engine computes well inside that precision, so a worksheet that
passes these checks cannot make the engine's arithmetic fail. Dates are bounded too: the engine
adds a day to inclusive end dates, which fails on 9999-12-31 (``OverflowError``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import chain
from operator import attrgetter

from trueup.rating.errors import Problem
from trueup.rating.worksheet import LINE_AMOUNTS, Worksheet, payroll_amounts


@dataclass(frozen=True, slots=True)
class Limit:
    """Numbers of one kind have at most ``digits`` digits before the decimal point, either sign."""

    digits: int
    noun: str

    @property
    def bound(self) -> Decimal:
        return _BOUNDS[self.digits]

    def fits(self, value: Decimal | None) -> bool:
        """Whether ``value`` (or nothing) is within the limit: the fast check of every number,
        before any path is spelled out."""
        if value is None:
            return True
        if type(value) is not Decimal:
            value = Decimal(value)
        return value.is_finite() and value.copy_abs() < _BOUNDS[self.digits]

    def problem(self, path: str, value: Decimal) -> Problem | None:
        # Python callers may pass an int (a model's default before it is read back), or
        # Decimal("NaN") or Decimal("Infinity"); JSON cannot. Decimal(int) is exact.
        value = Decimal(value)
        if not value.is_finite():
            return Problem(path, "is not a finite number")
        # copy_abs and comparison are exact: neither can raise however large the value.
        if value.copy_abs() < self.bound:
            return None
        plural = "s" if self.digits > 1 else ""
        return Problem(
            path,
            f"is out of range: {self.noun} has at most {self.digits} digit{plural} "
            "before the decimal point",
        )


_BOUNDS = {digits: Decimal(10) ** digits for digits in range(1, 13)}

# The system of record stores money as 14 digits with 2 decimals, so 12 before the point; hours
# as 10 with 2, hourly rates as 10 with 4, months or days worked as 6 with 2. Exposures on other
# bases (area, units) share the money columns.
MONEY = Limit(12, "an amount")
HOURS = Limit(8, "a number of hours")
HOURLY_RATE = Limit(6, "an hourly rate")
MONTHS_OR_DAYS = Limit(4, "a number of months or days")
# Ownership is at most 100%: the validator says so for anything from 100.01 to 999.99.
PERCENT = Limit(3, "a percentage")
# Mods, schedule rating, premium adjustments and the non-compliance multiplier multiply premium
# one after the other. Real ones lie well within -1 to 3; below 10 each, their product times the
# largest amount and rate stays far below 28 digits.
FACTOR = Limit(1, "a factor")
RATE = Limit(1, "a rate")


# Far wider than any policy term, and far from the ends of Python's dates (years 1 to 9999).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
DATE_OUT_OF_RANGE = f"is out of range: dates must fall between {FIRST_DATE} and {LAST_DATE}"


def out_of_range(worksheet: Worksheet) -> list[Problem]:
    """Every number too large for its kind, or not finite, and every date out of range, by JSON
    path."""
    # Nearly every worksheet is within every limit: checked first without spelling out the
    # paths, which only a worksheet with a problem needs.
    if _numbers_fit(worksheet) and _dates_fit(worksheet):
        return []
    found = [
        limit.problem(path, value)
        for path, value, limit in _numbers(worksheet)
        if value is not None
    ]
    found += [
        Problem(path, DATE_OUT_OF_RANGE)
        for path, when in _dates(worksheet)
        if when is not None and not FIRST_DATE <= when <= LAST_DATE
    ]
    return [problem for problem in found if problem is not None]


_HOURS, _HOURLY_RATE = attrgetter("hours"), attrgetter("hourly_rate")


def _numbers_fit(ws: Worksheet) -> bool:
    """Whether every number is within its limit: what ``_numbers`` yields, without the paths.
    Plain comparisons, the payroll lines being most of a worksheet's numbers; a NaN cannot be
    compared and sends the worksheet to the full check, which names it."""
    payroll = ws.audited.payroll
    groups = (
        (MONEY, chain.from_iterable(map(payroll_amounts, payroll))),
        (MONEY, (e.exposure for e in ws.estimated)),
        (HOURS, map(_HOURS, payroll)),
        (HOURLY_RATE, map(_HOURLY_RATE, payroll)),
    )
    try:
        for limit, values in groups:
            # Nothing and zero fit every limit; max and min of the rest compare in C.
            present = list(filter(None, values))
            if present and not -limit.bound < min(present) <= max(present) < limit.bound:
                return False
    except InvalidOperation:
        return False
    rest = _numbers(ws, payroll=False, estimated=False)
    return all(limit.fits(value) for _, value, limit in rest)


def _dates_fit(ws: Worksheet) -> bool:
    """Whether every date is in range: what ``_dates`` yields, without the paths. A payroll
    line's split date is the only date most lines have, and most lines have none."""
    splits = {line.split_period for line in ws.audited.payroll if line.split_period is not None}
    if splits and not FIRST_DATE <= min(splits) <= max(splits) <= LAST_DATE:
        return False
    rest = _dates(ws, payroll=False)
    return all(when is None or FIRST_DATE <= when <= LAST_DATE for _, when in rest)


def _numbers(
    ws: Worksheet, *, payroll: bool = True, estimated: bool = True
) -> Iterator[tuple[str, Decimal | None, Limit]]:
    """Every number with its JSON path and limit (the payroll lines and the estimate, the many
    rows of a worksheet, may be left to a faster check)."""
    policy = ws.policy
    for name in ("deposit_premium", "billed_premium", "gl_minimum_premium"):
        yield f"$.policy.{name}", getattr(policy, name), MONEY
    for i, mod in enumerate(policy.experience_mods):
        yield f"$.policy.experience_mods[{i}].factor", mod.factor, FACTOR
    for i, sched in enumerate(policy.schedule_rating):
        yield f"$.policy.schedule_rating[{i}].factor", sched.factor, FACTOR
    for i, adj in enumerate(policy.premium_adjustments):
        yield f"$.policy.premium_adjustments[{i}].rate", adj.rate, RATE
    for i, est in enumerate(ws.estimated if estimated else ()):
        yield f"$.estimated[{i}].exposure", est.exposure, MONEY
    facts = ws.audited
    for i, line in enumerate(facts.payroll if payroll else ()):
        path = f"$.audited.payroll[{i}]"
        for name in LINE_AMOUNTS:
            yield f"{path}.{name}", getattr(line, name), MONEY
        yield f"{path}.hours", line.hours, HOURS
        yield f"{path}.hourly_rate", line.hourly_rate, HOURLY_RATE
    for i, owner in enumerate(facts.owners):
        path = f"$.audited.officers[{i}]"
        yield f"{path}.actual_pay", owner.actual_pay, MONEY
        yield f"{path}.ownership_percent", owner.ownership_percent, PERCENT
    for i, sub in enumerate(facts.subcontractors):
        path = f"$.audited.subcontractors[{i}]"
        yield f"{path}.contract_cost", sub.contract_cost, MONEY
        yield f"{path}.stated_labor", sub.stated_labor, MONEY
        yield f"{path}.months_worked", sub.months_worked, MONTHS_OR_DAYS
        yield f"{path}.days_worked", sub.days_worked, MONTHS_OR_DAYS
    for i, exposure in enumerate(facts.gl_exposures):
        yield f"$.audited.gl_exposures[{i}].amount", exposure.amount, MONEY
    yield "$.audit.non_compliance_multiplier", ws.audit.non_compliance_multiplier, FACTOR
    yield "$.audit.audit_costs", ws.audit.audit_costs, MONEY


def _dates(ws: Worksheet, *, payroll: bool = True) -> Iterator[tuple[str, date | None]]:
    policy = ws.policy
    yield "$.policy.effective", policy.effective
    yield "$.policy.expiration", policy.expiration
    if policy.cancellation is not None:
        yield "$.policy.cancellation.date", policy.cancellation.date
    for i, mod in enumerate(policy.experience_mods):
        yield f"$.policy.experience_mods[{i}].effective", mod.effective
    for i, line in enumerate(ws.audited.payroll if payroll else ()):
        yield f"$.audited.payroll[{i}].split_period", line.split_period
    for i, owner in enumerate(ws.audited.owners):
        path = f"$.audited.officers[{i}]"
        yield f"{path}.covered_from", owner.covered_from
        yield f"{path}.covered_to", owner.covered_to
    for i, sub in enumerate(ws.audited.subcontractors):
        path = f"$.audited.subcontractors[{i}]"
        for name in ("work_from", "work_to", "certificate_from", "certificate_to"):
            yield f"{path}.{name}", getattr(sub, name)
