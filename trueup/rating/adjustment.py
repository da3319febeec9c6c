"""Estimated vs audited: the additional or return premium, by state and class."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trueup.rating.money import ZERO
from trueup.rating.premium import FLAT_STEPS
from trueup.rating.result import AdjustmentLine, Rating, Reason, new_adjustment_line


def outcome_of(amount: Decimal) -> str:
    if amount > 0:
        return "additional"
    if amount < 0:
        return "return"
    return "zero"


def adjustment_lines(estimated: Rating, audited: Rating) -> list[AdjustmentLine]:
    """One line per state and class, and one per state-level charge, summing exactly to the
    difference between the audited and estimated premium."""
    # Per key: estimated and audited exposure, estimated and audited premium, and whether each
    # side has the class at all (a class on one side only shows zero exposure on the other).
    figures: dict[tuple[str, str, bool], list[Any]] = {}
    for side, rating in ((0, estimated), (1, audited)):
        for state_premium in rating.states:
            state = state_premium.state
            for cls in state_premium.classes:
                found = figures.get((state, cls.class_code, True))
                if found is None:
                    found = figures[(state, cls.class_code, True)] = [ZERO] * 4 + [False] * 2
                found[side] += cls.exposure
                found[2 + side] += cls.premium
                found[4 + side] = True
            for step in state_premium.steps:
                if step.code in _FLAT and not step.subtotal:
                    found = figures.get((state, step.code, False))
                    if found is None:
                        found = figures[(state, step.code, False)] = [ZERO] * 4 + [False] * 2
                    found[2 + side] += step.amount
    lines = []
    for key in sorted(figures, key=lambda k: (k[0], not k[2], k[1])):
        est_exp, aud_exp, est_prem, aud_prem, on_estimate, on_audit = figures[key]
        state, item, is_class = key
        lines.append(
            new_adjustment_line(
                (
                    state,
                    item,
                    is_class,
                    (est_exp if on_estimate else ZERO) if is_class else None,
                    (aud_exp if on_audit else ZERO) if is_class else None,
                    est_prem,
                    aud_prem,
                    aud_prem - est_prem,
                )
            )
        )
    return lines


_FLAT = frozenset(FLAT_STEPS)


def adjustment_reason(estimated: Decimal, audited: Decimal, one_way: bool) -> Reason:
    difference = audited - estimated
    outcome = outcome_of(difference)
    text = "audited premium {} − estimated premium {} = {}: {} premium"
    if one_way:
        text += " (one-way audit: premium is never returned below the estimate)"
    return Reason(
        "adjustment",
        text,
        difference,
        status="derived",
        args=(audited, estimated, difference, outcome),
        inputs=(("estimated", str(estimated)), ("audited", str(audited))),
        code=f"adjustment.{outcome}" + (".one_way" if one_way else ""),
        figures=(("audited", audited), ("estimated", estimated), ("difference", difference)),
    )
