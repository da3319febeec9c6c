"""The premium algorithm: exposure lines → premium by state, every step with its reason.

WC (NCCI order): manual → increased limits, deductible, deviation, waiver → subject → experience
mod (per split period) → modified → schedule rating, assigned-risk surcharge → standard → short
rate (cancellations) → premium discount (multistate average method) → expense constant, terrorism,
catastrophe → minimum premium → non-compliance charge (estimated audits) → rounding.
GL: exposure ÷ the basis unit × rate per class → minimum premium → rounding.
"""

from __future__ import annotations

from collections import defaultdict

from trueup.rating.charges import (
    _expense_constant,
    _non_compliance,
    _per_payroll_charge,
    _premium_discount,
)
from trueup.rating.context import Context, usd
from trueup.rating.minimum import _minimum_premium
from trueup.rating.money import ZERO, allocate
from trueup.rating.result import (
    ExposureLine,
    Rating,
    Reason,
    StatePremium,
    new_class_premium,
    new_reason,
    new_step,
)
from trueup.rating.standard import _gl_state, _wc_to_standard
from trueup.rating.working import _State

# Steps whose amounts are charged to the state as a whole, not spread over its classes.
FLAT_STEPS = (
    "expense_constant",
    "terrorism",
    "catastrophe",
    "minimum_premium",
    "non_compliance",
    "one_way_audit",
    "rounding",
)


def rate(ctx: Context, exposures: list[ExposureLine], estimated: Rating | None = None) -> Rating:
    """Rate exposure lines. ``estimated`` is the estimate's rating, given when rating the audited
    side of an estimated (non-compliance) audit."""
    by_state: dict[str, list[ExposureLine]] = defaultdict(list)
    for line in exposures:
        by_state[line.state].append(line)
    # Every policy state is rated, even one where the audit found no exposure: the policy still
    # earns its expense constant and minimum premium.
    order = list(ctx.worksheet.policy.states)
    order += sorted(s for s in by_state if s not in order)
    states = [_State(s, ctx.rules(s).rounding) for s in order]

    if ctx.worksheet.policy.line == "GL":
        for work in states:
            _gl_state(ctx, work, by_state[work.state])
    else:
        for work in states:
            _wc_to_standard(ctx, work, by_state[work.state])
        _premium_discount(ctx, states)
        _expense_constant(ctx, states)
        for work in states:
            _per_payroll_charge(ctx, work, "terrorism", "terrorism (statistical code 9740)")
            _per_payroll_charge(ctx, work, "catastrophe", "catastrophe (statistical code 9741)")
    _minimum_premium(ctx, states, by_state)
    if estimated is not None and ctx.worksheet.is_estimated_audit:
        _non_compliance(ctx, states, estimated)
    if (
        estimated is not None
        and ctx.worksheet.policy.line == "GL"
        and ctx.worksheet.policy.gl_audit == "one_way"
    ):
        _one_way(states, estimated)
    finished = [_finish(work) for work in states]
    total = sum((s.premium for s in finished), ZERO)
    return Rating(
        exposures=tuple(exposures),
        states=tuple(finished),
        premium=total,
        exclusions=tuple(ctx.exclusions),
    )


def _one_way(states: list[_State], estimated: Rating) -> None:
    """A one-way audit (surplus lines GL) charges additional premium but returns none."""
    premium = sum((w.variable + w.flat for w in states), ZERO)
    if not states or premium >= estimated.premium:
        return
    amount = estimated.premium - premium
    work = states[0]
    work.add(
        "one_way_audit",
        amount,
        Reason(
            "policy.gl_audit",
            f"one-way audit: the audited premium {usd(premium)} is below the "
            f"estimate {usd(estimated.premium)}, and no premium is returned: {usd(amount)} kept",
            amount,
            work.state,
            status="fact",
            path="$.policy.gl_audit",
        ),
    )
    work.flat += amount


def _finish(work: _State) -> StatePremium:
    before = work.variable + work.flat
    premium = work.rounding.premium_amount(before)
    if premium != before:
        work.add(
            "rounding",
            premium - before,
            Reason(
                "rounding",
                "premium {} rounded to {} ({} to {})",
                premium - before,
                work.state,
                status="unverified",
                args=(before, premium, work.rounding.mode, str(work.rounding.premium)),
                code="rounding",
                figures=(("before", before), ("after", premium)),
            ),
        )
    reason = new_reason(
        (
            "premium.total",
            "{} premium {}",
            premium,
            work.state,
            None,
            "",
            "derived",
            (),
            None,
            (work.state, premium),
            None,
            "premium.total",
            (("amount", premium),),
        )
    )
    work.steps.append(new_step(("total", premium, reason, True)))
    shares = allocate(work.variable, [c.manual_premium for c in work.classes], work.rounding.line)
    # Each class with its share of the state's premium in place of its manual premium.
    classes = tuple(
        new_class_premium((*c[:6], share, *c[7:]))
        for c, share in zip(work.classes, shares, strict=True)
    )
    return StatePremium(work.state, classes, tuple(work.steps), premium)
