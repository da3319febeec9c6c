"""A state's premium as the algorithm's steps add to it (``trueup.rating.premium``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from trueup.rating.money import ZERO, Rounding
from trueup.rating.result import ClassPremium, Reason, Step, new_step


@dataclass
class _State:
    state: str
    rounding: Rounding
    classes: list[ClassPremium] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    standard: Decimal = ZERO  # standard premium (after short rate when cancelled short rate)
    variable: Decimal = ZERO  # premium spread over the classes
    flat: Decimal = ZERO  # state-level charges
    surcharges: Decimal = ZERO  # part of flat charged on top of the minimum premium
    payroll: Decimal = ZERO

    def add(self, code: str, amount: Decimal, reason: Reason, subtotal: bool = False) -> None:
        self.steps.append(new_step((code, amount, reason, subtotal)))
