"""Real payroll exports in the shapes insureds send them: QuickBooks Desktop's workers' comp
reports and its transposed Payroll Summary, a Gusto journal with a summary table above the
payroll, a Paychex register with its Cash Requirements below, a pay period written in one cell.

Each fixture in ``exports/`` holds invented people and amounts in the vendor's layout. Every
expected figure is summed here from the amounts as the fixture prints them (Decimal), never taken
from the importer; the register's own totals are checked against TrueUp's sums to the cent.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.payroll import services
from trueup.payroll.ingest import (
    Ingested,
    Options,
    RegisterError,
    detect_profile,
    ingest,
    read_register,
)
from trueup.payroll.ingest.exports import finish, read_export

EXPORTS = Path(__file__).parent / "exports"
EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)


def cents(*amounts: str) -> int:
    """Integer cents of the amounts as printed ("54,210.50"), summed."""
    total = sum((Decimal(a.replace(",", "")) for a in amounts), Decimal(0))
    return int(total * 100)


def read_data(data: bytes, name: str, **options: Any) -> Ingested:
    export = read_export(data, name)
    profile = detect_profile([c for c in export.frame.columns if not c.startswith("_")])
    chosen = Options(EFFECTIVE, EXPIRATION, default_state="IN", **options)
    return finish(ingest(export.frame, profile, chosen), export, chosen)


def read(name: str, **options: Any) -> Ingested:
    return read_data((EXPORTS / name).read_bytes(), name, **options)


def lines(result: Ingested) -> dict[tuple[str, str], int]:
    return {(str(x["class_code"]), str(x["employee"])): int(x["gross_cents"]) for x in result.lines}  # type: ignore[call-overload]


def kinds(result: Ingested) -> list[tuple[int, str, str]]:
    return [(row, column, kind) for row, column, kind, _ in result.exceptions.iter_rows()]


def stated(result: Ingested, label: str, column: str) -> dict[str, object]:
    return next(s for s in result.stated_totals if s["label"] == label and s["column"] == column)


# QuickBooks Desktop: Workers Comp by Code and Employee

BY_EMPLOYEE = "quickbooks_desktop_wc_by_code_and_employee.csv"
ANA, BEN, CARA, DALE, EVE = "54,210.50", "47,880.00", "41,600.00", "90,000.00", "6,400.00"


def test_the_workers_comp_by_code_and_employee_report_reads_employees_under_classes() -> None:
    result = read(BY_EMPLOYEE)
    assert result.profile.key == "quickbooks_wc_report"
    assert lines(result) == {
        ("5645", "Ana Ruiz"): cents(ANA),
        ("5645", "Ben Okafor"): cents(BEN),
        ("8810", "Cara Nguyen"): cents(CARA),
    }
    assert result.gross_cents == cents(ANA, BEN, CARA)
    assert result.totals == {"regular": cents(ANA, BEN, CARA), "overtime_premium": cents("612.25")}


def test_exempt_rows_are_left_out_and_named_with_their_dollars() -> None:
    result = read(BY_EMPLOYEE)
    exempt = result.exceptions.filter(result.exceptions["kind"] == "exempt")
    assert exempt["row"].to_list() == [13]
    assert "Exempt" in exempt["message"][0]
    assert "$90,000.00 left out" in exempt["message"][0]
    # Beside the exempt row, the "No WC Code" row waits for a class (a totals row is no pay).
    assert result.left_out == {
        "exempt": {"rows": 1, "cents": cents(DALE)},
        "no_class": {"rows": 1, "cents": cents(EVE)},
    }


def test_rows_under_no_wc_code_are_kept_without_a_class_for_the_auditor_to_assign() -> None:
    result = read(BY_EMPLOYEE)
    assert (16, "WC Code", "no_class") in kinds(result)
    assert any("“No WC Code” (gross wages $6,400.00) have no class" in n for n in result.notes)
    assigned = read(BY_EMPLOYEE, employee_classes={"Eve Temp": ("IN", "8810")})
    assert lines(assigned)[("8810", "Eve Temp")] == cents(EVE)
    assert assigned.gross_cents == cents(ANA, BEN, CARA, EVE)


def test_every_row_of_the_report_is_used_or_named_and_its_headings_are_said() -> None:
    result = read(BY_EMPLOYEE)
    # Employees 6, 7, 10, 13, 16; totals 8, 11, 14, 17, 18; headings 5, 9, 12, 15 are structure.
    assert result.rows_read == 10
    assert result.rows_used == 3
    assert result.rows_excepted == 7
    assert sorted(kinds(result)) == [
        (8, "", "totals_row"),
        (11, "", "totals_row"),
        (13, "", "exempt"),
        (14, "", "totals_row"),
        (16, "WC Code", "no_class"),
        (17, "", "totals_row"),
        (18, "", "totals_row"),
    ]
    assert result.tables == {
        "read": "rows 4–18: QuickBooks Workers Comp by Code and Employee (its header in row 4); "
        "class headings in rows 5, 9, 12, 15 give the class of the rows under them",
        "skipped": [],
    }


def test_the_reports_class_totals_and_grand_total_equal_trueups_sums() -> None:
    result = read(BY_EMPLOYEE)
    carpentry = stated(result, "Total 5645 · Carpentry", "Gross Wages")
    assert carpentry["stated_cents"] == carpentry["summed_cents"] == cents(ANA, BEN)
    clerical = stated(result, "Total 8810 · Clerical", "WC Wages")
    assert clerical["stated_cents"] == clerical["summed_cents"] == cents(CARA)
    grand = stated(result, "TOTAL", "Gross Wages")
    assert grand["row"] == 18
    assert grand["stated_cents"] == grand["summed_cents"] == cents(ANA, BEN, CARA, DALE, EVE)
    premium = stated(result, "TOTAL", "WC Premium")
    assert premium["summed_cents"] == cents("5,257.99", "4,697.03", "104.00")
    assert all(s["difference_cents"] == 0 for s in result.stated_totals)
    # Hours and rates are not money: not checked.
    assert {s["column"] for s in result.stated_totals} == {
        "Gross Wages",
        "OT Premium",
        "WC Wages",
        "WC Premium",
    }


def test_the_report_dates_are_the_check_date_basis_and_the_notes_say_so() -> None:
    result = read(BY_EMPLOYEE)
    assert any("without the checks behind them" in note for note in result.notes)
    assert (
        "The QuickBooks Workers Comp by Code and Employee covers 2025-01-01 to 2025-12-31, the "
        "policy period." in result.notes
    )


# QuickBooks Desktop: Workers Comp Detail, each paycheck under its class

DETAIL = "quickbooks_desktop_wc_detail.csv"


def test_the_workers_comp_detail_reads_each_paycheck_under_its_class_by_its_date() -> None:
    result = read(DETAIL)
    assert lines(result) == {
        ("5645", "Ana Ruiz"): cents("2,085.02"),
        ("5645", "Ben Okafor"): cents("1,841.54"),
    }
    assert result.totals == {
        "regular": cents("2,085.02", "1,841.54"),
        "overtime_premium": cents("23.55"),
    }
    assert kinds(result) == [
        (7, "Date", "outside_period"),
        (9, "", "totals_row"),
        (11, "WC Code", "no_class"),
        (12, "", "totals_row"),
        (13, "", "totals_row"),
    ]
    grand = stated(result, "TOTAL", "Gross Wages")
    assert (
        grand["stated_cents"]
        == grand["summed_cents"]
        == cents("2,085.02", "2,100.00", "1,841.54", "320.00")
    )
    assert all(s["difference_cents"] == 0 for s in result.stated_totals)
    assert result.notes == [
        "The QuickBooks Workers Comp Detail lists each paycheck by class: its check dates are "
        "filtered by the policy period.",
        "1 row(s) under “No WC Code” (gross wages $320.00) have no class: assign them one "
        "before committing.",
    ]


# QuickBooks Desktop: Workers Comp Summary, its TOTAL a deliberate $10.00 off

SUMMARY = "quickbooks_desktop_wc_summary_total_off.csv"


def test_a_summary_report_gives_class_totals_as_lines_and_says_it_has_no_detail() -> None:
    result = read(SUMMARY)
    assert lines(result) == {
        ("5645", "All employees (5645 · Carpentry)"): cents("51,045.25"),
        ("8810", "All employees (8810 · Clerical)"): cents("20,800.00"),
    }
    assert any("gives each class's totals, without the checks" in n for n in result.notes)
    assert (7, "", "exempt") in kinds(result)
    assert (8, "WC Code", "no_class") in kinds(result)


def test_a_grand_total_that_differs_from_the_rows_is_flagged_with_the_difference() -> None:
    result = read(SUMMARY)
    rows = ("51,045.25", "20,800.00", "45,000.00", "3,200.00")
    gross = stated(result, "TOTAL", "Gross Wages")
    assert gross == {
        "label": "TOTAL",
        "row": 9,
        "column": "Gross Wages",
        "stated_cents": cents("120,055.25"),
        "summed_cents": cents(*rows),
        "difference_cents": cents("120,055.25") - cents(*rows),
    }
    assert gross["difference_cents"] == 1000
    others = [s for s in result.stated_totals if s["column"] != "Gross Wages"]
    assert others and all(s["difference_cents"] == 0 for s in others)


def test_a_report_for_other_dates_than_the_policy_period_is_noted() -> None:
    result = read(SUMMARY)
    assert (
        "The QuickBooks Workers Comp Summary covers 2025-01-01 to 2025-06-30; the policy period "
        "is 2025-01-01 to 2025-12-31." in " ".join(result.notes)
    )


def test_a_report_for_another_year_says_none_of_it_belongs_to_the_policy() -> None:
    data = (
        (EXPORTS / SUMMARY)
        .read_bytes()
        .replace(b"January 1 through June 30, 2025", b"January through December 2024")
    )
    result = read_data(data, SUMMARY)
    assert (
        "The QuickBooks Workers Comp Summary covers 2024-01-01 to 2024-12-31, outside the policy "
        "period 2025-01-01 to 2025-12-31: none of its payroll belongs to this policy."
        in " ".join(result.notes)
    )


# QuickBooks Desktop: Payroll Summary, transposed

PAYROLL_SUMMARY = "quickbooks_desktop_payroll_summary.csv"
CLASSES = {"Ana Ruiz": ("IN", "5645"), "Ben Okafor": ("IN", "8810")}


def test_the_transposed_payroll_summary_was_refused_and_is_now_read() -> None:
    data = (EXPORTS / PAYROLL_SUMMARY).read_bytes()
    with pytest.raises(RegisterError, match="the column 'Hours' appears twice"):
        read_register(data, PAYROLL_SUMMARY)
    result = read(PAYROLL_SUMMARY, employee_classes=CLASSES)
    assert result.profile.key == "quickbooks_payroll_summary"
    assert lines(result) == {
        ("5645", "Ana Ruiz"): cents("50,000.00", "3,000.00", "500.00"),
        ("8810", "Ben Okafor"): cents("48,000.00", "1,000.00"),
    }
    assert result.totals == {
        "regular": cents("50,000.00", "48,000.00"),
        "overtime_total": cents("3,000.00"),
        "bonus": cents("500.00", "1,000.00"),
        "deferred_401k": cents("2,000.00", "1,500.00"),
    }


def test_every_payroll_summary_item_above_the_taxes_is_read_whatever_its_section() -> None:
    data = (
        (EXPORTS / PAYROLL_SUMMARY)
        .read_bytes()
        .replace(
            b"Adjusted Gross Pay,",
            b",Other Payments,,,,,,,,,,\n"
            b",,Mileage Reimb.,,,120.40,,,,,,120.40\n"
            b"Adjusted Gross Pay,",
        )
    )
    frame = read_export(data, PAYROLL_SUMMARY).frame
    assert frame.get_column("Mileage Reimb.").to_list() == ["120.40", "", "120.40"]
    assert frame.get_column("Employee").to_list() == ["Ana Ruiz", "Ben Okafor", "TOTAL"]
    # An item of the insured's own naming is not dropped: it waits to be mapped or excluded.
    export = read_export(data, PAYROLL_SUMMARY)
    options = Options(date(2025, 1, 1), date(2026, 1, 1), employee_classes=CLASSES)
    result = ingest(export.frame, detect_profile(export.frame.columns), options)
    assert [(u["code"], u["cents"]) for u in result.unmapped] == [
        ("Mileage Reimb.", cents("120.40"))
    ]


def test_payroll_summary_employees_without_a_class_are_named_at_their_column() -> None:
    result = read(PAYROLL_SUMMARY)
    # Ana Ruiz's amounts are in column F (6), Ben Okafor's in column I (9); TOTAL in L (12).
    assert kinds(result) == [(6, "", "no_class"), (9, "", "no_class"), (12, "", "totals_row")]
    assert any("column number" in note for note in result.notes)


def test_the_payroll_summary_total_column_checks_each_item_and_taxes_are_skipped() -> None:
    result = read(PAYROLL_SUMMARY, employee_classes=CLASSES)
    hourly = stated(result, "TOTAL", "Hourly Wage")
    assert hourly["stated_cents"] == hourly["summed_cents"] == cents("50,000.00")
    gross = stated(result, "TOTAL", "Total Gross Pay")
    assert gross["stated_cents"] == gross["summed_cents"] == cents("53,500.00", "49,000.00")
    assert all(s["difference_cents"] == 0 for s in result.stated_totals)
    assert str(result.tables["read"]).startswith("rows 4–16: QuickBooks Payroll Summary")
    assert "Ana Ruiz in column F" in str(result.tables["read"])
    assert result.tables["skipped"] == [
        {
            "rows": "17–23",
            "what": "taxes withheld, net pay and the employer's taxes and contributions: not "
            "payroll, skipped",
        }
    ]


# Gusto payroll journal with a summary table above, and a pay period in one cell

GUSTO = "gusto_journal_summary_above_pay_period.csv"


def test_a_summary_table_above_the_gusto_journal_is_skipped_and_named() -> None:
    result = read(GUSTO)
    assert result.tables == {
        "read": "rows 11–15: the payroll table (its header in row 11)",
        "skipped": [
            {
                "rows": "5–9",
                "what": "a table “Payroll Totals” (Check Date, Gross Earnings, Employee Taxes, "
                "Employer Taxes, Net Pay): not the payroll table, skipped",
            }
        ],
    }
    assert lines(result) == {
        ("5645", "Ana Ruiz"): cents("2,800.00", "350.00", "3,100.00"),
        ("8810", "Cara Nguyen"): cents("2,100.00", "200.00"),
    }
    assert kinds(result) == [(15, "", "totals_row")]
    regular = stated(result, "Total", "Regular Earnings")
    assert regular["stated_cents"] == regular["summed_cents"] == cents("8,000.00")
    net = stated(result, "Total", "Net Pay")
    assert net["summed_cents"] == cents("2,750.00", "2,010.00", "2,720.00")
    assert all(s["difference_cents"] == 0 for s in result.stated_totals)


STRADDLING = b"""Employee,Employee ID,Work State,WC Class,Check Date,Pay Period,Regular Earnings
Ana Ruiz,E1,IN,5645,01/09/2026,12/22/2025 - 01/04/2026,"1,400.00"
Ben Okafor,E2,IN,5645,01/10/2025,12/22/2024 to 01/04/2025,"2,800.00"
Cara Nguyen,E3,IN,8810,07/11/2025,2025-06-27 - 2025-07-10,"2,100.00"
"""


def test_a_pay_period_in_one_cell_prorates_the_earned_basis() -> None:
    result = read_data(STRADDLING, "journal.csv", basis="earned")
    # 12/22/2025–01/04/2026 is 14 days, 10 of them in the policy; 12/22/2024–01/04/2025 has 4.
    assert lines(result) == {
        ("5645", "Ana Ruiz"): int(Decimal("1400.00") * 10 / 14 * 100),
        ("5645", "Ben Okafor"): int(Decimal("2800.00") * 4 / 14 * 100),
        ("8810", "Cara Nguyen"): cents("2,100.00"),
    }


def test_on_the_check_date_basis_the_pay_period_changes_nothing() -> None:
    result = read_data(STRADDLING, "journal.csv")
    assert lines(result) == {
        ("5645", "Ben Okafor"): cents("2,800.00"),
        ("8810", "Cara Nguyen"): cents("2,100.00"),
    }
    assert (2, "Check Date", "outside_period") in kinds(result)


# Paychex register with its Cash Requirements below

PAYCHEX = "paychex_cash_req_below.csv"


def test_a_cash_requirements_table_below_the_paychex_register_is_skipped_and_named() -> None:
    result = read(PAYCHEX)
    assert result.tables == {
        "read": "rows 1–7: the payroll table (its header in row 1)",
        "skipped": [
            {
                "rows": "9–14",
                "what": "a table “Cash Requirements” (Description, Amount): not the payroll "
                "table, skipped",
            }
        ],
    }
    assert lines(result) == {
        ("5645", "Ana Ruiz"): cents("2,400.00", "180.00"),
        ("5645", "Ben Okafor"): cents("2,250.50"),
        ("8810", "Cara Nguyen"): cents("1,600.00", "150.00"),
    }
    assert result.rows_read == result.rows_used + result.rows_excepted == 6


def test_totals_are_recognised_by_their_labels_in_any_text_column() -> None:
    result = read(PAYCHEX)
    # "Total 5645" and "Total 8810" are in the Workers Comp Code column, "Company Total" in the
    # name column.
    assert kinds(result) == [(4, "", "totals_row"), (6, "", "totals_row"), (7, "", "totals_row")]
    carpentry = stated(result, "Total 5645", "Regular Pay")
    assert carpentry["stated_cents"] == carpentry["summed_cents"] == cents("2,400.00", "2,250.50")
    company = stated(result, "Company Total", "Gross Pay")
    assert company["row"] == 7
    assert (
        company["stated_cents"]
        == company["summed_cents"]
        == cents("2,580.00", "2,250.50", "1,750.00")
    )
    assert all(s["difference_cents"] == 0 for s in result.stated_totals)


def test_a_job_title_with_total_in_it_does_not_make_an_employees_row_a_totals_row() -> None:
    register = (
        b"employee,employee_id,state,class,check_date,earnings_code,amount,title\n"
        b"Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00,Total Rewards Analyst\n"
        b",,,,,regular,2500.00,Total\n"
    )
    result = read_data(register, "register.csv")
    assert lines(result) == {("8810", "Ann Lee"): cents("2,500.00")}
    assert kinds(result) == [(3, "", "totals_row")]
    assert stated(result, "Total", "amount")["summed_cents"] == cents("2,500.00")


# State wage reports are not registers


@pytest.mark.parametrize("name", ["ca_de9c_2025q1.csv", "ri_tx17_2025q2.csv"])
def test_a_state_wage_report_uploaded_as_a_register_is_sent_to_the_tax_filings(name: str) -> None:
    with pytest.raises(RegisterError, match="tax filings and reconciliation section"):
        read_export((EXPORTS / name).read_bytes(), name)


# The preview keeps what the file's shape told


def test_a_preview_keeps_the_tables_the_totals_checked_and_the_notes(
    audit: Audit, auditor: User
) -> None:
    data = (EXPORTS / BY_EMPLOYEE).read_bytes()
    item = services.payroll_import_preview(audit=audit, by=auditor, data=data, filename=BY_EMPLOYEE)
    assert str(item.tables["read"]).startswith("rows 4–18: QuickBooks Workers Comp")
    assert item.stated_totals == read(BY_EMPLOYEE).stated_totals
    assert any("No WC Code" in note for note in item.notes)
    assert item.gross_cents == cents(ANA, BEN, CARA)


# The same reports saved as workbooks: numbers and dates as Excel stores them


def workbook(name: str) -> bytes:
    """The CSV fixture as an XLSX sheet: amounts as number cells, dates as date cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Report")
    dated = book.add_format({"num_format": "mm/dd/yyyy"})
    text = (EXPORTS / name).read_text(encoding="utf-8")
    for r, row in enumerate(csv.reader(io.StringIO(text))):
        for c, cell in enumerate(row):
            plain = cell.replace(",", "")
            if re.fullmatch(r"-?\d+(\.\d+)?", plain):
                sheet.write_number(r, c, float(Decimal(plain)))
            elif re.fullmatch(r"\d{2}/\d{2}/\d{4}", cell):
                month, day, year = map(int, cell.split("/"))
                sheet.write_datetime(r, c, date(year, month, day), dated)
            elif cell:
                sheet.write_string(r, c, cell)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize(
    "name", [BY_EMPLOYEE, DETAIL, SUMMARY, PAYROLL_SUMMARY, GUSTO, PAYCHEX], ids=lambda n: n[:-4]
)
def test_a_report_saved_as_a_workbook_reads_as_its_csv(name: str) -> None:
    options: dict[str, Any] = {"employee_classes": CLASSES} if name == PAYROLL_SUMMARY else {}
    as_csv = read(name, **options)
    as_xlsx = read_data(workbook(name), name.replace(".csv", ".xlsx"), **options)
    assert lines(as_xlsx) == lines(as_csv)
    assert as_xlsx.totals == as_csv.totals
    assert kinds(as_xlsx) == kinds(as_csv)
    assert as_xlsx.tables == as_csv.tables
    assert [
        (s["label"], s["column"], s["stated_cents"], s["summed_cents"])
        for s in as_xlsx.stated_totals
    ] == [
        (s["label"], s["column"], s["stated_cents"], s["summed_cents"])
        for s in as_csv.stated_totals
    ]


def test_an_export_hands_its_table_over_once_keeping_its_columns_and_the_rest_of_the_file() -> None:
    export = read_export((EXPORTS / BY_EMPLOYEE).read_bytes(), BY_EMPLOYEE)
    columns, tables = export.frame.columns, export.tables
    frame = export.take_frame()
    assert frame.height > 0 and frame.columns == columns
    # What is left is the table's columns without its rows; the rest of the export is kept.
    assert export.frame.columns == columns and export.frame.is_empty()
    assert export.tables == tables
    assert export.take_frame().is_empty()
    # The table handed over is imported as the export's own was.
    profile = detect_profile([c for c in columns if not c.startswith("_")])
    chosen = Options(EFFECTIVE, EXPIRATION, default_state="IN")
    assert ingest(frame, profile, chosen).lines == read(BY_EMPLOYEE).lines
