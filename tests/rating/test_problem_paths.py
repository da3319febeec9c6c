"""Validation names each problem of an estimate and a payroll line by its JSON path, in the
worksheet's order: the paths are spelled only for the lines that have a problem, and each is the
line's own."""

from __future__ import annotations

from datetime import date

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


# Each kind of problem a payroll line can have, alone on a worksheet of good lines: the lines are
# first checked together, and a problem of any kind must still send them to the line-by-line
# check that names it.
ONE_PROBLEM = [
    ({"tips": D("-1")}, "tips", "must not be negative"),
    ({"hours": D("0")}, "hours", "must be greater than zero"),
    ({"hourly_rate": D("-2")}, "hourly_rate", "must not be negative"),
    (
        {"overtime_total": D("30"), "overtime_premium": D("40")},
        "overtime_premium",
        "the overtime premium portion 40 is more than the total overtime pay 30 it is part of",
    ),
    (
        {"section_125": D("60"), "double_time_total": D("50")},
        "gross",
        "gross pay 100 is less than the amounts it includes (overtime, tips, severance, "
        "military pay, deferrals: 110)",
    ),
    (
        {"labor_source": "robots"},
        "labor_source",
        "must be one of employee, casual, temporary, leased",
    ),
    ({"split_period": date(2026, 6, 1)}, "split_period", "must fall within the audit period"),
    ({"class_code": "9999"}, "class", "no WC rate for class 9999 in IN in force on 2025-01-01"),
]


@pytest.mark.parametrize(("fields", "field", "reason"), ONE_PROBLEM)
def test_a_single_problem_among_good_payroll_lines_is_still_named(fields, field, reason):
    line = {"state": "IN", "class_code": "5645", "gross": D("100"), "employee": "Bo", **fields}

    found = problems_of(
        payroll=[
            PayrollLine("IN", "5645", D("1000"), employee="Ann"),
            PayrollLine(**line),
            PayrollLine("IN", "8810", D("500"), employee="Cy", hours=D("20")),
        ]
    )

    assert [(path, text.split(" (rates ")[0]) for path, text in found] == [
        (f"$.audited.payroll[1].{field}", reason)
    ]


def test_good_lines_beside_pay_without_a_class_pass_the_line_by_line_check_and_are_rated():
    lines = [
        PayrollLine("IN", "5645", D("1000"), employee="Ann", overtime_total=D("90")),
        PayrollLine("IN", "8810", D("500"), employee="Cy", hours=D("20"), tips=D("5")),
        # Pay without a class is apportioned: checked line by line, and fine.
        PayrollLine("IN", None, D("50"), employee="Cy"),
    ]

    result = rate(worksheet(payroll=lines), RATES)

    # A third of the overtime total and Indiana's tips come off; Cy's $50 goes to 8810.
    assert [str(e.amount) for e in result.audited.exposures] == ["970.00", "545.00"]
