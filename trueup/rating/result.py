"""What the engine produces. Every figure carries the reasons that made it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import NamedTuple, TypeVar, cast


class Reason(NamedTuple):
    """Why a figure is what it is: the rule (rule-book id or engine step), a plain statement, the
    inputs, and where the rule comes from.

    A NamedTuple rather than a frozen dataclass because a rating builds a hundred of these: it is
    as immutable and three times faster to build. For the same reason the statement is kept as a
    ``template`` with ``args`` and only rendered when someone reads ``text`` (Decimal arguments
    render as dollars).

    ``code`` and ``figures`` say the same as ``text`` as data: what kind of reason it is and the
    figures it names, so a reader in another language can be told it in their own words.
    Reasons without a code are read by their ``text``."""

    rule: str
    template: str
    amount: Decimal | None = None
    state: str | None = None
    effective: date | None = None  # effective date of the rule version applied
    source: str = ""
    status: str = ""  # published | derived | unverified | illustrative | fact
    inputs: tuple[tuple[str, str], ...] = ()
    path: str | None = None  # JSON path of the worksheet fact it came from
    args: tuple[object, ...] = ()
    # The jurisdiction whose rule stood in for the state's own (the NCCI default), or None.
    inherited_from: str | None = None
    code: str = ""
    figures: tuple[tuple[str, object], ...] = ()

    @property
    def text(self) -> str:
        if not self.args:
            return self.template
        return self.template.format(*(usd(a) if isinstance(a, Decimal) else a for a in self.args))


def usd(amount: Decimal) -> str:
    """Money for people: $1,234.56, whole dollars without cents."""
    text = f"{amount:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    if text[0] != "-":
        return f"${text}"
    return "$0" if text == "-0" else f"-${text[1:]}"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the auditor should look at: a reclass, a missing certificate, a default."""

    code: str
    message: str
    state: str | None = None
    path: str | None = None
    # The figures the message names, by name, so it can be said in another language.
    figures: tuple[tuple[str, object], ...] = ()


class ExposureLine(NamedTuple):
    """Exposure for one state, class and mod period, with how it was built up."""

    state: str
    class_code: str
    basis: str
    amount: Decimal
    reasons: tuple[Reason, ...]
    period_start: date | None = None


class ClassPremium(NamedTuple):
    state: str
    class_code: str
    basis: str
    exposure: Decimal
    rate: Decimal
    manual_premium: Decimal
    premium: Decimal  # this class's share of the state's premium before flat charges
    reason: Reason
    period_start: date | None = None


class Step(NamedTuple):
    """One step of a state's premium algorithm: a subtotal or a charge/credit."""

    code: str
    amount: Decimal
    reason: Reason
    subtotal: bool = False


@dataclass(frozen=True, slots=True)
class StatePremium:
    state: str
    classes: tuple[ClassPremium, ...]
    steps: tuple[Step, ...]
    premium: Decimal

    def step(self, code: str) -> Step | None:
        for step in self.steps:
            if step.code == code:
                return step
        return None


@dataclass(frozen=True, slots=True)
class Rating:
    """One side of the audit: the estimate, or the audited facts, rated."""

    exposures: tuple[ExposureLine, ...]
    states: tuple[StatePremium, ...]
    premium: Decimal
    exclusions: tuple[Reason, ...] = ()  # amounts found at audit and not rated, with why

    def state(self, code: str) -> StatePremium | None:
        for state in self.states:
            if state.state == code:
                return state
        return None


class AdjustmentLine(NamedTuple):
    """Estimated vs audited for one state and class (or one state-level charge). A NamedTuple
    for the same reason as ``Reason``: a rating builds one per class and charge."""

    state: str
    item: str  # a class code, or a step code such as expense_constant
    is_class: bool
    estimated_exposure: Decimal | None
    audited_exposure: Decimal | None
    estimated_premium: Decimal
    audited_premium: Decimal
    difference: Decimal


@dataclass(frozen=True, slots=True)
class Result:
    policy_number: str
    line: str
    audit_type: str
    period_start: date
    period_end: date
    engine_version: str
    rulebook_version: str
    rates_version: str
    estimated: Rating
    audited: Rating
    adjustments: tuple[AdjustmentLine, ...]
    estimated_premium: Decimal
    audited_premium: Decimal
    adjustment: Decimal
    outcome: str  # additional | return | zero
    adjustment_reason: Reason
    billed_premium: Decimal | None
    adjustment_vs_billed: Decimal | None
    outcome_vs_billed: str | None
    findings: tuple[Finding, ...]


_T = TypeVar("_T", bound=tuple)  # type: ignore[type-arg]


def _builder(kind: type[_T]) -> Callable[[tuple[object, ...]], _T]:
    """A builder of ``kind`` from a tuple of all its fields, in order. A NamedTuple's own
    constructor runs a Python function to fill in defaults; this one does not, at half the cost,
    for the engine's hot paths, which build hundreds a rating. Every field must be given."""
    return cast(Callable[[tuple[object, ...]], _T], partial(tuple.__new__, kind))


new_reason = _builder(Reason)
new_step = _builder(Step)
new_class_premium = _builder(ClassPremium)
new_exposure_line = _builder(ExposureLine)
new_adjustment_line = _builder(AdjustmentLine)
