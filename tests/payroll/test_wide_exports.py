"""ADP Workforce Now custom reports: one column per earnings, deduction, hours, tax or memo code,
headed CODE_Description_Kind. Earnings columns are mapped by their code through the ADP code set
(a code it does not name is unmapped), deferral deductions (401(k), Section 125) are read, other
deductions, hours and taxes are not pay. Figures are summed in the test from its own table of the
file's cells; the policy runs from 2025-01-01 to 2026-01-01."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from trueup.payroll.ingest import (
    Ingested,
    Options,
    RegisterError,
    custom_profile,
    detect_profile,
    ingest,
    profiles,
    read_register,
)
from trueup.payroll.ingest.columns import _long

EXPORTS = Path(__file__).parent / "exports"
WFN = EXPORTS / "adp_wfn_custom_report.csv"
EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)
# The insured's employee table: the report has no class column.
CLASSES = {
    "000101": ("IN", "9079"),
    "000102": ("IN", "8742"),
    "000103": ("IN", "9079"),
}
GTL_REASON = "group-term life insurance imputed income: not remuneration (NCCI Rule 2-B)"
SPIFF = "SPF_Sales Spiff_Earnings"
GTL = "GTL_Group Term Life_Earnings"
# Each data row's amounts by column (spreadsheet row → column → dollars); blank cells left out.
CELLS: dict[int, dict[str, str]] = {
    2: {
        "REG_Regular_Earnings": "1600.00",
        "OT_Overtime_Earnings": "180.00",
        "401K$_Deduction": "80.00",
        "MED_Medical_Deduction": "45.00",
        "S125_Section 125_Deduction": "20.00",
    },
    3: {
        "REG_Regular_Earnings": "2500.00",
        "B_Bonus_Earnings": "500.00",
        SPIFF: "150.00",
        GTL: "12.40",
        "401K$_Deduction": "125.00",
        "MED_Medical_Deduction": "60.00",
    },
    4: {
        "REG_Regular_Earnings": "1600.00",
        "OT_Overtime_Earnings": "90.00",
        "401K$_Deduction": "80.00",
        "MED_Medical_Deduction": "45.00",
        "S125_Section 125_Deduction": "20.00",
    },
    5: {
        "REG_Regular_Earnings": "2500.00",
        SPIFF: "275.50",
        GTL: "12.40",
        "401K$_Deduction": "125.00",
        "MED_Medical_Deduction": "60.00",
    },
    6: {
        "REG_Regular_Earnings": "1120.00",
        "OT_Overtime_Earnings": "42.00",
        "B_Bonus_Earnings": "100.00",
    },
}
CATEGORY = {
    "REG_Regular_Earnings": "regular",
    "OT_Overtime_Earnings": "overtime_total",
    "B_Bonus_Earnings": "bonus",
    "401K$_Deduction": "deferred_401k",
    "S125_Section 125_Deduction": "section_125",
}


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def summed(category: dict[str, str]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for cells in CELLS.values():
        for column, amount in cells.items():
            if column in category:
                key = category[column]
                totals[key] = totals.get(key, 0) + cents(amount)
    return totals


def column_cents(column: str) -> tuple[int, int]:
    """(rows, cents) of a column in the table."""
    found = [cents(cells[column]) for cells in CELLS.values() if column in cells]
    return len(found), sum(found)


def read(**options: object) -> Ingested:
    frame = read_register(WFN.read_bytes(), WFN.name)
    profile = detect_profile(frame.columns)
    assert profile.key == "adp_wfn"
    return ingest(
        frame,
        profile,
        Options(EFFECTIVE, EXPIRATION, employee_classes=CLASSES, **options),  # type: ignore[arg-type]
    )


def test_the_table_in_this_test_is_the_file() -> None:
    with WFN.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for number, row in enumerate(rows, start=2):
        for column in CELLS[number]:
            assert row[column].replace(",", "") == CELLS[number][column], (number, column)
        filled = {c for c, v in row.items() if v and c.endswith(("_Earnings", "_Deduction"))}
        assert filled == set(CELLS[number]), number


def test_an_adp_workforce_now_custom_report_is_recognised_by_its_code_columns() -> None:
    frame = read_register(WFN.read_bytes(), WFN.name)
    assert detect_profile(frame.columns).key == "adp_wfn"
    # The same employee columns without a column per code are no such report.
    plain = frame.select("Payroll Name", "File Number", "Pay Date", "Gross Pay", "_row")
    try:
        found = detect_profile(plain.columns).key
    except RegisterError:
        found = None
    assert found != "adp_wfn"


def test_earnings_map_by_code_and_deferrals_are_read_while_other_deductions_are_not_pay() -> None:
    result = read()
    assert result.totals == summed(CATEGORY)
    assert result.totals["regular"] == 932000
    assert result.gross_cents == 932000 + 31200 + 60000
    assert result.rows_read == result.rows_used == 5
    assert result.rows_excepted == 0


def test_an_earnings_code_the_code_set_does_not_name_is_unmapped_and_its_row_is_still_used() -> (
    None
):
    result = read()
    spiff_rows, spiff_cents = column_cents(SPIFF)
    gtl_rows, gtl_cents = column_cents(GTL)
    assert result.unmapped == [
        {"code": "GTL", "column": GTL, "rows": gtl_rows, "first_row": 3, "cents": gtl_cents},
        {"code": "SPF", "column": SPIFF, "rows": spiff_rows, "first_row": 3, "cents": spiff_cents},
    ]
    assert spiff_cents == 42550
    assert sorted(
        (row, column, kind) for row, column, kind, _ in result.exceptions.iter_rows()
    ) == [
        (3, GTL, "unmapped_code"),
        (3, SPIFF, "unmapped_code"),
        (5, GTL, "unmapped_code"),
        (5, SPIFF, "unmapped_code"),
    ]
    # Bob Cruz's rows are used for what is mapped: his regular pay and bonus.
    cruz = [line for line in result.lines if line["employee"] == "Cruz, Bob"]
    assert [line["gross"] for line in cruz] == [Decimal("5500.00")]


def test_after_the_auditors_answers_the_report_is_read_to_the_cent() -> None:
    result = read(codes={"spf": "commission"}, excluded_codes={"gtl": GTL_REASON})
    assert result.unmapped == []
    gtl_rows, gtl_cents = column_cents(GTL)
    assert result.excluded == [
        {"code": "GTL", "reason": GTL_REASON, "rows": gtl_rows, "cents": gtl_cents}
    ]
    assert result.totals == summed({**CATEGORY, SPIFF: "commission"})
    assert result.gross_cents == 932000 + 31200 + 60000 + 42550
    kinds = sorted((row, kind) for row, _, kind, _ in result.exceptions.iter_rows())
    assert kinds == [(3, "excluded_code"), (5, "excluded_code")]
    assert result.rows_read == result.rows_used == 5


def test_the_department_job_and_location_columns_are_read_for_class_assignment() -> None:
    frame = read_register(WFN.read_bytes(), WFN.name)
    rows = (
        _long(frame, profiles()["adp_wfn"])
        .rows.select("_row", "department", "job", "location", "state")
        .unique()
        .sort("_row")
        .collect()
    )
    assert rows.row(0) == (2, "OPS - Operations", "Line Cook", "Indianapolis", "IN")
    assert rows.row(4) == (6, "OPS - Operations", "Dishwasher", "Indianapolis", "IN")


def test_a_column_the_profile_does_not_name_that_holds_amounts_is_unmapped() -> None:
    text = (
        "Name,File Number,Pay Date,Worked In State,REG_Regular_Earnings,Stipend,Notes\n"
        "Ann Lee,1,01/10/2025,IN,900.00,50.00,first check\n"
        "Bob Cruz,2,01/10/2025,IN,800.00,,\n"
    )
    frame = read_register(text.encode(), "wfn.csv")
    options = Options(
        EFFECTIVE, EXPIRATION, employee_classes={"1": ("IN", "8810"), "2": ("IN", "8810")}
    )
    result = ingest(frame, detect_profile(frame.columns), options)
    assert result.unmapped == [
        {"code": "Stipend", "column": "Stipend", "rows": 1, "first_row": 2, "cents": 5000}
    ]
    assert result.totals == {"regular": 170000}
    answered = ingest(
        frame,
        detect_profile(frame.columns),
        Options(
            EFFECTIVE,
            EXPIRATION,
            employee_classes={"1": ("IN", "8810"), "2": ("IN", "8810")},
            codes={"stipend": "regular"},
        ),
    )
    assert answered.unmapped == []
    assert answered.totals == {"regular": 175000}


def test_a_fixed_column_register_still_leaves_columns_it_does_not_name_unread() -> None:
    text = (
        "Employee,Check Date,Work State,WC Class,Regular Earnings,Stipend\n"
        "Ann Lee,01/10/2025,IN,8810,900.00,50.00\n"
    )
    frame = read_register(text.encode(), "gusto.csv")
    profile = detect_profile(frame.columns)
    assert profile.key == "gusto"
    result = ingest(frame, profile, Options(EFFECTIVE, EXPIRATION))
    assert result.unmapped == []
    assert result.totals == {"regular": 90000}
    # Unless the auditor names it.
    named = ingest(frame, profile, Options(EFFECTIVE, EXPIRATION, codes={"stipend": "bonus"}))
    assert named.totals == {"bonus": 5000, "regular": 90000}


def test_hours_and_taxes_alone_are_not_pay_and_the_row_is_accounted_for() -> None:
    frame = pl.DataFrame(
        {
            "File Number": ["1", "2"],
            "Payroll Name": ["Ann Lee", "Bob Cruz"],
            "Pay Date": ["01/10/2025", "01/10/2025"],
            "Worked In State": ["IN", "IN"],
            "REG_Regular_Earnings": ["900.00", ""],
            "REG_Regular_Hours": ["40.00", "8.00"],
            "FIT_Federal Income Tax_Taxes": ["90.00", "12.00"],
            "_row": [2, 3],
        }
    )
    options = Options(
        EFFECTIVE, EXPIRATION, employee_classes={"1": ("IN", "8810"), "2": ("IN", "8810")}
    )
    result = ingest(frame, detect_profile(frame.columns), options)
    assert result.totals == {"regular": 90000}
    assert [(row, kind) for row, _, kind, _ in result.exceptions.iter_rows()] == [(3, "not_pay")]
    assert result.rows_read == result.rows_used + result.rows_excepted == 2


def test_a_report_naming_the_employee_name_and_a_memo_column_is_read_by_its_alternatives() -> None:
    text = (
        "Name,File Number,Pay Date,Work State,WC Code,REG_Regular_Earnings,"
        "ERMED_Employer Medical_Memo,XP_Expense Reimbursement_Reimbursement\n"
        "Ann Lee,1,01/10/2025,IN,8810,900.00,310.00,42.15\n"
    )
    frame = read_register(text.encode(), "wfn.csv")
    result = ingest(frame, detect_profile(frame.columns), Options(EFFECTIVE, EXPIRATION))
    assert [(line["employee"], line["state"], line["class_code"]) for line in result.lines] == [
        ("Ann Lee", "IN", "8810")
    ]
    # The memo is not pay; a kind of column the profile does not know is asked about, by its
    # whole header.
    assert result.unmapped == [
        {
            "code": "XP_Expense Reimbursement_Reimbursement",
            "column": "XP_Expense Reimbursement_Reimbursement",
            "rows": 1,
            "first_row": 2,
            "cents": 4215,
        }
    ]
    excluded = ingest(
        frame,
        detect_profile(frame.columns),
        Options(
            EFFECTIVE,
            EXPIRATION,
            excluded_codes={"XP_Expense Reimbursement_Reimbursement": "receipts on file"},
        ),
    )
    assert excluded.unmapped == []
    assert excluded.excluded == [
        {
            "code": "XP_Expense Reimbursement_Reimbursement",
            "reason": "receipts on file",
            "rows": 1,
            "cents": 4215,
        }
    ]
    assert excluded.totals == {"regular": 90000}


def test_a_wide_register_reads_a_column_headed_by_a_code_of_its_code_set() -> None:
    mapping = custom_profile(
        "payroll_summary",
        {
            "shape": "wide",
            "codeset": "quickbooks",
            "unknown_columns": "earnings",
            "columns": {"employee": "Employee", "state": "State", "class_code": "Class"},
            "earnings": {"Hourly Rate": "regular"},
        },
    )
    text = (
        "Employee,State,Class,Hourly Rate,Vacation Salary,Sales Spiff\n"
        "Ann Lee,IN,8810,900.00,120.00,35.00\n"
    )
    result = ingest(
        read_register(text.encode(), "summary.csv"), mapping, Options(EFFECTIVE, EXPIRATION)
    )
    assert result.totals == {"regular": 90000, "vacation_holiday_sick": 12000}
    assert result.unmapped == [
        {"code": "Sales Spiff", "column": "Sales Spiff", "rows": 1, "first_row": 2, "cents": 3500}
    ]
