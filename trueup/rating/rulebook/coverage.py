"""What the rule book holds for each state: which rules are the state's own and how sure they are,
and which stand in from the NCCI default. The README's state table and the engine's "inherited
rule" findings are built from here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache

from trueup.rating.rulebook import (
    DEFAULT_JURISDICTION,
    STRENGTH,
    RuleBook,
    StateRules,
    default_rulebook,
)

# Rules in words, as staff read them in findings and the state table.
RULE_TITLES = {
    "rounding": "rounding",
    "overtime": "overtime",
    "officers": "officer and owner payroll limits",
    "subcontractors": "uninsured subcontractors",
    "classification": "classification rules",
    "premium_discount": "premium discount",
    "expense_constant": "expense constant",
    "terrorism": "terrorism charge",
    "catastrophe": "catastrophe charge",
    "minimum_premium": "minimum premium",
    "schedule_rating": "schedule rating range",
    "assigned_risk_surcharge": "assigned-risk surcharge",
    "non_compliance": "non-compliance charge",
    "cancellation": "cancellation",
    "interim": "interim audits",
    "remuneration": "what counts as payroll",
    "gl_bases": "general liability premium bases",
}
# The state table's columns: the rule families a state files its own figures for.
FAMILIES = (
    "officers",
    "premium_discount",
    "expense_constant",
    "minimum_premium",
    "non_compliance",
    "remuneration",
    "overtime",
    "subcontractors",
    "classification",
    "terrorism",
    "catastrophe",
    "assigned_risk_surcharge",
    "schedule_rating",
    "cancellation",
    "rounding",
)
INHERITED = "inherited"
_ORDER = (*STRENGTH, INHERITED)
# The day the README's state table shows the rules in force on.
TABLE_DATE = date(2026, 1, 1)


@cache  # asked of every inherited figure of every rating
def family(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


def title(rule_id: str) -> str:
    return RULE_TITLES.get(family(rule_id), rule_id.replace("_", " "))


def default_rule_ids(book: RuleBook) -> list[str]:
    """Every rule the NCCI default defines but the countrywide ones: each state file declares
    each of them."""
    default = book.jurisdictions[DEFAULT_JURISDICTION]
    return sorted(r for r in default.rules if r not in default.countrywide)


def undeclared(book: RuleBook, state: str) -> list[str]:
    """Rules of the default that a state's file neither gives nor explicitly inherits."""
    own = book.jurisdictions[state].rules
    return [rule_id for rule_id in default_rule_ids(book) if rule_id not in own]


def statuses(rules: StateRules, rule_ids: Iterable[str]) -> str:
    """The statuses of the rules in force, weakest last; ``inherited`` for a default value."""
    found = set()
    for rule_id in rule_ids:
        version = rules.get(rule_id)
        if version is not None:
            found.add(INHERITED if version.inherited_by else version.status)
    return ", ".join(s for s in _ORDER if s in found) or "none"


def state_table(book: RuleBook, on: date) -> str:
    """A Markdown table: each private-carrier state × rule family, with the status in force on
    ``on`` (the state's own figure's status, or ``inherited`` from the NCCI default)."""
    ids = default_rule_ids(book)
    header = ["State", "Bureau", "Class codes", *(RULE_TITLES[f] for f in FAMILIES)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for state in book.states():
        jurisdiction = book.jurisdictions[state]
        if jurisdiction.monopolistic:
            continue
        rules = book.rules_for(state, on)
        cells = [statuses(rules, (i for i in ids if family(i) == f)) for f in FAMILIES]
        name = f"{state} {jurisdiction.name}"
        row = [name, _short(jurisdiction.bureau), jurisdiction.class_system]
        lines.append("| " + " | ".join(row + cells) + " |")
    return "\n".join(lines)


def _short(bureau: str) -> str:
    """The bureau's initials where its name gives them: "… (NCCI)" → "NCCI"."""
    found = re.search(r"\(([^()]*)\)\s*$", bureau)
    return found.group(1) if found else bureau


def monopolistic_table(book: RuleBook) -> str:
    lines = ["| State | Written by |", "|---|---|"]
    for state in book.states():
        jurisdiction = book.jurisdictions[state]
        if jurisdiction.monopolistic:
            lines.append(f"| {state} {jurisdiction.name} | {jurisdiction.state_fund} |")
    return "\n".join(lines)


if __name__ == "__main__":  # prints the README's tables: python -m trueup.rating.rulebook.coverage
    print(state_table(default_rulebook(), TABLE_DATE))
    print()
    print(monopolistic_table(default_rulebook()))
