"""The premium algorithm: exposure lines → premium by state, every step with its reason.

WC (NCCI order): manual → increased limits, deductible, deviation, waiver → subject → experience
mod (per split period) → modified → schedule rating, assigned-risk surcharge → standard → short
rate (cancellations) → premium discount (multistate average method) → expense constant, terrorism,
catastrophe → minimum premium → non-compliance charge (estimated audits) → rounding.
GL: exposure ÷ the basis unit × rate per class → minimum premium → rounding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from trueup.rating.context import Context, cite, usd
from trueup.rating.exposures import mod_periods
from trueup.rating.money import HUNDRED, ONE, ZERO, Rounding, allocate
from trueup.rating.periods import short_rate_percent
from trueup.rating.result import ClassPremium, ExposureLine, Rating, Reason, StatePremium, Step
from trueup.rating.rulebook import RuleVersion
from trueup.rating.worksheet import PremiumAdjustment

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
ADJUSTMENT_LABELS = {
    "increased_limits": "increased employer's liability limits",
    "deductible_credit": "deductible credit",
    "deviation": "deviation",
    "waiver_of_subrogation": "waiver of subrogation",
    "other": "other premium adjustment",
}


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
        self.steps.append(Step(code, amount, reason, subtotal))


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


def _class_premium(
    ctx: Context, work: _State, line: ExposureLine, divisor: Decimal, per: str
) -> ClassPremium:
    found = ctx.rate(line.state, line.class_code)
    assert found is not None
    manual = work.rounding.line_amount(line.amount * found.rate / divisor)
    money_basis = line.basis in ("payroll", "gross_sales", "total_cost")
    reason = Reason(
        rule="rate_table",
        template="class {}: {} × {} per {} = {}",
        args=(
            line.class_code,
            line.amount if money_basis else f"{line.amount:,}",
            str(found.rate),
            per,
            manual,
        ),
        amount=manual,
        state=line.state,
        effective=found.effective,
        source=f"rate table {ctx.rates.version}"
        + (f" ({found.description})" if found.description else ""),
        status=found.status or "published",
        inputs=(("exposure", str(line.amount)), ("rate", str(found.rate)), ("per", per)),
    )
    return ClassPremium(
        line.state,
        line.class_code,
        line.basis,
        line.amount,
        found.rate,
        manual,
        manual,
        reason,
        line.period_start,
    )


def _wc_to_standard(ctx: Context, work: _State, lines: list[ExposureLine]) -> None:
    """Manual premium to standard premium, in NCCI order, each step added to ``work``."""
    manual = _manual(ctx, work, lines)
    subject_by_period = _subject(ctx, work, manual)
    modified = _experience_mod(ctx, work, subject_by_period)
    standard = modified + _schedule_rating(ctx, work, modified)
    standard += _assigned_risk_surcharge(ctx, work, standard)
    _subtotal(work, "standard", "standard premium {}", standard)
    standard = _short_rate(ctx, work, standard)
    work.standard = standard
    work.variable = standard


def _subtotal(work: _State, code: str, template: str, amount: Decimal) -> None:
    work.add(
        code,
        amount,
        Reason(
            f"premium.{code}",
            template,
            amount,
            work.state,
            status="derived",
            args=(amount,),
        ),
        True,
    )


def _manual(ctx: Context, work: _State, lines: list[ExposureLine]) -> Decimal:
    """Each class's payroll × rate ÷ 100; their sum is the manual premium."""
    for line in lines:
        work.classes.append(_class_premium(ctx, work, line, HUNDRED, "$100 of payroll"))
        work.payroll += line.amount
    manual = sum((c.manual_premium for c in work.classes), ZERO)
    _subtotal(
        work, "manual", "manual premium {}: the sum of payroll × rate ÷ 100 for each class", manual
    )
    return manual


