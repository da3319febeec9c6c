"""Exposure lines → a state's standard premium. WC in NCCI order: manual → increased limits,
deductible, deviation, waiver → subject → experience mod (per split period) → modified → schedule
rating, assigned-risk surcharge → standard → short rate (cancellations). GL: exposure ÷ the basis
unit × rate per class."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from trueup.rating.context import Context, cite, usd
from trueup.rating.exposures import mod_periods
from trueup.rating.money import HUNDRED, ONE, ZERO
from trueup.rating.periods import short_rate_percent
from trueup.rating.rates import ClassRate
from trueup.rating.result import (
    ClassPremium,
    ExposureLine,
    Reason,
    new_class_premium,
    new_reason,
    new_step,
)
from trueup.rating.working import _State
from trueup.rating.worksheet import PremiumAdjustment

ADJUSTMENT_LABELS = {
    "increased_limits": "increased employer's liability limits",
    "deductible_credit": "deductible credit",
    "deviation": "deviation",
    "waiver_of_subrogation": "waiver of subrogation",
    "other": "other premium adjustment",
}


def _class_premium(
    ctx: Context, work: _State, line: ExposureLine, divisor: Decimal, per: str
) -> ClassPremium:
    found = ctx.rate(line.state, line.class_code)
    assert found is not None
    amount, rate = line.amount, found.rate
    manual = work.rounding.line_amount(amount * rate / divisor)
    money_basis = line.basis in MONEY_BASES
    rate_text = str(rate)
    reason = new_reason(
        (
            "rate_table",
            "class {}: {} × {} per {} = {}",
            manual,
            line.state,
            found.effective,
            _rate_source(ctx, found),
            found.status or "published",
            (("exposure", str(amount)), ("rate", rate_text), ("per", per)),
            None,
            (line.class_code, amount if money_basis else f"{amount:,}", rate_text, per, manual),
            None,
            "rate" if money_basis else "rate.units",
            (
                ("class", line.class_code),
                ("exposure", amount),
                ("rate", rate_text),
                ("per", per),
                ("manual", manual),
            ),
        )
    )
    return new_class_premium(
        (
            line.state,
            line.class_code,
            line.basis,
            amount,
            rate,
            manual,
            manual,
            reason,
            line.period_start,
        )
    )


# Bases measured in dollars: their exposure is shown as money.
MONEY_BASES = frozenset({"payroll", "gross_sales", "total_cost"})


def _rate_source(ctx: Context, found: ClassRate) -> str:
    description = f" ({found.description})" if found.description else ""
    return f"rate table {ctx.rates.version}{description}"


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
    rule = SUBTOTAL_RULES[code]
    figures = (("amount", amount),)
    reason = new_reason(
        (
            rule,
            template,
            amount,
            work.state,
            None,
            "",
            "derived",
            (),
            None,
            (amount,),
            None,
            rule,
            figures,
        )
    )
    work.steps.append(new_step((code, amount, reason, True)))


SUBTOTAL_RULES = {code: f"premium.{code}" for code in ("manual", "subject", "modified", "standard")}


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
    # The words are rendered when read: each period's subject premium (in dollars), factor and
    # start.
    said: list[object] = []
    parts: list[tuple[Decimal, Decimal, date | None]] = []
    for period_start, subject in sorted(subject_by_period.items(), key=lambda i: i[0] or date.min):
        # Lines carry no period when the state has a single mod period.
        mod = periods[0][1] if period_start is None else by_start[period_start]
        factor = mod.factor if mod is not None else ONE
        modified_total += work.rounding.line_amount(subject * factor)
        when = "" if period_start is None else f" from {period_start}"
        said += (subject, str(factor), when)
        parts.append((subject, factor, period_start))
    mod_change = modified_total - subject_total
    # Shown whenever the policy gives a mod, even one that changes nothing.
    if mod_change or experience_mods:
        work.add(
            "experience_mod",
            mod_change,
            Reason(
                "premium.experience_mod",
                "experience modification: " + "; ".join(["{} × {}{}"] * len(parts)) + " = {}",
                mod_change,
                work.state,
                status="fact",
                args=(*said, modified_total),
                path="$.policy.experience_mods" if experience_mods else None,
                **_mod_figures(parts, modified_total),
            ),
        )
    _subtotal(work, "modified", "modified premium {}", modified_total)
    return modified_total


def _mod_figures(
    parts: list[tuple[Decimal, Decimal, date | None]], modified: Decimal
) -> dict[str, Any]:
    """The code and figures of the mod's step, for readers in other languages: one mod's
    subject premium and factor, or each mod period's with the day it starts."""
    if len(parts) == 1 and parts[0][2] is None:
        subject, factor, _ = parts[0]
        figures = (("subject", subject), ("factor", factor), ("modified", modified))
        return {"code": "experience_mod", "figures": figures}
    if not parts or any(start is None for _, _, start in parts):
        return {}
    split: list[tuple[str, object]] = [("parts", len(parts)), ("modified", modified)]
    for n, (subject, factor, start) in enumerate(parts, 1):
        split += [(f"subject_{n}", subject), (f"factor_{n}", factor), (f"from_{n}", start)]
    return {"code": "experience_mod.split", "figures": tuple(split)}


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
            code="short_rate",
            figures=(
                ("days", days),
                ("percent", percent),
                ("annualized", rnd.line_amount(standard * term_days / days)),
                ("earned", earned),
            ),
        ),
    )
    return earned


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
