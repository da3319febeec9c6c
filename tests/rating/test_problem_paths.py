"""Validation names each problem of an estimate and a payroll line by its JSON path, in the
worksheet's order: the paths are spelled only for the lines that have a problem, and each is the
line's own."""

from __future__ import annotations

import pytest

from tests.rating.factories import D, rate, rate_table, worksheet
from trueup.rating import WorksheetError
from trueup.rating.worksheet import Estimate, PayrollLine

RATES = rate_table("IN WC 5645 5.43", "IN WC 8810 0.17")


def problems_of(**parts: object) -> list[tuple[str, str]]:
    with pytest.raises(WorksheetError) as raised:
        rate(worksheet(**parts), RATES)  # type: ignore[arg-type]
    return [(p.path, p.reason) for p in raised.value.problems]


def test_each_bad_estimate_is_named_by_its_own_index_and_field():
    found = problems_of(
        estimated=[
            Estimate("IN", "5645", D("1000")),
            Estimate("IN", "8810", D("-5")),
            Estimate("IN", "9999", D("10")),
            Estimate("IN", "5645", D("10"), basis="area"),
        ]
    )

    assert found == [
        ("$.estimated[1].exposure", "must not be negative"),
        (
            "$.estimated[2].class",
            f"no WC rate for class 9999 in IN in force on 2025-01-01 (rates {RATES.version})",
        ),
        ("$.estimated[3].basis", "class 5645 is rated on payroll, not area"),
    ]


def test_each_bad_payroll_line_is_named_by_its_own_index_and_field():
    found = problems_of(
        payroll=[
            PayrollLine("IN", "5645", D("1000"), employee="Ann"),
            PayrollLine("IN", "5645", D("100"), employee="Bo", tips=D("-1"), hours=D("0")),
            PayrollLine("IN", "5645", D("100"), employee="Cy", section_125=D("150")),
            PayrollLine("IN", "9999", D("100"), employee="Di", labor_source="robots"),
        ]
    )

    assert found == [
        ("$.audited.payroll[1].tips", "must not be negative"),
        ("$.audited.payroll[1].hours", "must be greater than zero"),
        (
            "$.audited.payroll[2].gross",
            "gross pay 100 is less than the amounts it includes (overtime, tips, severance, "
            "military pay, deferrals: 150)",
        ),
        ("$.audited.payroll[3].labor_source", "must be one of employee, casual, temporary, leased"),
        (
            "$.audited.payroll[3].class",
            f"no WC rate for class 9999 in IN in force on 2025-01-01 (rates {RATES.version})",
        ),
    ]
