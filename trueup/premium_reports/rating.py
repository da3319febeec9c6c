"""A premium report rated by the engine as an interim part of the term: the reported exposure is
the payroll of the days the report covers, the estimate is prorated to them, and the term's annual
charges (the expense constant, the minimum premium, the premium discount's grading) are earned
for those days, with the engine's reasons for every figure."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from trueup.audits.worksheet import period_worksheet
from trueup.policies.models import PolicyPeriod
from trueup.rating import default_rulebook, rate_worksheet
from trueup.rating import worksheet as ws
from trueup.rating.context import usd
from trueup.rating.jsonio import to_jsonable
from trueup.rating.money import cents
from trueup.rating.validate import validate
from trueup.reference.selectors import rates_in_use


@dataclass(frozen=True)
class Line:
    state: str
    class_code: str
    exposure: Decimal


@dataclass(frozen=True)
class Rated:
    premium: Decimal
    reasons: list[str]
    rating: dict[str, Any]


def term_days(period: PolicyPeriod) -> int:
    return (period.expiration - period.effective).days


def covered_days(covers_from: date, covers_to: date) -> int:
    """Days a report covers, its last day included."""
    return (covers_to - covers_from).days + 1


# A problem with one payroll line: "$.audited.payroll[3].gross".
LINE_PATH = re.compile(r"^\$\.audited\.payroll\[(\d+)\](?:\.(\w+))?")


@dataclass(frozen=True)
class LineProblem:
    index: int | None  # the payroll line's, or None for the lines as a whole
    field: str
    reason: str


def _sheet(
    period: PolicyPeriod, payroll: tuple[ws.PayrollLine, ...], interim: ws.Interim | None = None
) -> ws.Worksheet:
    """The period's worksheet (as an audit of it is rated) with ``payroll`` as an interim audit's
    facts, for the part of the term ``interim`` covers when given."""
    sheet = period_worksheet(period)
    return replace(
        sheet,
        policy=replace(sheet.policy, interim=interim, cancellation=None),
        audited=ws.AuditFacts(payroll=payroll),
        audit=ws.Audit(type="interim"),
    )


def payroll_exposures(
    period: PolicyPeriod, payroll: Sequence[ws.PayrollLine]
) -> tuple[list[Line], list[LineProblem]]:
    """The exposure the engine takes from these payroll lines, by state and class: each state's
    rules on overtime, tips, severance and the rest applied as at an audit. Or, when the engine
    refuses lines, what it refuses in which line (and no exposure)."""
    sheet, rates = _sheet(period, tuple(payroll)), rates_in_use()
    problems = []
    for problem in validate(sheet, default_rulebook(), rates):
        match = LINE_PATH.match(problem.path)
        if match is not None:
            problems.append(LineProblem(int(match.group(1)), match.group(2) or "", problem.reason))
        elif problem.path.startswith("$.audited"):
            problems.append(LineProblem(None, "", problem.reason))
    if problems:
        return [], problems
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for exposure in rate_worksheet(sheet, rates=rates).audited.exposures:
        totals[(exposure.state, exposure.class_code)] += exposure.amount
    lines = [Line(state, code, cents(amount)) for (state, code), amount in sorted(totals.items())]
    return lines, []


def rate_report(
    period: PolicyPeriod, covers_from: date, covers_to: date, lines: list[Line]
) -> Rated:
    """The premium for ``lines`` over the days from ``covers_from`` to ``covers_to``."""
    interim = ws.Interim(covers_from, covers_to + timedelta(days=1))
    payroll = tuple(ws.PayrollLine(line.state, line.class_code, line.exposure) for line in lines)
    result = rate_worksheet(_sheet(period, payroll, interim), rates=rates_in_use())
    days, year = covered_days(covers_from, covers_to), term_days(period)
    reasons = [f"{line.state} {line.class_code}: {usd(line.exposure)} reported" for line in lines]
    reasons.append(
        f"rated for the {days} of the term's {year} days the report covers, the term's annual "
        f"charges earned for those days: {usd(result.audited_premium)}"
    )
    return Rated(result.audited_premium, reasons, to_jsonable(result))
