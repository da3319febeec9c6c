"""Remuneration: gross pay → payroll for premium, by the rule book's inclusions and exclusions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import compress

from trueup.rating.context import Context, PayItem, cite, fact, usd
from trueup.rating.money import ZERO, cents, parse_fraction
from trueup.rating.result import Reason, new_reason
from trueup.rating.rulebook import RuleVersion, StateRules
from trueup.rating.worksheet import LINE_AMOUNTS, PayrollLine, payroll_amounts

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
    # Each state's rules and plan, looked up once per rating.
    plans: dict[str, tuple[StateRules, Plan]] = {}
    for index, line in enumerate(ctx.worksheet.audited.payroll):
        path = f"$.audited.payroll[{index}]"
        if (line.wrap_up or line.covered_elsewhere) and _excluded(ctx, line, path):
            continue
        found = plans.get(line.state)
        if found is None:
            rules = ctx.rules(line.state)
            found = plans[line.state] = rules, rules.compiled("remuneration", partial(_plan, rules))
        rules, plan = found
        items.append(_remuneration(rules, plan, line, path))
    return items


def _excluded(ctx: Context, line: PayrollLine, path: str) -> bool:
    """Whether a line's pay is insured elsewhere (a wrap-up, or a labor contractor's policy),
    its exclusion noted; most lines are neither."""
    who = f"{line.employee}: " if line.employee else ""
    if line.wrap_up:
        text = (
            f"{who}{usd(line.gross)} of {line.state} payroll is covered by a wrap-up "
            "(OCIP/CCIP) policy and is not rated on this policy"
        )
        code = "wrap_up"
    elif line.covered_elsewhere and line.labor_source in ("temporary", "leased"):
        text = (
            f"{who}{usd(line.gross)} of {line.labor_source} labor is insured by the "
            "labor contractor (certificate on file) and is not rated on this policy"
        )
        code = f"labor_contractor.{line.labor_source}"
    else:
        return False
    ctx.exclusions.append(
        fact(
            text,
            state=line.state,
            amount=line.gross,
            path=path,
            code=code,
            figures=(("employee", line.employee or ""), ("amount", line.gross)),
        )
    )
    return True


@dataclass(frozen=True, slots=True)
class _Item:
    """One remuneration item of a state's plan: its rule, its effect on payroll (-1 taken out,
    +1 added, 0 none, a Decimal so that multiplying by it converts nothing) and the words, code,
    path suffix and figure for it, each made once. Slots, not a NamedTuple: the interpreter reads
    a slot faster than a NamedTuple's field, and a line's items are read field by field."""

    name: str
    label: str
    rule: RuleVersion
    effect: Decimal
    words: str
    code: str
    inherited_from: str | None
    suffix: str
    figure: tuple[str, str]


# A state's remuneration items, and a getter of their amounts from a payroll line.
Plan = tuple[tuple[_Item, ...], Callable[[PayrollLine], tuple[Decimal, ...]]]


def _plan(rules: StateRules) -> Plan:
    """For one state: each remuneration item with its rule, and a getter of the items' amounts
    from a payroll line in the same order. Built once per state's rules, for every rating."""
    items = []
    for name in WITHIN_GROSS:
        rule = rules.require(f"remuneration.{name}")
        excluded = rule.text("treatment") == "exclude"
        items.append(
            _item(name, rule, -1 if excluded else 0, "excluded" if excluded else "stay in payroll")
        )
    for name in BEYOND_GROSS:
        rule = rules.require(f"remuneration.{name}")
        included = rule.text("treatment") == "include"
        items.append(
            _item(
                name, rule, 1 if included else 0, "added to payroll" if included else "not payroll"
            )
        )
    return tuple(items), _item_amounts


# Where the items' amounts sit in ``payroll_amounts``: the parts after gross and overtime, in
# the items' order (checked here, so the two lists cannot drift apart).
_ITEMS_AT = slice(LINE_AMOUNTS.index(WITHIN_GROSS[0]), None)
if LINE_AMOUNTS[_ITEMS_AT] != (*WITHIN_GROSS, *BEYOND_GROSS):
    raise AssertionError("the remuneration items are not the last of a line's amounts")


def _item_amounts(line: PayrollLine) -> tuple[Decimal, ...]:
    """A line's ``WITHIN_GROSS`` then ``BEYOND_GROSS`` amounts."""
    return payroll_amounts(line)[_ITEMS_AT]


