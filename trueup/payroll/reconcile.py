"""Reconciling a register to its tax filings, quarter by quarter: each expected difference
explained (Section 125, 401(k), …), the rest flagged against a tolerance. No database: only
the clock, for the rules in force today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.core import clock, ruledata
from trueup.core.money import usd_of_cents as _usd
from trueup.payroll.ingest import categories

RULES = Path(__file__).with_name("reconcile.toml")


def rules(on: date | None = None) -> dict[str, Any]:
    """The reconciliation rules in force on the day (today by default)."""
    return ruledata.load(RULES).on(on or clock.today())


@dataclass(frozen=True)
class Filing:
    kind: str  # "form_941" or "state_ui"
    quarter: str  # "2025Q1"
    state: str = ""
    line_2: int | None = None  # cents
    line_5c: int | None = None
    total_wages: int | None = None


@dataclass(frozen=True)
class Comparison:
    quarter: str
    figure: str  # what was compared, e.g. "941 line 2 (…)"
    register_gross: int
    adjustments: tuple[tuple[str, int], ...]  # (why, cents taken off the register's gross)
    expected: int
    filed: int
    unexplained: int
    tolerance: int
    flagged: bool
    source: str

    def explain(self) -> list[str]:
        lines = [f"{self.quarter} {self.figure}: register gross pay {_usd(self.register_gross)}"]
        lines += [f"  − {why} {_usd(amount)}" for why, amount in self.adjustments]
        lines.append(f"  = expected {_usd(self.expected)}; filed {_usd(self.filed)}")
        verdict = "over the tolerance" if self.flagged else "within the tolerance"
        lines.append(
            f"  unexplained {_usd(self.unexplained)}, {verdict} of {_usd(self.tolerance)}"
            f" ({self.source})"
        )
        return lines


def _gross(totals: Mapping[str, int]) -> int:
    known = categories()
    return sum(cents for category, cents in totals.items() if known[category].in_gross)


def _tolerance(filed: int) -> int:
    data = rules()
    percent = Decimal(data["tolerance_percent"])
    by_percent = int((abs(Decimal(filed)) * percent / 100).to_integral_value())
    return max(by_percent, int(data["tolerance_cents"]))


def _compare(
    quarter: str, totals: Mapping[str, int], rule: Mapping[str, Any], filed: int
) -> Comparison:
    gross = _gross(totals)
    adjustments = tuple(
        (f"{name.replace('_', ' ')} (not in this figure)", totals.get(name, 0))
        for name in rule["excludes"]
        if totals.get(name, 0)
    )
    expected = gross - sum(amount for _, amount in adjustments)
    unexplained = filed - expected
    tolerance = _tolerance(filed)
    return Comparison(
        quarter=quarter,
        figure=rule["label"],
        register_gross=gross,
        adjustments=adjustments,
        expected=expected,
        filed=filed,
        unexplained=unexplained,
        tolerance=tolerance,
        flagged=abs(unexplained) > tolerance,
        source=rule["source"],
    )


def reconcile(
    register: Mapping[str, Mapping[str, int]],
    filings: list[Filing],
    register_by_state: Mapping[str, Mapping[str, Mapping[str, int]]] | None = None,
) -> list[Comparison]:
    """Compare each filing's figures with the register's quarter (cents by category; for state
    reports, that state's part of the register)."""
    data = rules()
    comparisons = []
    for filing in filings:
        if filing.kind == "form_941":
            totals = register.get(filing.quarter, {})
            for line, filed in (("line_2", filing.line_2), ("line_5c", filing.line_5c)):
                if filed is not None:
                    rule = data["form_941"][line]
                    comparisons.append(_compare(filing.quarter, totals, rule, filed))
        elif filing.kind == "state_ui" and filing.total_wages is not None:
            by_state = register_by_state or {}
            totals = by_state.get(filing.state, {}).get(filing.quarter, {})
            rule = data["state_ui"].get(filing.state, data["state_ui"]["default"])
            comparisons.append(_compare(filing.quarter, totals, rule, filing.total_wages))
    return comparisons