def _subject(ctx: Context, work: _State, manual: Decimal) -> dict[date | None, Decimal]:
    """Manual premium with the state's premium adjustments (increased limits, deductible,
    deviation, waiver), period by period: the experience mod applies to each period's own."""
    policy = ctx.worksheet.policy
    manual_by_period: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    for c in work.classes:
        manual_by_period[c.period_start] += c.manual_premium
    adjustments = [a for a in policy.premium_adjustments if a.state == work.state]
    subject_by_period: dict[date | None, Decimal] = {}
    adjustment_totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for period_start, period_manual in manual_by_period.items():
        subject = period_manual
        for index, adjustment in enumerate(adjustments):
            # Rounded per period: each period's subject premium is modified on its own.
            amount = work.rounding.line_amount(period_manual * adjustment.rate)
            adjustment_totals[index] += amount
            subject += amount
        subject_by_period[period_start] = subject
    for index, adjustment in enumerate(adjustments):
        _adjustment(ctx, work, adjustment, adjustment_totals[index], manual)
    _subtotal(work, "subject", "subject premium {}", sum(subject_by_period.values(), ZERO))
    return subject_by_period


def _adjustment(
    ctx: Context, work: _State, adjustment: PremiumAdjustment, amount: Decimal, manual: Decimal
) -> None:
    index = ctx.worksheet.policy.premium_adjustments.index(adjustment)
    work.add(
        adjustment.kind,
        amount,
        Reason(
            f"premium.{adjustment.kind}",
            f"{ADJUSTMENT_LABELS[adjustment.kind]} {adjustment.rate * 100:+}% of manual "
            f"premium {usd(manual)} = {usd(amount)}",
            amount,
            work.state,
            status="fact",
            inputs=(("rate", str(adjustment.rate)),),
            path=f"$.policy.premium_adjustments[{index}]",
        ),
    )


def _experience_mod(
    ctx: Context, work: _State, subject_by_period: dict[date | None, Decimal]
) -> Decimal:
    """Each period's subject premium × the mod in force then (split-period rating): the
    modified premium."""
    experience_mods = ctx.worksheet.policy.experience_mods
    subject_total = sum(subject_by_period.values(), ZERO)
    periods = mod_periods(ctx, work.state)
    by_start = {period.start: mod for period, mod in periods}
    modified_total = ZERO
    mod_texts: list[str] = []
    for period_start, subject in sorted(subject_by_period.items(), key=lambda i: i[0] or date.min):
        # Lines carry no period when the state has a single mod period.
        mod = periods[0][1] if period_start is None else by_start[period_start]
        factor = mod.factor if mod is not None else ONE
        modified_total += work.rounding.line_amount(subject * factor)
        when = "" if period_start is None else f" from {period_start}"
        mod_texts.append(f"{usd(subject)} × {factor}{when}")
    mod_change = modified_total - subject_total
    # Shown whenever the policy gives a mod, even one that changes nothing.
    if mod_change or experience_mods:
        work.add(
            "experience_mod",
            mod_change,
            Reason(
                "premium.experience_mod",
                f"experience modification: {'; '.join(mod_texts)} = {usd(modified_total)}",
                mod_change,
                work.state,
                status="fact",
                path="$.policy.experience_mods" if experience_mods else None,
            ),
        )
    _subtotal(work, "modified", "modified premium {}", modified_total)
    return modified_total


def _schedule_rating(ctx: Context, work: _State, modified: Decimal) -> Decimal:
    """The state's schedule credit or debit on the modified premium."""
    policy = ctx.worksheet.policy
    schedule = next((s for s in policy.schedule_rating if s.state == work.state), None)
    if schedule is None or not schedule.factor:
        return ZERO
    rule = ctx.rules(work.state).require("schedule_rating")
    amount = work.rounding.line_amount(modified * schedule.factor)
    work.add(
        "schedule_rating",
        amount,
        cite(
            rule,
            f"schedule rating {schedule.factor * 100:+}% of {usd(modified)} = {usd(amount)}",
            state=work.state,
            amount=amount,
            inputs=(("factor", str(schedule.factor)),),
            path="$.policy.schedule_rating",
        ),
    )
    return amount