def _item(name: str, rule: RuleVersion, effect: int, words: str) -> _Item:
    inherited = rule.jurisdiction if rule.inherited_by else None
    code = f"remuneration.{EFFECT_CODES[words]}"
    return _Item(
        name,
        LABELS[name],
        rule,
        Decimal(effect),
        words,
        code,
        inherited,
        f".{name}",
        ("item", name),
    )


def _remuneration(rules: StateRules, plan: Plan, line: PayrollLine, path: str) -> PayItem:
    state = line.state
    employee = line.employee
    gross = line.gross
    who = f"{employee}: " if employee else ""
    if line.labor_source == "employee":
        source, code = "", "gross_pay"
    else:
        source, code = f" ({line.labor_source} labor)", f"gross_pay.{line.labor_source}"
    # Reasons are built from their fields in order (new_reason): a rating builds dozens.
    reasons = [
        new_reason(
            (
                "worksheet",
                "{}gross pay{} {}",
                gross,
                state,
                None,
                "",
                "fact",
                (),
                path,
                (who, source, gross),
                None,
                code,
                (("employee", employee or ""), ("amount", gross)),
            )
        )
    ]
    amount = gross
    if line.overtime_premium or line.overtime_total or line.double_time_total:
        amount += _overtime(rules, line, path, reasons)
    items, amounts_of = plan
    values = amounts_of(line)
    # Most items are zero on most lines: only the others are looked at, by their place in the
    # plan (zip's strict check, asked by keyword, costs more than the items looked at).
    for index in compress(range(len(items)), values):
        item, value = items[index], values[index]
        change = value * item.effect
        amount += change
        rule = item.rule
        reasons.append(
            new_reason(
                (
                    rule.rule_id,
                    "{} {} {}",
                    change,
                    state,
                    rule.effective,
                    rule.source,
                    rule.status,
                    (),
                    path + item.suffix,
                    (item.label, value, item.words),
                    item.inherited_from,
                    item.code,
                    (item.figure, ("amount", value)),
                )
            )
        )
    return PayItem(
        state,
        line.class_code,
        cents(amount),
        reasons,
        path,
        employee,
        "payroll",
        line.records_support_division,
        # Worked out only for a line with hours and no hourly rate (dual-wage classes).
        _hourly_rate(line) if line.hours and line.hourly_rate is None else line.hourly_rate,
        line.split_period,
    )


def _overtime(rules: StateRules, line: PayrollLine, path: str, reasons: list[Reason]) -> Decimal:
    """The (negative) overtime adjustment to gross pay, for a line with overtime."""
    state = line.state
    rule, included, needs_records = rules.compiled("overtime", partial(_overtime_rule, rules))
    if included:
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
    if needs_records and not line.overtime_records:
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
    for field, key, words, suffix, code in OVERTIME_TOTALS:
        total: Decimal = getattr(line, field)
        if not total or (field == "overtime_total" and line.overtime_premium):
            continue
        fraction, factor = _fraction(rules, rule, key)
        excluded = cents(total * factor)
        change -= excluded
        reasons.append(
            cite(
                rule,
                words,
                state=state,
                amount=-excluded,
                path=path + suffix,
                inputs=((field, str(total)), ("fraction", fraction)),
                args=(fraction, total, excluded),
                code=code,
                figures=(("fraction", fraction), ("total", total), ("excluded", excluded)),
            )
        )
    return change


# The overtime totals of a line: each one's field, the overtime rule's key for the share of it
# that is premium, and the words, path suffix and code of its reason, each made once.
OVERTIME_TOTALS = tuple(
    (field, key, "{} of " + words + " excluded: {}", f".{field}", f"overtime.{field}_excluded")
    for field, key, words in (
        ("overtime_total", "time_and_a_half_excluded", "total overtime pay {} at time-and-a-half"),
        ("double_time_total", "double_time_excluded", "double-time pay {}"),
    )
)


def _overtime_rule(rules: StateRules) -> tuple[RuleVersion, bool, bool]:
    """A state's overtime rule, whether overtime stays in payroll in full, and whether taking
    its premium out needs overtime records."""
    rule = rules.require("overtime")
    return rule, rule.text("method") == "include", rule.flag("requires_records", True)


def _fraction(rules: StateRules, rule: RuleVersion, key: str) -> tuple[str, Decimal]:
    """A rule's fraction as written ("1/3") and as a number, read once per state's rules."""
    return rules.compiled(("fraction", rule.rule_id, key), partial(_read_fraction, rule, key))


def _read_fraction(rule: RuleVersion, key: str) -> tuple[str, Decimal]:
    text = rule.text(key)
    return text, parse_fraction(text)


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
