"""What every step of one rating shares: the worksheet, the rule book, the rates, the findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from trueup.rating.rates import ClassRate, RateTable
from trueup.rating.result import Finding, Reason, new_reason, usd
from trueup.rating.rulebook import RuleBook, RuleVersion, StateRules
from trueup.rating.worksheet import Worksheet


@dataclass(slots=True)
class PayItem:
    """A piece of audited payroll on its way to an exposure line (internal, mutable)."""

    state: str
    class_code: str | None
    amount: Decimal
    reasons: list[Reason]
    path: str
    employee: str | None = None
    kind: str = "payroll"  # payroll | owner | subcontractor
    records_support_division: bool = True
    hourly_rate: Decimal | None = None
    split_period: date | None = None


@dataclass
class Context:
    worksheet: Worksheet
    rulebook: RuleBook
    rates: RateTable
    findings: list[Finding] = field(default_factory=list)
    exclusions: list[Reason] = field(default_factory=list)
    # Per-rating memo: the same state's rules and class rates are asked for on every line. It
    # holds only what follows from the worksheet, rule book and rates, so both sides share it.
    memo: dict[object, object] = field(default_factory=dict)

    @property
    def rating_date(self) -> date:
        return self.worksheet.policy.effective

    def rules(self, state: str) -> StateRules:
        found = self.memo.get(state)
        if found is None:
            found = self.memo[state] = self.rulebook.rules_for(state, self.rating_date)
        return found  # type: ignore[return-value]

    def rate(self, state: str, class_code: str) -> ClassRate | None:
        key = ("rate", state, class_code)
        if key not in self.memo:
            self.memo[key] = self.rates.lookup(
                state, self.worksheet.policy.line, class_code, self.rating_date
            )
        return self.memo[key]  # type: ignore[return-value]

    def rate_value(self, state: str, class_code: str) -> Decimal:
        found = self.rate(state, class_code)
        # Validation guarantees a rate for every class before rating starts.
        assert found is not None, f"no rate for {state} {class_code}"
        return found.rate

    def find(
        self,
        code: str,
        message: str,
        state: str | None = None,
        path: str | None = None,
        figures: tuple[tuple[str, object], ...] = (),
    ) -> None:
        self.findings.append(Finding(code, message, state, path, figures))


def cite(
    rule: RuleVersion,
    text: str,
    *,
    state: str,
    amount: Decimal | None = None,
    inputs: tuple[tuple[str, str], ...] = (),
    path: str | None = None,
    args: tuple[object, ...] = (),
    code: str = "",
    figures: tuple[tuple[str, object], ...] = (),
) -> Reason:
    """A reason that names the rule-book version it applies. With ``args``, ``text`` is a
    ``str.format`` template rendered when the reason is read; ``code`` and ``figures`` say it
    as data for readers in other languages."""
    return new_reason(
        (
            rule.rule_id,
            text,
            amount,
            state,
            rule.effective,
            rule.source,
            rule.status,
            inputs,
            path,
            args,
            rule.jurisdiction if rule.inherited_by else None,
            code,
            figures,
        )
    )


def fact(
    text: str,
    *,
    state: str | None,
    amount: Decimal | None,
    path: str | None,
    args: tuple[object, ...] = (),
    code: str = "",
    figures: tuple[tuple[str, object], ...] = (),
) -> Reason:
    """A reason that is a fact from the worksheet rather than a rule."""
    return new_reason(
        ("worksheet", text, amount, state, None, "", "fact", (), path, args, None, code, figures)
    )


__all__ = ["Context", "PayItem", "cite", "fact", "usd"]
