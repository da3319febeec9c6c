"""The policy's minimum premium: the highest of its states' class minimums (or a GL policy's
own), prorated for a cancellation where the state says so."""

from __future__ import annotations

from decimal import Decimal

from trueup.rating.charges import interim_share
from trueup.rating.context import Context, cite, usd
from trueup.rating.money import ZERO
from trueup.rating.result import ExposureLine, Reason
from trueup.rating.rulebook import StateRules
from trueup.rating.working import _State


def _minimum_premium(
    ctx: Context, states: list[_State], by_state: dict[str, list[ExposureLine]]
) -> None:
    """The policy's minimum premium is the highest of its states' class minimums, over the classes
    on the policy and those found at audit. Terrorism and catastrophe charges are added on top
    of the minimum, not counted toward it."""
    best = _highest_minimum(ctx, states, by_state)
    if best is None:
        return
    minimum, work, class_code = best
    minimum, prorate, prorate_code, prorate_figures = _prorated_minimum(ctx, work, minimum)
    premium = sum((w.variable + w.flat - w.surcharges for w in states), ZERO)
    if premium >= minimum:
        return
    # Each state's premium is rounded on its own: top up so that, once the others are rounded,
    # the policy's premium is exactly the minimum.
    others = sum(
        (
            w.rounding.premium_amount(w.variable + w.flat) - w.surcharges
            for w in states
            if w is not work
        ),
        ZERO,
    )
    amount = minimum - others - (work.variable + work.flat - work.surcharges)
    reason = (
        Reason(
            "policy.gl_minimum_premium",
            f"policy minimum premium {usd(minimum)}",
            minimum,
            work.state,
            status="fact",
            path="$.policy.gl_minimum_premium",
            code="policy",
            figures=(("class_minimum", minimum),),
        )
        if not class_code
        else _class_minimum_reason(ctx, work.state, class_code)
    )
    work.add(
        "minimum_premium",
        amount,
        Reason(
            reason.rule,
            f"the premium {usd(premium)} is below the minimum premium {usd(minimum)} "
            f"({reason.text}{prorate}): {usd(amount)} added",
            amount,
            work.state,
            reason.effective,
            reason.source,
            reason.status,
            reason.inputs,
            reason.path,
            code="minimum_premium",
            figures=(
                ("premium", premium),
                ("minimum", minimum),
                ("amount", amount),
                ("minimum_of", reason.code),
                *reason.figures,
                *((("prorate", prorate_code),) if prorate_code else ()),
                *prorate_figures,
            ),
        ),
    )
    work.flat += amount


def _highest_minimum(
    ctx: Context, states: list[_State], by_state: dict[str, list[ExposureLine]]
) -> tuple[Decimal, _State, str] | None:
    """The highest minimum premium, the state charged it and its class ("" for a GL policy's own
    minimum); None when no class has one."""
    policy = ctx.worksheet.policy
    # The classes on the policy (the estimate) count as well as those found at audit, so that
    # finding more payroll can never lower the minimum.
    classes = {w.state: [line.class_code for line in by_state[w.state]] for w in states}
    for estimate in ctx.worksheet.estimated:
        if estimate.state in classes and estimate.class_code not in classes[estimate.state]:
            classes[estimate.state].append(estimate.class_code)
    best: tuple[Decimal, _State, str] | None = None
    for work in states:
        for code in classes[work.state]:
            minimum = _class_minimum(ctx, work.state, code)
            if minimum is not None and (best is None or minimum > best[0]):
                best = (minimum, work, code)
    policy_minimum = policy.gl_minimum_premium if policy.line == "GL" else None
    if policy_minimum is not None and states and (best is None or policy_minimum > best[0]):
        best = (policy_minimum, states[0], "")
    return best


Figures = tuple[tuple[str, object], ...]


