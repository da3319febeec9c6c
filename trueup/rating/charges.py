"""The WC steps after standard premium that look at the policy's states together: premium
discount (multistate average method), expense constant, terrorism and catastrophe; and the
non-compliance charge of an estimated audit."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from trueup.rating.context import Context, cite, usd
from trueup.rating.money import HUNDRED, ONE, ZERO, cents, quantize
from trueup.rating.result import Rating
from trueup.rating.rulebook import RuleVersion
from trueup.rating.working import _State

Layers = tuple[tuple[Decimal | None, Decimal], ...]


def _layers(rule: RuleVersion) -> Layers:
    """A premium discount table's layers as numbers: each layer's top (None for the last) and
    rate."""
    return tuple(
        (Decimal(str(layer["up_to"])) if "up_to" in layer else None, Decimal(str(layer["rate"])))
        for layer in rule.items("layers")
    )


def _discount_on(total: Decimal, layers: Layers) -> Decimal:
    discount, lower = ZERO, ZERO
    for upper, rate_ in layers:
        top = total if upper is None else min(total, upper)
        if top > lower:
            discount += (top - lower) * rate_
        if upper is None or total <= upper:
            break
        lower = upper
    return discount


def _premium_discount(ctx: Context, states: list[_State]) -> None:
    policy = ctx.worksheet.policy
    if not policy.premium_discount or not states:
        return
    if policy.assigned_risk:
        return
    short_rate = policy.cancellation is not None and policy.cancellation.basis == "short_rate"
    eligible: list[tuple[_State, RuleVersion, Layers]] = []
    for work in states:
        rules = ctx.rules(work.state)
        if short_rate and not rules.require("cancellation").flag("short_rate_premium_discount"):
            continue
        rule = rules.get(f"premium_discount.{policy.premium_discount_type}")
        if rule is None or not rule.flag("applies", True) or not rule.has("layers"):
            continue
        layers = rules.compiled(("layers", rule.rule_id), partial(_layers, rule))
        eligible.append((work, rule, layers))
    total = sum((w.standard for w, _, _ in eligible), ZERO)
    if total <= ZERO:
        return
    multistate = len(eligible) > 1
    graded, annual = _graded_on(ctx, eligible[0][0].state, total)
    for work, rule, layers in eligible:
        discount_on_total = _discount_on(graded, layers)
        if graded != total:  # the year's discount, in the same share as the year's premium
            discount_on_total = discount_on_total * total / graded
        average = discount_on_total / total
        rounded = ""
        if multistate:
            average, rounded = _rounded_average(ctx, work.state, average)
        amount = work.rounding.line_amount(work.standard * average)
        if not amount:
            continue
        shown = (average * 100).quantize(Decimal("0.0001"))
        discount = work.rounding.line_amount(discount_on_total)
        # Rendered when read: the amounts as dollars, the average as written.
        text, args = (
            (MULTISTATE, (total, annual, discount, str(shown), rounded, work.standard, amount))
            if multistate
            else (SINGLE_STATE, (work.standard, annual, str(shown), amount))
        )
        figures: tuple[tuple[str, object], ...] = (
            ("total", total),
            ("discount", discount),
            ("percent", shown),
            ("standard", work.standard),
            ("amount", amount),
            *_graded_figures(ctx, work.state, graded, total),
            *_rounded_figures(ctx, work.state, rounded),
        )
        work.add(
            "premium_discount",
            -amount,
            cite(
                rule,
                text,
                args=args,
                state=work.state,
                amount=-amount,
                inputs=(("total_standard_premium", str(total)), ("average_rate", str(average))),
                code="premium_discount." + ("multistate" if multistate else "single"),
                figures=figures,
            ),
        )
        work.variable -= amount


MULTISTATE = (
    "premium discount: this state's table on the policy's total standard premium {}{} gives {}, "
    "an average of {}%{}, applied to {} = {}"
)
SINGLE_STATE = "premium discount on standard premium {}{}: average {}% = {}"


def _graded_figures(
    ctx: Context, state: str, graded: Decimal, total: Decimal
) -> tuple[tuple[str, object], ...]:
    """An interim audit's full-year grading, as figures (none when the table is read at the
    premium itself)."""
    share = interim_share(ctx, state, "premium_discount")
    if share is None or graded == total:
        return ()
    _, days, year = share
    return (("graded_annual", cents(graded)), ("days", days), ("term_days", year))


def _rounded_figures(ctx: Context, state: str, rounded: str) -> tuple[tuple[str, object], ...]:
    """The percentage points the multistate average was rounded to, if it was."""
    rule = ctx.rules(state).get("premium_discount.multistate")
    if not rounded or rule is None:
        return ()
    return (("rounded_to", rule.text("round_average_percent_to")),)


def interim_share(ctx: Context, state: str, charge: str) -> tuple[RuleVersion, int, int] | None:
    """For an interim audit whose rule treats ``charge`` as annual: the rule, the days the audit
    covers and the term's days. None for any other audit, or where the charge is taken whole."""
    policy = ctx.worksheet.policy
    if policy.interim is None:
        return None
    rule = ctx.rules(state).get("interim")
    if rule is None or rule.text(charge, "full") == "full":
        return None
    return rule, policy.audit_period.days, policy.term.days


