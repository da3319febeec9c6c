"""Remuneration: gross pay → payroll for premium, by the rule book's inclusions and exclusions."""

from __future__ import annotations

from decimal import Decimal

from trueup.rating.context import Context, PayItem, cite, fact, usd
from trueup.rating.money import ZERO, cents, parse_fraction
from trueup.rating.result import Reason
from trueup.rating.rulebook import RuleVersion
from trueup.rating.worksheet import PayrollLine

# Parts of gross pay the rule book may take out ("of which" amounts).
WITHIN_GROSS = ("tips", "severance", "military_pay", "section_125", "deferred_401k")
# Amounts paid on top of gross that the rule book may add.
BEYOND_GROSS = (
    "employer_benefits",
    "reimbursements_substantiated",
    "reimbursements_unsubstantiated",
    "meals_lodging",
)
# What a remuneration rule does to an item, as a reason's code.
EFFECT_CODES = {
    "excluded": "excluded",
    "stay in payroll": "included",
    "added to payroll": "added",
    "not payroll": "not_payroll",
}
LABELS = {
    "tips": "tips and gratuities",
    "severance": "severance pay",
    "military_pay": "active military duty pay",
    "section_125": "Section 125 salary reductions",
    "deferred_401k": "401(k) salary deferrals",
    "employer_benefits": "employer group insurance/pension contributions",
    "reimbursements_substantiated": "substantiated expense reimbursements",
    "reimbursements_unsubstantiated": "expense reimbursements without records",
    "meals_lodging": "value of meals and lodging",
}


def payroll_items(ctx: Context) -> list[PayItem]:
    items: list[PayItem] = []
    for index, line in enumerate(ctx.worksheet.audited.payroll):
        path = f"$.audited.payroll[{index}]"
        who = f"{line.employee}: " if line.employee else ""
        if line.wrap_up:
            ctx.exclusions.append(
                fact(
                    f"{who}{usd(line.gross)} of {line.state} payroll is covered by a wrap-up "
                    "(OCIP/CCIP) policy and is not rated on this policy",
                    state=line.state,
                    amount=line.gross,
                    path=path,
                    code="wrap_up",
                    figures=(("employee", line.employee or ""), ("amount", line.gross)),
                )
            )
            continue
        if line.covered_elsewhere and line.labor_source in ("temporary", "leased"):
            ctx.exclusions.append(
                fact(
                    f"{who}{usd(line.gross)} of {line.labor_source} labor is insured by the "
                    "labor contractor (certificate on file) and is not rated on this policy",
                    state=line.state,
                    amount=line.gross,
                    path=path,
                    code=f"labor_contractor.{line.labor_source}",
                    figures=(("employee", line.employee or ""), ("amount", line.gross)),
                )
            )
            continue
        items.append(_remuneration(ctx, line, path))
    return items


def _plan(ctx: Context, state: str) -> list[tuple[str, RuleVersion, int, str]]:
    """For one state: each remuneration item, its rule, and its effect on payroll (-1 taken out,
    +1 added, 0 none) with the words for it. Built once per state per rating."""
    key = ("remuneration", state)
    plan: list[tuple[str, RuleVersion, int, str]] | None = ctx.memo.get(key)  # type: ignore[assignment]
    if plan is None:
        rules = ctx.rules(state)
        plan = []
        for name in WITHIN_GROSS:
            rule = rules.require(f"remuneration.{name}")
            excluded = rule.text("treatment") == "exclude"
            plan.append(
                (name, rule, -1 if excluded else 0, "excluded" if excluded else "stay in payroll")
            )
        for name in BEYOND_GROSS:
            rule = rules.require(f"remuneration.{name}")
            included = rule.text("treatment") == "include"
            plan.append(
                (
                    name,
                    rule,
                    1 if included else 0,
                    "added to payroll" if included else "not payroll",
                )
            )
        ctx.memo[key] = plan
    return plan


def _remuneration(ctx: Context, line: PayrollLine, path: str) -> PayItem:
    state = line.state
    who = f"{line.employee}: " if line.employee else ""
    source = "" if line.labor_source == "employee" else f" ({line.labor_source} labor)"
    reasons = [
        fact(
            "{}gross pay{} {}",
            state=state,
            amount=line.gross,
            path=path,
            args=(who, source, line.gross),
            code="gross_pay" + ("" if line.labor_source == "employee" else f".{line.labor_source}"),
            figures=(("employee", line.employee or ""), ("amount", line.gross)),
        )
    ]
    amount = line.gross
    amount += _overtime(ctx, line, path, reasons)
    for name, rule, effect, words in _plan(ctx, state):
        value: Decimal = getattr(line, name)
        if not value:
            continue
        change = value * effect
        amount += change
        reasons.append(
            cite(
                rule,
                "{} {} {}",
                state=state,
                amount=change,
                path=f"{path}.{name}",
                args=(LABELS[name], value, words),
                code=f"remuneration.{EFFECT_CODES[words]}",
                figures=(("item", name), ("amount", value)),
            )
        )
    return PayItem(
        state=state,
        class_code=line.class_code,
        amount=cents(amount),
        reasons=reasons,
        path=path,
        employee=line.employee,
        records_support_division=line.records_support_division,
        hourly_rate=_hourly_rate(line),
        split_period=line.split_period,
    )


