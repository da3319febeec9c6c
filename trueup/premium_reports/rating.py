"""A premium report rated by the engine: the period's worksheet with the reported exposure as
the audited payroll. Premiums are annual (the expense constant, the premium discount's grading),
so the report's exposure is taken to a year, rated, and the premium brought back to the days the
report covers, rounded once."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from trueup.audits.worksheet import engine_mods
from trueup.policies.models import PolicyPeriod
from trueup.rating import default_rulebook, rate_worksheet
from trueup.rating import worksheet as ws
from trueup.rating.jsonio import to_jsonable
from trueup.rating.money import CENT, cents, quantize
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


def engine_policy(period: PolicyPeriod) -> ws.Policy:
    """The period as the engine's policy, as an audit of it is rated (``audits.worksheet``)."""
    mods = engine_mods(period.experience_mods)
    return ws.Policy(
        line=period.policy.line,
        number=period.policy.number,
        effective=period.effective,
        expiration=period.expiration,
        states=tuple(period.states),
        insured_name=period.policy.insured.name,
        experience_mods=mods,
        premium_discount=period.premium_discount,
        assigned_risk=period.assigned_risk,
    )


# A problem with one payroll line: "$.audited.payroll[3].gross".
LINE_PATH = re.compile(r"^\$\.audited\.payroll\[(\d+)\](?:\.(\w+))?")


@dataclass(frozen=True)
class LineProblem:
    index: int | None  # the payroll line's, or None for the lines as a whole
    field: str
    reason: str


def _sheet(period: PolicyPeriod, payroll: tuple[ws.PayrollLine, ...]) -> ws.Worksheet:
    estimated = tuple(
        ws.Estimate(e.state, e.class_code, e.exposure, e.basis) for e in period.estimates.all()
    )
    return ws.Worksheet(
        engine_policy(period), estimated, ws.AuditFacts(payroll=payroll), ws.Audit(type="interim")
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
    days, year = covered_days(covers_from, covers_to), term_days(period)
    payroll = tuple(
        ws.PayrollLine(
            state=line.state, class_code=line.class_code, gross=line.exposure * year / days
        )
        for line in lines
    )
    result = rate_worksheet(_sheet(period, payroll), rates=rates_in_use())
    premium = quantize(result.audited_premium * days / year, CENT)
    reasons = [f"{line.state} {line.class_code}: ${line.exposure:,} reported" for line in lines]
    reasons.append(
        f"the reported exposure, taken to a full year, rates at ${result.audited_premium:,}; "
        f"the report covers {days} of the term's {year} days: ${premium:,}"
    )
    return Rated(premium, reasons, to_jsonable(result))