def _assigned_risk_surcharge(ctx: Context, work: _State, premium: Decimal) -> Decimal:
    """An assigned-risk policy's surcharge on the premium above the state's threshold."""
    if not ctx.worksheet.policy.assigned_risk:
        return ZERO
    rule = ctx.rules(work.state).require("assigned_risk_surcharge")
    threshold, rate_ = rule.decimal("threshold"), rule.decimal("rate")
    amount = work.rounding.line_amount(max(ZERO, premium - threshold) * rate_)
    work.add(
        "assigned_risk_surcharge",
        amount,
        cite(
            rule,
            f"assigned-risk surcharge {rate_ * 100}% of premium above {usd(threshold)} = "
            f"{usd(amount)}",
            state=work.state,
            amount=amount,
            inputs=(("rate", str(rate_)), ("threshold", str(threshold))),
        ),
    )
    return amount


def _short_rate(ctx: Context, work: _State, standard: Decimal) -> Decimal:
    """A policy cancelled short rate earns the short-rate table's percent of the annualized
    standard premium; otherwise the standard premium stands."""
    policy = ctx.worksheet.policy
    cancellation = policy.cancellation
    if cancellation is None or cancellation.basis != "short_rate":
        return standard
    rnd = work.rounding
    rule = ctx.rules(work.state).require("cancellation")
    table = [(int(day), Decimal(str(pct))) for day, pct in rule.items("short_rate_table")]
    days, term_days = policy.audit_period.days, policy.term.days
    percent = short_rate_percent(days, table)
    earned = rnd.line_amount(standard * term_days / days * percent / HUNDRED)
    work.add(
        "short_rate",
        earned - standard,
        cite(
            rule,
            f"short-rate cancellation after {days} days: {percent}% of the annualized "
            f"premium {usd(rnd.line_amount(standard * term_days / days))} = {usd(earned)}",
            state=work.state,
            amount=earned - standard,
            inputs=(
                ("days_in_force", str(days)),
                ("term_days", str(term_days)),
                ("short_rate_percent", str(percent)),
            ),
            path="$.policy.cancellation",
        ),
    )
    return earned


def _discount_on(total: Decimal, rule: RuleVersion) -> Decimal:
    discount, lower = ZERO, ZERO
    for layer in rule.items("layers"):
        upper = Decimal(str(layer["up_to"])) if "up_to" in layer else None
        rate_ = Decimal(str(layer["rate"]))
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
    eligible: list[tuple[_State, RuleVersion]] = []
    for work in states:
        rules = ctx.rules(work.state)
        if short_rate and not rules.require("cancellation").flag("short_rate_premium_discount"):
            continue
        rule = rules.get(f"premium_discount.{policy.premium_discount_type}")
        if rule is None or not rule.flag("applies", True) or not rule.has("layers"):
            continue
        eligible.append((work, rule))
    total = sum((w.standard for w, _ in eligible), ZERO)
    if total <= ZERO:
        return
    multistate = len(eligible) > 1
    for work, rule in eligible:
        discount_on_total = _discount_on(total, rule)
        average = discount_on_total / total
        amount = work.rounding.line_amount(work.standard * average)
        if not amount:
            continue
        shown = (average * 100).quantize(Decimal("0.0001"))
        text = (
            f"premium discount: this state's table on the policy's total standard premium "
            f"{usd(total)} gives {usd(work.rounding.line_amount(discount_on_total))}, an average "
            f"of {shown}%, applied to {usd(work.standard)} = {usd(amount)}"
            if multistate
            else f"premium discount on standard premium {usd(work.standard)}: average {shown}% "
            f"= {usd(amount)}"
        )
        work.add(
            "premium_discount",
            -amount,
            cite(
                rule,
                text,
                state=work.state,
                amount=-amount,
                inputs=(("total_standard_premium", str(total)), ("average_rate", str(average))),
            ),
        )
        work.variable -= amount


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
    work.add(
        "expense_constant",
        amount,
        cite(rule, "expense constant {}{}", state=work.state, amount=amount, args=(amount, others)),
    )
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
        ),
    )
    work.flat += amount
    work.surcharges += amount  # charged on top of the minimum premium, not toward it


