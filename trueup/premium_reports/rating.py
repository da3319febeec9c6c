"""A premium report rated by the engine as an interim part of the term: the reported exposure is
the payroll of the days the report covers, the estimate is prorated to them, and the term's annual
charges (the expense constant, the minimum premium, the premium discount's grading) are earned
for those days, with the engine's reasons for every figure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from trueup.policies.models import PolicyPeriod
from trueup.rating import rate_worksheet
from trueup.rating import worksheet as ws
from trueup.rating.context import usd
from trueup.rating.jsonio import to_jsonable
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


def rate_report(
    period: PolicyPeriod,
    covers_from: date,
    covers_to: date,
    lines: list[Line],
    sheet: ws.Worksheet,
) -> Rated:
    """The premium for ``lines`` over the days from ``covers_from`` to ``covers_to``, rated on
    ``sheet``: the period's worksheet as an audit of it is rated (``audits.worksheet``)."""
    interim = ws.Interim(covers_from, covers_to + timedelta(days=1))
    payroll = tuple(ws.PayrollLine(line.state, line.class_code, line.exposure) for line in lines)
    sheet = replace(
        sheet,
        policy=replace(sheet.policy, interim=interim, cancellation=None),
        audited=ws.AuditFacts(payroll=payroll),
        audit=ws.Audit(type="interim"),
    )
    result = rate_worksheet(sheet, rates=rates_in_use())
    days, year = covered_days(covers_from, covers_to), term_days(period)
    reasons = [f"{line.state} {line.class_code}: {usd(line.exposure)} reported" for line in lines]
    reasons.append(
        f"rated for the {days} of the term's {year} days the report covers, the term's annual "
        f"charges earned for those days: {usd(result.audited_premium)}"
    )
    return Rated(result.audited_premium, reasons, to_jsonable(result))