def _prorated_minimum(
    ctx: Context, work: _State, minimum: Decimal
) -> tuple[Decimal, str, str, Figures]:
    """A cancelled WC policy's minimum, prorated for the days in force where the state's rules
    say so, with the words saying how ("" when not prorated)."""
    policy = ctx.worksheet.policy
    share = interim_share(ctx, work.state, "minimum_premium")
    if share is not None:
        _, days, term_days = share
        prorated = work.rounding.line_amount(minimum * days / term_days)
        words = (
            f", {usd(minimum)} for the term, earned for the {days} of its {term_days} days this "
            f"interim audit covers = {usd(prorated)}"
        )
        return prorated, words, "interim", _prorate_figures(minimum, days, term_days, prorated)
    cancellation = policy.cancellation
    if cancellation is None or policy.line != "WC":
        return minimum, "", "", ()
    rule = ctx.rules(work.state).require("cancellation")
    key = "pro_rata_minimum" if cancellation.basis == "pro_rata" else "short_rate_minimum"
    if rule.text(key, "full") != "prorate":
        return minimum, "", "", ()
    days, term_days = policy.audit_period.days, policy.term.days
    prorated = work.rounding.line_amount(minimum * days / term_days)
    words = f", {usd(minimum)} prorated for {days} of {term_days} days = {usd(prorated)}"
    return prorated, words, "cancelled", _prorate_figures(minimum, days, term_days, prorated)


def _prorate_figures(minimum: Decimal, days: int, term_days: int, prorated: Decimal) -> Figures:
    return (
        ("term_minimum", minimum),
        ("days", days),
        ("term_days", term_days),
        ("prorated", prorated),
    )


def _class_minimum(ctx: Context, state: str, class_code: str) -> Decimal | None:
    """A class's minimum premium: the rate table's own figure, else the state's formula (WC)."""
    found = ctx.rate(state, class_code)
    assert found is not None
    if found.minimum_premium is not None:
        return found.minimum_premium
    if ctx.worksheet.policy.line == "GL":
        return None
    rules = ctx.rules(state)
    formula = rules.compiled("class_minimum", lambda: _minimum_formula(rules))
    if formula is None:
        return None
    multiplier, added, maximum = formula
    amount = found.rate * multiplier
    if added is not None:
        amount += added
    return min(amount, maximum) if maximum is not None else amount


def _minimum_formula(
    rules: StateRules,
) -> tuple[Decimal, Decimal | None, Decimal | None] | None:
    """A state's class minimum as rate × multiplier (+ the expense constant), at most a
    maximum: the multiplier, the amount added and the maximum, or None where the state has
    no formula."""
    rule = rules.get("minimum_premium")
    if rule is None or not rule.flag("applies", True):
        return None
    expense = rules.get("expense_constant")
    added = None
    if rule.flag("add_expense_constant") and expense is not None and expense.flag("applies", True):
        added = expense.decimal("amount")
    return rule.decimal("rate_multiplier"), added, rule.optional_decimal("maximum")


def _class_minimum_reason(ctx: Context, state: str, class_code: str) -> Reason:
    found = ctx.rate(state, class_code)
    assert found is not None
    minimum = _class_minimum(ctx, state, class_code)
    if found.minimum_premium is not None:
        return Reason(
            "rate_table.minimum_premium",
            f"class {class_code} minimum premium {usd(minimum or ZERO)}",
            minimum,
            state,
            found.effective,
            f"rate table {ctx.rates.version}",
            found.status or "published",
            code="rate_table",
            figures=(("class", class_code), ("class_minimum", minimum or ZERO)),
        )
    rules = ctx.rules(state)
    rule = rules.require("minimum_premium")
    with_ec = rule.flag("add_expense_constant") and rules.get("expense_constant") is not None
    formula = f"class {class_code} rate {found.rate} × {rule.text('rate_multiplier')}" + (
        " + expense constant" if with_ec else ""
    )
    maximum = rule.optional_decimal("maximum")
    if maximum is not None and minimum == maximum:
        formula += f", capped at {usd(maximum)}"
    capped = maximum is not None and minimum == maximum
    return cite(
        rule,
        formula,
        state=state,
        amount=minimum,
        inputs=(("rate", str(found.rate)), ("rate_multiplier", rule.text("rate_multiplier"))),
        code="formula" + (".expense" if with_ec else "") + (".capped" if capped else ""),
        figures=(
            ("class", class_code),
            ("rate", found.rate),
            ("multiplier", rule.text("rate_multiplier")),
            *((("maximum", maximum),) if capped else ()),
        ),
    )