def _gl_state(ctx: Context, work: _State, lines: list[ExposureLine]) -> None:
    bases = ctx.rules(work.state).require("gl_bases")
    for line in lines:
        divisor = bases.decimal(line.basis)
        per = {
            "area": "1,000 sq ft",
            "admissions": "1,000 admissions",
            "each": "each",
            "units": "unit",
        }.get(line.basis, f"${divisor:,} of {line.basis.replace('_', ' ')}")
        work.classes.append(_class_premium(ctx, work, line, divisor, per))
    total = sum((c.manual_premium for c in work.classes), ZERO)
    work.add(
        "manual",
        total,
        cite(
            bases,
            f"premium by class {usd(total)}: exposure ÷ basis unit × rate",
            state=work.state,
            amount=total,
        ),
        True,
    )
    work.standard = work.variable = total


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
    minimum, prorate = _prorated_minimum(ctx, work, minimum)
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


def _prorated_minimum(ctx: Context, work: _State, minimum: Decimal) -> tuple[Decimal, str]:
    """A cancelled WC policy's minimum, prorated for the days in force where the state's rules
    say so, with the words saying how ("" when not prorated)."""
    policy = ctx.worksheet.policy
    cancellation = policy.cancellation
    if cancellation is None or policy.line != "WC":
        return minimum, ""
    rule = ctx.rules(work.state).require("cancellation")
    key = "pro_rata_minimum" if cancellation.basis == "pro_rata" else "short_rate_minimum"
    if rule.text(key, "full") != "prorate":
        return minimum, ""
    days, term_days = policy.audit_period.days, policy.term.days
    prorated = work.rounding.line_amount(minimum * days / term_days)
    return prorated, f", {usd(minimum)} prorated for {days} of {term_days} days = {usd(prorated)}"


def _class_minimum(ctx: Context, state: str, class_code: str) -> Decimal | None:
    """A class's minimum premium: the rate table's own figure, else the state's formula (WC)."""
    found = ctx.rate(state, class_code)
    assert found is not None
    if found.minimum_premium is not None:
        return found.minimum_premium
    if ctx.worksheet.policy.line == "GL":
        return None
    rules = ctx.rules(state)
    rule = rules.get("minimum_premium")
    if rule is None or not rule.flag("applies", True):
        return None
    amount = found.rate * rule.decimal("rate_multiplier")
    expense = rules.get("expense_constant")
    if rule.flag("add_expense_constant") and expense is not None and expense.flag("applies", True):
        amount += expense.decimal("amount")
    maximum = rule.optional_decimal("maximum")
    return min(amount, maximum) if maximum is not None else amount


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
    return cite(
        rule,
        formula,
        state=state,
        amount=minimum,
        inputs=(("rate", str(found.rate)), ("rate_multiplier", rule.text("rate_multiplier"))),
    )


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
        if rule.flag("add_audit_costs") and audit.audit_costs and not costs_charged:
            amount += audit.audit_costs
            costs_charged = True
            text += f", plus audit costs {usd(audit.audit_costs)}"
        work.add(
            "non_compliance",
            amount,
            cite(
                rule,
                text,
                state=work.state,
                amount=amount,
                inputs=(("estimated_annual_premium", str(eap)), ("multiplier", str(multiplier))),
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
        )


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
            ),
        )
    work.add(
        "total",
        premium,
        Reason(
            "premium.total",
            "{} premium {}",
            premium,
            work.state,
            status="derived",
            args=(work.state, premium),
        ),
        True,
    )
    shares = allocate(work.variable, [c.manual_premium for c in work.classes], work.rounding.line)
    classes = tuple(
        ClassPremium(
            c.state,
            c.class_code,
            c.basis,
            c.exposure,
            c.rate,
            c.manual_premium,
            share,
            c.reason,
            c.period_start,
        )
        for c, share in zip(work.classes, shares, strict=True)
    )
    return StatePremium(work.state, classes, tuple(work.steps), premium)
