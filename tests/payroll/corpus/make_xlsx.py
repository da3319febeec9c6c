"""The corpus's workbooks, written at test time (binary files are not committed).

``build(directory)`` writes every workbook below into ``directory``; ``python make_xlsx.py DIR``
does the same from the command line. Each workbook is small and made to show one thing an export
can hold: number and date cells, a merged title, a table that does not start at A1, formulas
(calculated or not), error cells, float noise, an empty or broken workbook.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.workbook import Workbook  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

GUSTO = [
    "Employee",
    "Employee ID",
    "Work State",
    "WC Class",
    "Check Date",
    "Pay Period Start",
    "Pay Period End",
    "Regular Earnings",
    "Overtime Earnings",
    "Bonus",
    "Gross Earnings",
]
ADP = [
    "Employee ID",
    "Employee Name",
    "Work State",
    "WC Code",
    "Pay Date",
    "Period Begin",
    "Period End",
    "Earnings Code",
    "Earnings Amount",
    "Officer",
]
PAYCHEX = [
    "Employee Number",
    "Employee Name",
    "State",
    "Workers Comp Code",
    "Check Date",
    "Regular Pay",
    "Overtime Pay",
    "Gross Pay",
]
TRUEUP = ["employee", "employee_id", "state", "class", "check_date", "earnings_code", "amount"]
QB_DETAIL = ["Date", "Num", "Name", "WC Code", "State", "Hours", "Gross Wages", "OT Premium"]

Builder = Callable[[Workbook], None]
WORKBOOKS: dict[str, Builder] = {}


def workbook(name: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        WORKBOOKS[name] = builder
        return builder

    return register


def rows(
    book: Workbook,
    sheet: Worksheet,
    first: int,
    values: Sequence[Sequence[Any]],
    column: int = 0,
) -> None:
    """Write ``values`` from row ``first`` (0-based); dates as date cells."""
    date_cell = book.add_format({"num_format": "mm/dd/yyyy"})
    for offset, row in enumerate(values):
        for position, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                sheet.write_datetime(first + offset, column + position, value, date_cell)
            else:
                sheet.write(first + offset, column + position, value)


JAN15 = date(2025, 1, 15)
JAN1 = date(2025, 1, 1)
JAN14 = date(2025, 1, 14)


@workbook("gusto_number_and_date_cells.xlsx")
def _gusto_cells(book: Workbook) -> None:
    sheet = book.add_worksheet("Payroll Journal")
    rows(
        book,
        sheet,
        0,
        [
            GUSTO,
            ["Ann Lee", 1001, "IN", 8810, JAN15, JAN1, JAN14, 2500, 300.5, None, 2800.5],
            ["Bob Cruz", 1002, "IN", 5403, JAN15, JAN1, JAN14, 1800.25, None, 100, 1900.25],
        ],
    )


@workbook("adp_merged_title_rows.xlsx")
def _adp_merged_title(book: Workbook) -> None:
    sheet = book.add_worksheet("Register")
    bold = book.add_format({"bold": True, "align": "center"})
    sheet.merge_range("A1:J1", "Acme Landscaping LLC - Earnings Register", bold)
    sheet.merge_range("A2:J2", "Pay dates 01/01/2025 to 12/31/2025", bold)
    rows(
        book,
        sheet,
        3,
        [
            ADP,
            ["E1", "Ann Lee", "IN", "8810", JAN15, JAN1, JAN14, "REG", 2500, "N"],
            ["E1", "Ann Lee", "IN", "8810", JAN15, JAN1, JAN14, "OT", 300, "N"],
            ["E2", "Bob Cruz", "IN", "5403", JAN15, JAN1, JAN14, "REG", "eighteen hundred", "N"],
        ],
    )


@workbook("quickbooks_detail_table_not_at_a1.xlsx")
def _qb_offset(book: Workbook) -> None:
    sheet = book.add_worksheet("WC Detail")
    rows(
        book,
        sheet,
        4,
        [
            QB_DETAIL,
            [JAN15, 1001, "Ann Lee", "8810", "IN", 80, 2500, 0],
            [date(2024, 12, 31), 999, "Ann Lee", "8810", "IN", 80, 2400, 0],
            [date(2025, 1, 29), 1002, "Bob Cruz", "5403", "IN", 88, 2800, 50],
        ],
        column=2,
    )


def _paychex_formulas(book: Workbook, *, values: bool) -> None:
    """Regular pay as hours × rate and gross pay as a sum, written as formulas. With ``values``,
    each formula carries its result, as a workbook Excel saved does; without, xlsxwriter writes 0
    in its place, as a program that cannot calculate does."""
    sheet = book.add_worksheet("Register")
    rows(book, sheet, 0, [PAYCHEX])
    people = [(101, "Ann Lee", "8810", 2500, 300), (102, "Bob Cruz", "5403", 1800, 0)]
    for index, (number, name, code, regular, overtime) in enumerate(people, start=1):
        rows(book, sheet, index, [[number, name, "IN", code, JAN15]])
        cells = [
            (5, f"=80*{regular / 80}", regular),
            (7, f"=F{index + 1}+G{index + 1}", regular + overtime),
        ]
        for column, formula, result in cells:
            if values:
                sheet.write_formula(index, column, formula, None, result)
            else:
                sheet.write_formula(index, column, formula)
        sheet.write_number(index, 6, overtime)


@workbook("paychex_formulas_saved_by_excel.xlsx")
def _formulas_saved(book: Workbook) -> None:
    _paychex_formulas(book, values=True)


@workbook("paychex_formulas_never_calculated.xlsx")
def _formulas_never(book: Workbook) -> None:
    _paychex_formulas(book, values=False)


@workbook("paychex_formulas_without_values.xlsx")
def _formulas_bare(book: Workbook) -> None:
    _paychex_formulas(book, values=False)


@workbook("gusto_error_cells.xlsx")
def _error_cells(book: Workbook) -> None:
    sheet = book.add_worksheet("Payroll Journal")
    rows(
        book,
        sheet,
        0,
        [
            GUSTO,
            ["Ann Lee", "E1", "IN", "8810", JAN15, JAN1, JAN14, 2500, None, None, None],
            ["Bob Cruz", "E2", "IN", "5403", JAN15, JAN1, JAN14, None, None, None, None],
            ["Cy Dunn", "E3", "IN", "5403", JAN15, JAN1, JAN14, 1000, None, None, None],
        ],
    )
    sheet.write_formula(2, 7, "=1/0", None, "#DIV/0!")
    sheet.write_formula(2, 8, "=#REF!*1.5", None, "#REF!")
    sheet.write_formula(3, 9, "=VLOOKUP(A4,Z:Z,2,FALSE)", None, "#N/A")
    # An error in a column the profile ignores (Gross Earnings) is no exception.
    sheet.write_formula(1, 10, '=H2+"x"', None, "#VALUE!")


@workbook("trueup_serial_date_numbers_and_text_amounts.xlsx")
def _serials(book: Workbook) -> None:
    sheet = book.add_worksheet("Payroll")
    rows(
        book,
        sheet,
        0,
        [
            TRUEUP,
            ["Ann Lee", "E1", "IN", "8810", 45672, "regular", "$1,234.56"],
            ["Ann Lee", "E1", "IN", "8810", 45672.5, "overtime", "(12.50)"],
            ["Bob Cruz", "E2", "IN", "5403", "45672", "regular", "1,800.00"],
            ["Bob Cruz", "E2", "IN", "5403", 45657, "regular", "999.00"],
        ],
    )


@workbook("gusto_float_noise.xlsx")
def _float_noise(book: Workbook) -> None:
    sheet = book.add_worksheet("Payroll Journal")
    rows(
        book,
        sheet,
        0,
        [
            GUSTO,
            ["Ann Lee", "E1", "IN", "8810", JAN15, JAN1, JAN14, 0.1 + 0.2, 1234.5600000000002],
            ["Bob Cruz", "E2", "IN", "5403", JAN15, JAN1, JAN14, 1358.016, 2 / 3],
            ["Cy Dunn", "E3", "IN", "5403", JAN15, JAN1, JAN14, 1e-7, 100.10000000000001],
        ],
    )


@workbook("empty_workbook.xlsx")
def _empty(book: Workbook) -> None:
    book.add_worksheet()


@workbook("first_sheet_empty_register_on_second.xlsx")
def _second_sheet(book: Workbook) -> None:
    book.add_worksheet("Cover")
    sheet = book.add_worksheet("Register")
    rows(book, sheet, 0, [GUSTO, ["Ann Lee", "E1", "IN", "8810", JAN15, JAN1, JAN14, 2500]])


@workbook("trueup_header_only.xlsx")
def _header_only(book: Workbook) -> None:
    rows(book, book.add_worksheet("Payroll"), 0, [TRUEUP])


@workbook("adp_duplicate_header.xlsx")
def _duplicate_header(book: Workbook) -> None:
    header = [*ADP[:-1], "Earnings Code"]
    rows(
        book,
        book.add_worksheet(),
        0,
        [header, ["E1", "Ann Lee", "IN", "8810", JAN15, JAN1, JAN14, "REG", 2500, "REG"]],
    )


@workbook("paychex_sum_totals_row.xlsx")
def _totals_row(book: Workbook) -> None:
    sheet = book.add_worksheet("Register")
    rows(
        book,
        sheet,
        0,
        [
            PAYCHEX,
            [101, "Ann Lee", "IN", "8810", JAN15, 2500, 300, 2800],
            [102, "Bob Cruz", "IN", "5403", JAN15, 1800, 0, 1800],
            [None, "Report Total"],
        ],
    )
    for column, letter, total in ((5, "F", 4300), (6, "G", 300), (7, "H", 4600)):
        sheet.write_formula(3, column, f"=SUM({letter}2:{letter}3)", None, total)


@workbook("trueup_officer_booleans.xlsx")
def _booleans(book: Workbook) -> None:
    header = [*TRUEUP, "officer"]
    rows(
        book,
        book.add_worksheet("Payroll"),
        0,
        [
            header,
            ["Ann Lee", "E1", "IN", "8810", JAN15, "regular", 2500, False],
            ["Bob Cruz", "E2", "IN", "8810", JAN15, "regular", 9000, True],
        ],
    )


def _rewritten(data: bytes, *, cached_values: bool) -> bytes:
    """The workbook without the request to calculate every formula on opening (xlsxwriter asks
    for it because it cannot calculate them itself; Excel saves without it), and, unless
    ``cached_values``, with no stored result for its formulas (as some libraries write them)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = re.sub(rb'\s*fullCalcOnLoad="1"', b"", content)
            if item.filename.startswith("xl/worksheets/") and not cached_values:
                content = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", content)
            target.writestr(item, content)
    return out.getvalue()


def build(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in WORKBOOKS.items():
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        builder(book)
        book.close()
        data = buffer.getvalue()
        if "saved_by_excel" in name or "sum_totals" in name:
            data = _rewritten(data, cached_values=True)
        elif "without_values" in name:
            data = _rewritten(data, cached_values=False)
        (directory / name).write_bytes(data)
        written.append(directory / name)
    # Broken workbooks: cut short, and a zip that holds no workbook.
    whole = (directory / "gusto_number_and_date_cells.xlsx").read_bytes()
    (directory / "truncated_workbook.xlsx").write_bytes(whole[: len(whole) // 2])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("register.csv", "Employee,Check Date,Regular Earnings\n")
    (directory / "zip_without_a_workbook.xlsx").write_bytes(archive.getvalue())
    written += [directory / "truncated_workbook.xlsx", directory / "zip_without_a_workbook.xlsx"]
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
