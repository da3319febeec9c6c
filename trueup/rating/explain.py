"""Plain language: why the audited premium differs from the estimate.

This is the core of the results letter and the auditor's outreach script: the outcome, the largest
drivers by state and class, and what the rules changed in the payroll.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from trueup.rating.context import usd
from trueup.rating.money import ZERO
from trueup.rating.result import AdjustmentLine, Result

BASIS_WORDS = {
    "payroll": "payroll",
    "gross_sales": "gross sales",
    "total_cost": "total cost",
    "area": "area (sq ft)",
    "admissions": "admissions",
    "each": "count",
    "units": "units",
}
CHARGE_WORDS = {
    "expense_constant": "the expense constant",
    "terrorism": "the terrorism charge",
    "catastrophe": "the catastrophe charge",
    "minimum_premium": "the minimum premium",
    "non_compliance": "the non-compliance charge",
    "one_way_audit": "the one-way audit (no return premium)",
    "rounding": "rounding",
}
RULE_WORDS = {
    "overtime": "overtime premium excluded",
    "remuneration.tips": "tips excluded",
    "remuneration.severance": "severance pay excluded",
    "remuneration.military_pay": "military pay excluded",
    "remuneration.section_125": "Section 125 reductions",
    "remuneration.deferred_401k": "401(k) deferrals",
    "remuneration.employer_benefits": "employer benefit contributions",
    "remuneration.reimbursements_substantiated": "expense reimbursements",
    "remuneration.reimbursements_unsubstantiated": "unsupported reimbursements added",
    "remuneration.meals_lodging": "meals and lodging",
    "payroll_cap": "per-employee payroll cap",
}


def explain(result: Result, drivers: int = 5) -> str:
    """A short plain-language summary of the result and its largest drivers."""
    return "\n".join(explain_lines(result, drivers))


def explain_lines(result: Result, drivers: int = 5) -> list[str]:
    lines = [_headline(result)]
    ranked = sorted(
        (a for a in result.adjustments if a.difference and a.item != "rounding"),
        key=lambda a: (-abs(a.difference), a.state, a.item),
    )
    if ranked:
        lines.append("Largest changes:")
        lines.extend(f"- {_driver(a, result.line)}" for a in ranked[:drivers])
        rest = sum((a.difference for a in ranked[drivers:]), ZERO)
        if len(ranked) > drivers:
            lines.append(f"- {len(ranked) - drivers} smaller change(s): {_signed(rest)}")

    rule_totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for exposure in result.audited.exposures:
        for reason in exposure.reasons:
            if reason.rule in RULE_WORDS and reason.amount:
                rule_totals[reason.rule] += reason.amount
    notes = [
        f"{RULE_WORDS[rule]}: {_signed(amount)} of payroll"
        for rule, amount in sorted(rule_totals.items(), key=lambda i: i[1])
    ]
    notes += [f.message for f in result.findings]
    notes += [reason.text for reason in result.audited.exclusions]
    if notes:
        lines.append("What the rules changed:")
        lines.extend(f"- {note}" for note in notes)
    return lines


def _headline(result: Result) -> str:
    est, aud, diff = result.estimated_premium, result.audited_premium, result.adjustment
    what = {
        "additional": f"an additional premium of {usd(diff)}",
        "return": f"a return premium of {usd(-diff)}",
        "zero": "no change in premium",
    }[result.outcome]
    text = (
        f"Policy {result.policy_number} ({result.line}, {result.period_start} to "
        f"{result.period_end}, {result.audit_type} audit): audited premium {usd(aud)} "
        f"against the estimated {usd(est)}, {what}."
    )
    if result.adjustment_vs_billed is not None and result.billed_premium is not None:
        vs = result.adjustment_vs_billed
        owed = (
            ("the insured owes " + usd(vs))
            if vs > 0
            else ("the insured is due " + usd(-vs))
            if vs < 0
            else "nothing is owed either way"
        )
        text += f" Against the {usd(result.billed_premium)} billed, {owed}."
    return text


def _driver(a: AdjustmentLine, line: str) -> str:
    if not a.is_class:
        what = CHARGE_WORDS.get(a.item, a.item.replace("_", " "))
        return (
            f"{what} ({a.state}): {usd(a.estimated_premium)} → {usd(a.audited_premium)}: "
            f"{_signed(a.difference)}"
        )
    basis = "payroll" if line == "WC" else "exposure"
    est, aud = a.estimated_exposure or ZERO, a.audited_exposure or ZERO
    if est == aud:
        return (
            f"class {a.item} in {a.state}: {basis} unchanged at {_amount(aud, line)}, "
            f"premium {_signed(a.difference)} (other factors)"
        )
    if not est:
        return (
            f"class {a.item} in {a.state} was not on the estimate: "
            f"{_amount(aud, line)} of {basis} found: {_signed(a.difference)}"
        )
    if not aud:
        return (
            f"no {basis} found in class {a.item} in {a.state} "
            f"(estimated {_amount(est, line)}): {_signed(a.difference)}"
        )
    verb = "rose" if aud > est else "fell"
    return (
        f"{basis} in class {a.item} in {a.state} {verb} from {_amount(est, line)} to "
        f"{_amount(aud, line)}: {_signed(a.difference)}"
    )


def _amount(value: Decimal, line: str) -> str:
    return usd(value) if line == "WC" else f"{value:,}"


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + usd(amount)
