"""The one place that rounds money.

Every amount in the engine is a :class:`decimal.Decimal`. Rounding increments and the rounding mode
come from the rule book (per jurisdiction), so nothing else in the engine calls ``quantize``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

_MODES = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_HALF_EVEN": ROUND_HALF_EVEN}


def _power_of_ten(increment: Decimal) -> bool:
    """Whether an increment is 1, 10, 0.01, …: a single digit 1."""
    return increment.as_tuple().digits == (1,)


@dataclass(frozen=True, slots=True)
class Rounding:
    """How a jurisdiction rounds: lines (class premiums, steps) and the premium billed."""

    line: Decimal = CENT
    premium: Decimal = ONE
    mode: str = "ROUND_HALF_UP"
    # Whether lines round to a power of ten (a cent, a dollar), which ``Decimal.quantize`` does
    # alone: asked once here, not on each of the dozens of lines a rating rounds.
    _line_by_quantize: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(f"unknown rounding mode {self.mode!r}; use one of {sorted(_MODES)}")
        object.__setattr__(self, "_line_by_quantize", _power_of_ten(self.line))

    def line_amount(self, value: Decimal) -> Decimal:
        if self._line_by_quantize:
            return value.quantize(self.line, _MODES[self.mode])
        return quantize(value, self.line, self.mode)

    def premium_amount(self, value: Decimal) -> Decimal:
        return quantize(value, self.premium, self.mode)


DEFAULT_ROUNDING = Rounding()


def quantize(value: Decimal, increment: Decimal, mode: str = "ROUND_HALF_UP") -> Decimal:
    """Round ``value`` to a multiple of ``increment`` (e.g. 0.01 or 1) with an explicit mode."""
    if increment in (ONE, CENT) or _power_of_ten(increment):
        # The mode is passed by position: as a keyword it costs the decimal module twice the time.
        return value.quantize(increment, _MODES[mode])
    # Increments such as 5 or 0.05: count whole increments, round that count, scale back.
    units = (value / increment).quantize(ONE, _MODES[mode])
    return units * increment


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up: used for amounts that are not premiums (payroll figures)."""
    return value.quantize(CENT, ROUND_HALF_UP)


def allocate(
    total: Decimal, weights: Sequence[Decimal], increment: Decimal = CENT
) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the parts sum exactly to ``total``.

    Largest-remainder method: each part is rounded down to the increment, and the leftover
    increments go to the parts with the largest remainders (earliest first on ties), so the
    result does not depend on anything but the order of ``weights``.
    """
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == ZERO:
        parts = [ZERO] * len(weights)
        parts[0] = total
        return parts
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    raw = [magnitude * w / weight_sum for w in weights]
    floors = [(r / increment).to_integral_value(ROUND_FLOOR) * increment for r in raw]
    leftover = int((magnitude - sum(floors, ZERO)) / increment)
    if leftover:
        order = sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i], i))
        for i in order[:leftover]:
            floors[i] += increment
    return floors if sign > 0 else [sign * f for f in floors]


def parse_fraction(text: str) -> Decimal:
    """Read a rule-book fraction such as ``"1/3"`` or ``"0.5"`` into an exact-as-possible Decimal.

    Thirds are not exact in decimal; callers multiply and round once, at the end.
    """
    if "/" in text:
        num, den = text.split("/", 1)
        return Decimal(num.strip()) / Decimal(den.strip())
    return Decimal(text)
