"""Estimated vs audited: the additional or return premium, by state and class."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from trueup.rating.context import usd
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
    keys: list[tuple[str, str, bool]] = []
    figures: dict[tuple[str, str, bool], list[Decimal]] = defaultdict(
        lambda: [ZERO, ZERO, ZERO, ZERO]  # est. exposure, aud. exposure, est. premium, aud. premium
    )
    seen_exposure: dict[tuple[str, str, bool], list[bool]] = defaultdict(lambda: [False, False])
    for side, rating in ((0, estimated), (1, audited)):
        for state_premium in rating.states:
            for cls in state_premium.classes:
                key = (state_premium.state, cls.class_code, True)
                if key not in figures:
                    keys.append(key)
                figures[key][side] += cls.exposure
                figures[key][2 + side] += cls.premium
                seen_exposure[key][side] = True
            for step in state_premium.steps:
                if step.code in FLAT_STEPS and not step.subtotal:
                    key = (state_premium.state, step.code, False)
                    if key not in figures:
                        keys.append(key)
                    figures[key][2 + side] += step.amount
    keys.sort(key=lambda k: (k[0], not k[2], k[1]))
    lines = []
    for key in keys:
        est_exp, aud_exp, est_prem, aud_prem = figures[key]
        state, item, is_class = key
        seen = seen_exposure[key]
        lines.append(
            new_adjustment_line(
                (
                    state,
                    item,
                    is_class,
                    (est_exp if seen[0] else ZERO) if is_class else None,
                    (aud_exp if seen[1] else ZERO) if is_class else None,
                    est_prem,
                    aud_prem,
                    aud_prem - est_prem,
                )
            )
        )
    return lines


def adjustment_reason(estimated: Decimal, audited: Decimal, one_way: bool) -> Reason:
    difference = audited - estimated
    text = (
        f"audited premium {usd(audited)} − estimated premium {usd(estimated)} = "
        f"{usd(difference)}: {outcome_of(difference)} premium"
    )
    if one_way:
        text += " (one-way audit: premium is never returned below the estimate)"
    return Reason(
        "adjustment",
        text,
        difference,
        status="derived",
        inputs=(("estimated", str(estimated)), ("audited", str(audited))),
        code=f"adjustment.{outcome_of(difference)}" + (".one_way" if one_way else ""),
        figures=(("audited", audited), ("estimated", estimated), ("difference", difference)),
    )