def _overtime(ctx: Context, line: PayrollLine, path: str, reasons: list[Reason]) -> Decimal:
    """The (negative) overtime adjustment to gross pay."""
    if not (line.overtime_premium or line.overtime_total or line.double_time_total):
        return ZERO
    rule = ctx.rules(line.state).require("overtime")
    state = line.state
    if rule.text("method") == "include":
        reasons.append(
            cite(
                rule,
                "overtime pay stays in payroll in full in this state",
                state=state,
                amount=ZERO,
                path=path,
                code="overtime.included",
            )
        )
        return ZERO
    if rule.flag("requires_records", True) and not line.overtime_records:
        reasons.append(
            cite(
                rule,
                "no adequate overtime records: nothing excluded for overtime",
                state=state,
                amount=ZERO,
                path=f"{path}.overtime_records",
                code="overtime.no_records",
            )
        )
        return ZERO
    change = ZERO
    if line.overtime_premium:
        # The premium portion given is what comes off, also beside the total it is part of:
        # the total then takes no fraction below.
        change -= line.overtime_premium
        inputs: tuple[tuple[str, str], ...] = (("overtime_premium", str(line.overtime_premium)),)
        words = "overtime premium portion {} excluded"
        args: tuple[object, ...] = (line.overtime_premium,)
        code = "overtime.premium_excluded"
        figures: tuple[tuple[str, object], ...] = (("premium", line.overtime_premium),)
        if line.overtime_total:
            inputs += (("overtime_total", str(line.overtime_total)),)
            words = "overtime premium portion {} of total overtime pay {} excluded"
            args += (line.overtime_total,)
            code = "overtime.premium_of_total_excluded"
            figures += (("total", line.overtime_total),)
        reasons.append(
            cite(
                rule,
                words,
                state=state,
                amount=-line.overtime_premium,
                path=f"{path}.overtime_premium",
                inputs=inputs,
                args=args,
                code=code,
                figures=figures,
            )
        )
    # Overtime shown only as totals: the rule book says what share of each total is premium.
    totals = (
        ("overtime_total", "time_and_a_half_excluded", "total overtime pay {} at time-and-a-half"),
        ("double_time_total", "double_time_excluded", "double-time pay {}"),
    )
    for field, key, words in totals:
        total: Decimal = getattr(line, field)
        if not total or (field == "overtime_total" and line.overtime_premium):
            continue
        fraction, factor = _fraction(ctx, rule, key)
        excluded = cents(total * factor)
        change -= excluded
        reasons.append(
            cite(
                rule,
                "{} of " + words + " excluded: {}",
                state=state,
                amount=-excluded,
                path=f"{path}.{field}",
                inputs=((field, str(total)), ("fraction", fraction)),
                args=(fraction, total, excluded),
                code=f"overtime.{field}_excluded",
                figures=(("fraction", fraction), ("total", total), ("excluded", excluded)),
            )
        )
    return change


def _fraction(ctx: Context, rule: RuleVersion, key: str) -> tuple[str, Decimal]:
    """A rule's fraction as written ("1/3") and as a number, read once per rating."""
    memo_key = ("fraction", id(rule), key)
    found: tuple[str, Decimal] | None = ctx.memo.get(memo_key)  # type: ignore[assignment]
    if found is None:
        text = rule.text(key)
        found = ctx.memo[memo_key] = (text, parse_fraction(text))
    return found


def _hourly_rate(line: PayrollLine) -> Decimal | None:
    """The regular (straight-time) hourly wage, for dual-wage classes."""
    if line.hourly_rate is not None:
        return line.hourly_rate
    if not line.hours:
        return None
    # Hours are all hours worked, so only the premium part of overtime comes off: a third of
    # pay at time-and-a-half, half of pay at double time (arithmetic, not a rule-book choice).
    # A premium portion given is the premium, also beside the total it is part of.
    premium = line.overtime_premium or line.overtime_total / 3
    straight = (
        line.gross
        - premium
        - line.double_time_total / 2
        - line.tips
        - line.severance
        - line.military_pay
    )
    return straight / line.hours
