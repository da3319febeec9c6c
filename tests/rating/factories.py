"""Builders for engine tests: short worksheets with only the facts a test is about.

Rates in tests come from small CSV tables written in the test (``rate_table``), so worked examples
do not move when the illustrative demo rates change. The rule book is the real, shipped one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from trueup.rating import RateTable, Result, rate_worksheet
from trueup.rating.result import Finding
from trueup.rating.worksheet import (
    AuditFacts,
    Estimate,
    Owner,
    PayrollLine,
    Policy,
    Subcontractor,
    Worksheet,
)

D = Decimal
HEADER = "state,line,class,basis,effective,rate,minimum_premium,description,status\n"


def rate_table(*rows: str, effective: str = "2020-01-01") -> RateTable:
    """Rows such as ``"IN WC 5645 5.43"``, ``"IN WC 5645 5.43 min=750"``, ``"IN GL 1 8.1 area"``."""
    lines = []
    for row in rows:
        parts = row.split()
        state, line, code, rate = parts[:4]
        basis, minimum = "payroll", ""
        for extra in parts[4:]:
            if extra.startswith("min="):
                minimum = extra[4:]
            else:
                basis = extra
        lines.append(f"{state},{line},{code},{basis},{effective},{rate},{minimum},,illustrative\n")
    return RateTable.from_csv_text(HEADER + "".join(lines), "test-rates")


def policy(**overrides: Any) -> Policy:
    base = Policy(
        line="WC",
        number="WC-TEST",
        effective=date(2025, 1, 1),
        expiration=date(2026, 1, 1),
        states=("IN",),
        premium_discount=False,
    )
    return replace(base, **overrides)


def worksheet(
    *,
    policy_: Policy | None = None,
    estimated: list[Estimate] | None = None,
    payroll: list[PayrollLine] | None = None,
    owners: list[Owner] | None = None,
    subcontractors: list[Subcontractor] | None = None,
    **policy_overrides: Any,
) -> Worksheet:
    return Worksheet(
        policy=policy_ or policy(**policy_overrides),
        estimated=tuple(estimated or [Estimate("IN", "5645", D("100000"))]),
        audited=AuditFacts(
            payroll=tuple(payroll or ()),
            owners=tuple(owners or ()),
            subcontractors=tuple(subcontractors or ()),
        ),
    )


def audited_exposure(result: Result, state: str, class_code: str) -> Decimal:
    """The audited exposure for one state and class, summed over mod periods."""
    return sum(
        (
            e.amount
            for e in result.audited.exposures
            if e.state == state and e.class_code == class_code
        ),
        D(0),
    )


def rate(ws: Worksheet, rates: RateTable) -> Result:
    return rate_worksheet(ws, rates=rates)


def audit_findings(result: Result) -> list[Finding]:
    """The findings about the audit's facts, without the notes on rules taken from the NCCI
    default (tested on their own in test_jurisdictions)."""
    return [f for f in result.findings if f.code != "inherited_rule"]