def _graded_on(ctx: Context, state: str, total: Decimal) -> tuple[Decimal, str]:
    """The standard premium the discount table is read at, and the words saying so: an interim
    audit's is taken to a full year (the table is graded on a year's premium)."""
    share = interim_share(ctx, state, "premium_discount")
    if share is None:
        return total, ""
    _, days, year = share
    annual = total * year / days
    return annual, (
        f" (graded as {usd(cents(annual))} for a full year: this interim "
        f"audit covers {days} of the term's {year} days)"
    )


def _rounded_average(ctx: Context, state: str, average: Decimal) -> tuple[Decimal, str]:
    """The multistate average discount as the state's rule has it: rounded to a number of
    percentage points, or used unrounded."""
    rule = ctx.rules(state).get("premium_discount.multistate")
    if rule is None or not rule.has("round_average_percent_to"):
        return average, ""
    step = rule.decimal("round_average_percent_to")
    percent = quantize(average * HUNDRED, step, rule.text("mode", "ROUND_HALF_UP"))
    return percent / HUNDRED, f" (rounded to the nearest {rule.text('round_average_percent_to')}%)"


def _expense_constant(ctx: Context, states: list[_State]) -> None:
    """One expense constant per policy: the highest of its states', charged in that state."""
    candidates = []
    for index, work in enumerate(states):
        rule = ctx.rules(work.state).get("expense_constant")
        if rule is not None and rule.flag("applies", True):
            candidates.append((rule.decimal("amount"), work.standard, -index, work, rule))
    if not candidates:
        return
    amount, _, _, work, rule = max(candidates, key=lambda c: (c[0], c[1], c[2]))
    others = "" if len(candidates) == 1 else " (the highest of the policy's states, charged once)"
    highest = ".highest" if others else ""
    reason = cite(
        rule,
        "expense constant {}{}",
        state=work.state,
        amount=amount,
        args=(amount, others),
        code="expense_constant" + highest,
        figures=(("amount", amount),),
    )
    share = interim_share(ctx, work.state, "expense_constant")
    if share is not None:
        interim, days, year = share
        whole, amount = amount, work.rounding.line_amount(amount * days / year)
        reason = cite(
            interim,
            "expense constant {} for the term{}, earned for the {} of its {} days this interim "
            "audit covers: {}",
            state=work.state,
            amount=amount,
            inputs=(
                ("expense_constant", str(whole)),
                ("days", str(days)),
                ("term_days", str(year)),
            ),
            args=(whole, others, days, year, amount),
            code="expense_constant.interim" + highest,
            figures=(("whole", whole), ("days", days), ("term_days", year), ("amount", amount)),
        )
    work.add("expense_constant", amount, reason)
    work.flat += amount


def _per_payroll_charge(ctx: Context, work: _State, code: str, label: str) -> None:
    rule = ctx.rules(work.state).get(code)
    if rule is None or not rule.flag("applies", True) or not work.payroll:
        return
    rate_ = rule.decimal("rate_per_100")
    amount = work.rounding.line_amount(work.payroll * rate_ / HUNDRED)
    if not amount:
        return
    work.add(
        code,
        amount,
        cite(
            rule,
            "{}: {} × {} per $100 = {}",
            state=work.state,
            amount=amount,
            inputs=(("payroll", str(work.payroll)), ("rate_per_100", str(rate_))),
            args=(label, work.payroll, str(rate_), amount),
            code=f"charge.{code}",
            figures=(("payroll", work.payroll), ("rate", rate_), ("amount", amount)),
        ),
    )
    work.flat += amount
    work.surcharges += amount  # charged on top of the minimum premium, not toward it


def _non_compliance(ctx: Context, states: list[_State], estimated: Rating) -> None:
    audit = ctx.worksheet.audit
    costs_charged = False
    for work in states:
        rule = ctx.rules(work.state).require("non_compliance")
        estimate = estimated.state(work.state)
        if estimate is None:
            continue
        multiplier = audit.non_compliance_multiplier or rule.decimal("max_multiplier")
        eap = estimate.premium
        if rule.text("method") == "total":
            amount = work.rounding.line_amount(eap * (multiplier - ONE))
            text = (
                f"non-compliance: premium is {multiplier} × the estimated annual premium "
                f"{usd(eap)}, a charge of {usd(amount)}"
            )
        else:
            amount = work.rounding.line_amount(eap * multiplier)
            text = (
                f"non-compliance charge {multiplier} × the estimated annual premium "
                f"{usd(eap)} = {usd(amount)}"
            )
        code = "non_compliance." + ("total" if rule.text("method") == "total" else "charge")
        figures: tuple[tuple[str, object], ...] = (
            ("multiplier", multiplier),
            ("estimated", eap),
            ("amount", amount),
        )
        if rule.flag("add_audit_costs") and audit.audit_costs and not costs_charged:
            amount += audit.audit_costs
            costs_charged = True
            text += f", plus audit costs {usd(audit.audit_costs)}"
            code += ".costs"
            figures += (("costs", audit.audit_costs),)
        work.add(
            "non_compliance",
            amount,
            cite(
                rule,
                text,
                state=work.state,
                amount=amount,
                inputs=(("estimated_annual_premium", str(eap)), ("multiplier", str(multiplier))),
                code=code,
                figures=figures,
                path="$.audit",
            ),
        )
        work.flat += amount
        ctx.find(
            "non_compliance",
            f"records were not provided: estimated audit with a "
            f"non-compliance charge of {usd(amount)}; refer to underwriting",
            work.state,
            "$.audit.type",
            (("amount", amount),),
        )
