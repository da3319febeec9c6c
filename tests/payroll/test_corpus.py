"""The malformed-register corpus: every file reads as documented here, or is refused with a
``RegisterError`` whose message names the row and/or column (or, for a file that is no register
at all, says what it is). Nothing else may be raised: any other exception is a crash and fails.

A refusal raises before anything is returned, so there is never a partial import; a reading is the
whole of ``ingest``'s result: lines, totals and the exceptions for the rows it left out.

The CSV and text files are committed in ``corpus/``; the workbooks are written at test time by
``corpus/make_xlsx.py``; the 10 MB files are made here. ``corpus/EXPECTED.md`` is this table as a
document, and a test keeps the two the same (``python -m tests.payroll.test_corpus``
prints it). Every file is read for the policy 2025-01-01 to 2026-01-01 on the check-date basis.
Money is compared as Decimal strings from integer cents.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.payroll.corpus import make_xlsx
from trueup.payroll.ingest import Options, RegisterError, detect_profile, ingest, read_register

CORPUS = Path(__file__).parent / "corpus"
EXPECTED_MD = CORPUS / "EXPECTED.md"
EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)
TEN_MB = 10 * 1024 * 1024


@dataclass(frozen=True)
class Read:
    """Read with ``profile``: ``lines`` payroll lines, ``gross`` and ``totals`` (category →
    amount) in dollars, and exactly ``exceptions`` as (row, column, kind)."""

    profile: str
    lines: int
    gross: str
    totals: Mapping[str, str]
    exceptions: tuple[tuple[int, str, str], ...] = ()
    # When the case is about them: each line as "STATE CLASS employee gross".
    lines_are: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()  # fragments found among the exceptions' messages
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """Refused with a ``RegisterError`` whose message holds ``fragment``."""

    fragment: str


@dataclass(frozen=True)
class Case:
    file: str
    holds: str  # what is in the file
    outcome: Read | Refused
    why: str = ""  # why that outcome is the right one, when it is not plain


IN_2 = ("IN 8810 Ann Lee 2500.00", "IN 5403 Bob Cruz 1800.00")

CASES = [
    # --- delimiters, line ends, encodings ----------------------------------------------------
    Case(
        "trueup_clean.csv",
        "TrueUp template, well formed: an officer, a 401(k) printed negative",
        Read(
            "trueup",
            2,
            "4600.00",
            {"regular": "4300.00", "overtime_total": "300.00", "deferred_401k": "125.00"},
            ((6, "", "officer"),),
            lines_are=("IN 8810 Ann Lee 2800.00", "IN 5403 Bob Cruz 1800.00"),
        ),
        "the baseline; Cy Dunn is an officer (Y): named, and left out of the lines",
    ),
    Case(
        "trueup_semicolons.csv",
        "semicolon delimiter, a quoted name holding a semicolon",
        Read("trueup", 3, "4400.00", {"regular": "4300.00", "bonus": "100.00"}),
    ),
    Case(
        "trueup_semicolons_decimal_comma.csv",
        "semicolons with European amounts: 2.500,00 and 300,50",
        Read(
            "trueup",
            1,
            "1800.00",
            {"regular": "1800.00"},
            ((2, "amount", "bad_amount"), (3, "amount", "bad_amount")),
            messages=("'2.500,00' is not an amount", "'300,50' is not an amount"),
        ),
        "a decimal comma is not read: 2.500,00 could as well be 2.50 with a stray comma; each such "
        "cell is an exception naming its row and column, the rest is read",
    ),
    Case(
        "trueup_semicolons_quoted_commas.csv",
        'semicolons, with names and amounts quoted because they hold commas ("1,250.00")',
        Read("trueup", 2, "3050.00", {"regular": "3050.00"}),
    ),
    Case(
        "gusto_tabs.tsv",
        "Gusto journal, tab-delimited, deductions printed negative",
        Read(
            "gusto",
            2,
            "4800.00",
            {
                "regular": "4300.00",
                "overtime_total": "300.00",
                "bonus": "200.00",
                "section_125": "50.00",
                "deferred_401k": "100.00",
            },
        ),
    ),
    Case(
        "paychex_pipes.txt",
        "Paychex-style register, pipe-delimited",
        Read(
            "paychex",
            2,
            "4850.00",
            {
                "regular": "4300.00",
                "overtime_total": "300.00",
                "bonus": "250.00",
                "deferred_401k": "100.00",
            },
        ),
    ),
    Case(
        "trueup_tabs_with_unquoted_thousands.txt",
        "tab-delimited with unquoted 1,234.56 amounts (commas in every row)",
        Read(
            "trueup",
            3,
            "1003234.56",
            {"regular": "3234.56", "bonus": "1000000.00"},
        ),
        "tab splits every row into the same ten cells; commas do not",
    ),
    Case(
        "colon_delimited.csv",
        "colon-delimited",
        Refused("no header row in the first 2 row(s): none has two filled cells"),
        "colons are not a delimiter registers use; every row is one cell",
    ),
    Case(
        "adp_crlf.csv",
        "ADP-style register with CRLF line ends",
        Read("adp", 2, "4600.00", {"regular": "4300.00", "overtime_total": "300.00"}),
    ),
    Case(
        "gusto_cr_line_ends.csv",
        "Gusto journal with classic Mac CR line ends",
        Read("gusto", 2, "4300.00", {"regular": "4300.00"}),
    ),
    Case(
        "trueup_utf8_bom.csv",
        "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')",
        Read("trueup", 2, "4300.00", {"regular": "4300.00"}, lines_are=IN_2),
    ),
    Case(
        "gusto_latin1.csv",
        "Latin-1 bytes: José Peña, Zoë Ørsted",
        Read(
            "gusto",
            2,
            "4300.00",
            {"regular": "4300.00"},
            lines_are=("IN 5403 Zoë Ørsted 1800.00", "IN 8810 José Peña 2500.00"),
        ),
    ),
    Case(
        "trueup_windows1252_smart_quotes.csv",
        "Windows-1252 bytes: a curly apostrophe and an en dash",
        Read(
            "trueup",
            2,
            "4300.00",
            {"regular": "4300.00"},
            lines_are=("IN 5403 Eve Ruiz–Díaz 1800.00", "IN 8810 Dan O’Brien 2500.00"),
        ),
    ),
    Case(
        "trueup_utf16_tabs.txt",
        "UTF-16 with a byte-order mark, tab-delimited (Excel's 'Unicode text')",
        Read(
            "trueup",
            2,
            "4300.00",
            {"regular": "4300.00"},
            lines_are=("IN 5403 Łukasz Nowak 1800.00", "IN 8810 Ann Lee 2500.00"),
        ),
    ),
    Case(
        "adp_unicode_names.csv",
        "UTF-8 names: Vietnamese, Chinese, an apostrophe",
        Read(
            "adp",
            3,
            "5300.00",
            {"regular": "5300.00"},
            lines_are=(
                "IN 5403 Zoë O'Brien 1000.00",
                "IN 5403 李小龍 1800.00",
                "IN 8810 Nguyễn Văn An 2500.00",
            ),
        ),
    ),
    Case(
        "trueup_csv_named_xlsx.xlsx",
        "a CSV file named .xlsx",
        Read("trueup", 1, "2500.00", {"regular": "2500.00"}),
        "the format is told by the content, not the name",
    ),
    # --- not a register -----------------------------------------------------------------------
    Case("empty.csv", "no bytes", Refused("the file is empty")),
    Case("whitespace_only.csv", "spaces, tabs and line ends", Refused("the file is empty")),
    Case("bom_only.csv", "a byte-order mark and a line end", Refused("the file is empty")),
    Case("binary_junk.csv", "binary bytes named .csv", Refused("the file is not text")),
    Case("pdf_named_csv.csv", "a PDF named .csv", Refused("the file is a PDF")),
    Case(
        "html_named_xls.xls",
        "an HTML table named .xls (old systems' 'Excel' export)",
        Refused("the file is a web page or XML"),
    ),
    Case(
        "title_only.csv",
        "only a title row",
        Refused("no header row in the first 1 row(s): none has two filled cells"),
    ),
    Case(
        "trueup_header_only.csv",
        "the header and nothing below it",
        Refused("the header is row 1 and no rows of payroll follow it"),
    ),
    Case(
        "gusto_header_then_blank_rows.csv",
        "a title, the header, then rows of empty cells",
        Refused("the header is row 2 and no rows of payroll follow it"),
    ),
    Case(
        "data_without_header.csv",
        "payroll rows with no header row",
        Refused("no mapping profile matches these columns (Ann Lee, E1, IN, 8810,"),
        "the first row is taken as the header; its cells are shown as the columns found",
    ),
    # --- headers ------------------------------------------------------------------------------
    Case(
        "gusto_title_rows_above_header.csv",
        "three title rows and a blank row above the header; 'abc' as overtime in row 7",
        Read(
            "gusto",
            1,
            "2800.00",
            {"regular": "2500.00", "overtime_total": "300.00"},
            ((7, "Overtime Earnings", "bad_amount"),),
        ),
        "rows are numbered as in the file, titles and blank rows counted; the row with a bad "
        "amount is left out whole, not read as its other amounts",
    ),
    Case(
        "paychex_merged_group_header.csv",
        "a group-heading row (Employee / Earnings / Totals) above the real header",
        Read(
            "paychex",
            2,
            "4850.00",
            {"regular": "4300.00", "overtime_total": "300.00", "bonus": "250.00"},
        ),
    ),
    Case(
        "adp_report_parameters_above_header.csv",
        "a block of report parameters (Company:, Run date:) above the header",
        Read("adp", 2, "4300.00", {"regular": "4300.00"}),
    ),
    Case(
        "trueup_duplicate_header.csv",
        "the column 'amount' twice",
        Refused("row 1, columns 9 and 10: the column 'amount' appears twice"),
        "which of the two is the amount cannot be known",
    ),
    Case(
        "gusto_renamed_column.csv",
        "Gusto journal with 'Regular Earnings' renamed 'Regular Wages'",
        Refused("the nearest, Gusto payroll journal, also needs 'Regular Earnings'"),
    ),
    Case(
        "adp_missing_amount_column.csv",
        "ADP-style register without its 'Earnings Amount' column",
        Refused("the nearest, ADP-style earnings register, also needs 'Earnings Amount'"),
    ),
    Case(
        "trueup_missing_class_column.csv",
        "TrueUp template without its class column",
        Read(
            "trueup",
            0,
            "0.00",
            {},
            ((2, "", "no_class"), (3, "", "no_class")),
        ),
        "rows without a class (and no employee table given) are exceptions, left out",
    ),
    Case(
        "gusto_headers_case_and_spacing.csv",
        "headers in other case and spacing ('  check  date ', 'REGULAR earnings')",
        Read("gusto", 1, "2800.00", {"regular": "2500.00", "overtime_total": "300.00"}),
    ),
    Case(
        "paychex_trailing_empty_columns.csv",
        "trailing empty columns (',,,' on every row)",
        Read("paychex", 2, "4600.00", {"regular": "4300.00", "overtime_total": "300.00"}),
    ),
    Case(
        "trueup_blank_header_cell.csv",
        "a column without a header holding notes",
        Read("trueup", 2, "4300.00", {"regular": "4300.00"}),
        "it is named 'column 11' and not mapped",
    ),
    # --- rows ---------------------------------------------------------------------------------
    Case(
        "trueup_unquoted_thousands_separator.csv",
        "an unquoted 1,800.00 in a comma file: row 3 has 11 cells",
        Refused("row 3, column 11: the row has 11 cells but the header (row 1) has 10"),
        "every cell after the amount has shifted; reading it would take $1 and lose the rest",
    ),
    Case(
        "trueup_space_before_quote.csv",
        'a space before a quoted amount ( "1,000.00"), so the quotes do not count',
        Refused("row 2, column 11: the row has 11 cells but the header (row 1) has 10"),
    ),
    Case(
        "paychex_short_rows.csv",
        "rows that stop early (trailing empty cells left off, as Excel writes them)",
        Read("paychex", 3, "5600.00", {"regular": "5300.00", "overtime_total": "300.00"}),
    ),
    Case(
        "trueup_extra_empty_cells.csv",
        "rows with more cells than the header, all empty",
        Read("trueup", 2, "4300.00", {"regular": "4300.00"}),
    ),
    Case(
        "adp_quoted_commas_and_line_breaks.csv",
        'quoted "Lee, Ann", a doubled quote, a memo with a line break; "1,0000.00" in row 4',
        Read(
            "adp",
            2,
            "4300.00",
            {"regular": "4300.00"},
            ((4, "Earnings Amount", "bad_amount"),),
            lines_are=('IN 5403 Cruz, Bob "Bobby" 1800.00', "IN 8810 Lee, Ann 2500.00"),
        ),
        "a quoted cell spanning lines is one row: row 4 is on the file's fifth line",
    ),
    Case(
        "trueup_unclosed_quote.csv",
        "a quote opened in row 4 and never closed",
        Refused("row 4: a quoted cell starts here and its quote is never closed"),
        "read on, it would swallow every later row into one cell",
    ),
    Case(
        "trueup_text_after_closing_quote.csv",
        '"Bob" Cruz: text after a closing quote in row 3',
        Refused("row 3: a quoted cell has more text after its closing quote"),
    ),
    Case(
        "gusto_blank_lines_between_rows.csv",
        "blank lines between rows; 'N/A' as regular earnings in row 7",
        Read(
            "gusto",
            2,
            "4300.00",
            {"regular": "4300.00"},
            ((7, "Regular Earnings", "bad_amount"),),
        ),
        "blank lines count as rows, as a spreadsheet shows them",
    ),
    Case(
        "trueup_duplicated_rows.csv",
        "a row repeated twice; the same amount for one employee in two classes",
        Read(
            "trueup",
            3,
            "6800.00",
            {"regular": "6800.00"},
            ((3, "amount", "duplicate"), (7, "amount", "duplicate")),
        ),
        "a split between two classes is not a duplicate",
    ),
    Case(
        "gusto_duplicated_rows.csv",
        "a wide row repeated",
        Read(
            "gusto",
            2,
            "4600.00",
            {"regular": "4300.00", "overtime_total": "300.00"},
            ((3, "", "duplicate"),),
        ),
        "the repeated row is one exception, for the whole row",
    ),
    Case(
        "quickbooks_summary_totals.csv",
        "QuickBooks summary: a class subtotal without employee and a TOTAL row",
        Read(
            "quickbooks_summary",
            3,
            "10250.00",
            {"regular": "10250.00", "overtime_premium": "75.00"},
            ((5, "Gross Wages", "no_employee"), (6, "", "totals_row")),
        ),
    ),
    Case(
        "paychex_totals_rows.csv",
        "'Department 10 Total', 'Subtotal', 'Report Totals', 'Grand Total:' rows",
        Read(
            "paychex",
            2,
            "4600.00",
            {"regular": "4300.00", "overtime_total": "300.00"},
            (
                (3, "", "totals_row"),
                (5, "", "totals_row"),
                (6, "", "totals_row"),
                (7, "", "totals_row"),
            ),
        ),
    ),
    Case(
        "quickbooks_detail_totals.csv",
        "QuickBooks detail with 'Total Ann Lee' rows and a TOTAL",
        Read(
            "quickbooks_detail",
            2,
            "7100.00",
            {"regular": "7100.00", "overtime_premium": "50.00"},
            ((4, "", "totals_row"), (6, "", "totals_row"), (7, "", "totals_row")),
        ),
    ),
    Case(
        "quickbooks_detail_outside_period.csv",
        "QuickBooks detail (it has WC Wages, like the summary) with checks either side",
        Read(
            "quickbooks_detail",
            1,
            "5100.00",
            {"regular": "5100.00"},
            ((2, "Date", "outside_period"), (5, "Date", "outside_period")),
        ),
        "detected as the detail report, not the summary, so its dates are filtered",
    ),
    Case(
        "gusto_missing_employee_names.csv",
        "a row with only an employee id, one with neither, a note below the table",
        Read(
            "gusto",
            1,
            "2500.00",
            {"regular": "2500.00"},
            ((3, "Regular Earnings", "no_employee"), (4, "", "no_amount")),
            lines_are=("IN 8810 E1 2500.00",),
        ),
        "the note has no amounts: named, so that no row is passed over unseen",
    ),
    # --- amounts ------------------------------------------------------------------------------
    Case(
        "trueup_dollars_and_thousands.csv",
        '"$1,234.56", " $ 2,000 ", "1,000,000.00", ".50", "12.", "$7.5"',
        Read(
            "trueup",
            2,
            "1003254.56",
            {
                "regular": "1001234.56",
                "bonus": "2012.00",
                "tips": "0.50",
                "commission": "7.50",
            },
        ),
    ),
    Case(
        "trueup_parenthesised_negatives.csv",
        '"(125.00)", "($1,000.00)", "50.00-", "-50"; a 401(k) as "(100.00)"',
        Read(
            "trueup",
            2,
            "4275.00",
            {
                "regular": "4500.00",
                "bonus": "-175.00",
                "commission": "-50.00",
                "deferred_401k": "100.00",
            },
            (
                (3, "amount", "negative_amount"),
                (5, "amount", "negative_amount"),
                (7, "amount", "negative_amount"),
                (8, "amount", "negative_amount"),
            ),
        ),
        "negatives are kept and listed; a deduction's size is what counts",
    ),
    Case(
        "trueup_non_numeric_amounts.csv",
        "abc, N/A, 12.345, 1,2345.00, (12.00, #VALUE!, USD 10, 1e3, (-5.00), 1.234,56",
        Read(
            "trueup",
            1,
            "2500.00",
            {"regular": "2500.00"},
            tuple((row, "amount", "bad_amount") for row in range(3, 13)),
            messages=("'(12.00' is not an amount", "'1,2345.00' is not an amount"),
        ),
    ),
    Case(
        "gusto_dashes_zeros_and_blanks.csv",
        "accounting zeros: '-', '$ -', ' - ', '0.00', '$0.00', '(0.00)', blanks",
        Read("gusto", 2, "4300.00", {"regular": "4300.00"}),
        "a lone dash is zero; zero and blank cells of a wide register are passed over",
    ),
    Case(
        "trueup_huge_amounts.csv",
        '"12,345,678.90", a 20-digit and a 29-digit amount',
        Read(
            "trueup",
            1,
            "12345678.90",
            {"regular": "12345678.90"},
            ((3, "amount", "bad_amount"), (4, "amount", "bad_amount")),
        ),
        "more than 15 digits of dollars is not an amount (and would overflow)",
    ),
    Case(
        "gusto_deductions_printed_negative.csv",
        "Section 125 and 401(k) as -50.00 and (100.00) for one, positive for another",
        Read(
            "gusto",
            2,
            "4300.00",
            {"regular": "4300.00", "section_125": "75.00", "deferred_401k": "175.00"},
        ),
    ),
    # --- dates --------------------------------------------------------------------------------
    Case(
        "trueup_date_formats.csv",
        "2025-02-01, 02/01/2025, 2/1/2025, 02/01/25, with times, serials 45689 and 45689.5; "
        "'Feb 1 2025', 2025-13-01, blank, 02/01/1825",
        Read(
            "trueup",
            9,
            "900.00",
            {"regular": "900.00"},
            (
                *((row, "check_date", "bad_date") for row in (11, 12, 13)),
                (14, "check_date", "outside_period"),
            ),
            messages=(
                "check date 'Feb 1 2025' is not a date",
                "check date 1825-02-01 is outside the period",
            ),
        ),
        "two-digit years read 00-68 as 2000s and 69-99 as 1900s; a time after the date is left "
        "off; spelled-out months are not among the profile's formats",
    ),
    Case(
        "gusto_serial_dates_as_text.csv",
        "check dates as Excel serial numbers in text (45672, 45672.0, 45657)",
        Read(
            "gusto",
            2,
            "4300.00",
            {"regular": "4300.00"},
            ((3, "Check Date", "outside_period"),),
        ),
        "45657 is 2024-12-31, before inception",
    ),
    Case(
        "adp_pay_dates_at_the_policy_boundaries.csv",
        "pay days 2024-12-31, 2025-01-01, 2025-12-31, 2026-01-01",
        Read(
            "adp",
            1,
            "2300.00",
            {"regular": "2300.00"},
            ((2, "Pay Date", "outside_period"), (5, "Pay Date", "outside_period")),
        ),
        "inception is in, expiration is out",
    ),
    Case(
        "paychex_bad_check_dates.csv",
        "check dates 'TBD', '13/45/2025' and blank",
        Read(
            "paychex",
            1,
            "2800.00",
            {"regular": "2500.00", "overtime_total": "300.00"},
            tuple((row, "Check Date", "bad_date") for row in (3, 4, 5)),
        ),
        "one exception per row, naming the check-date column",
    ),
    # --- mapping ------------------------------------------------------------------------------
    Case(
        "adp_unknown_earnings_codes.csv",
        "earnings codes 'ot' (lower case), 'FICA' and blank",
        Read(
            "adp",
            1,
            "2800.00",
            {"regular": "2500.00", "overtime_total": "300.00"},
            ((4, "Earnings Amount", "unmapped_code"), (5, "Earnings Amount", "unmapped_code")),
        ),
        "codes no mapping names are no longer dropped quietly: their amounts are gathered in "
        "`unmapped` (FICA 191.25, a blank code 1800.00) and the import cannot be committed until "
        "the auditor maps or excludes each code",
    ),
    Case(
        "trueup_officer_flags.csv",
        "officer flags Y, yes, x, TRUE, N, blank, no",
        Read(
            "trueup",
            3,
            "4600.00",
            {"regular": "4600.00"},
            ((3, "", "officer"), (4, "", "officer"), (5, "", "officer"), (6, "", "officer")),
        ),
        "officers are named and left out of the lines (they are rated apart)",
    ),
    Case(
        "trueup_whitespace_everywhere.csv",
        "spaces and tabs around every cell, state 'in', code '\\tREGULAR\\t'",
        Read(
            "trueup",
            2,
            "2800.00",
            {"regular": "2800.00"},
            lines_are=("IN 5403 Bob Cruz 1800.00", "IN 8810 Ann Lee 1000.00"),
        ),
    ),
    Case(
        "trueup_no_state_column_default_state.csv",
        "no state column; the policy's only state is IN",
        Read(
            "trueup",
            1,
            "2500.00",
            {"regular": "2500.00"},
            lines_are=("IN 8810 Ann Lee 2500.00",),
            options={"default_state": "IN"},
        ),
    ),
    Case(
        "trueup_no_state_no_default.csv",
        "no state column and no default state",
        Read("trueup", 0, "0.00", {}, ((2, "", "no_state"), (3, "", "no_state"))),
    ),
    # --- workbooks (written by make_xlsx.py) --------------------------------------------------
    Case(
        "gusto_number_and_date_cells.xlsx",
        "number cells (ids, classes, amounts) and real date cells",
        Read(
            "gusto",
            2,
            "4700.75",
            {"regular": "4300.25", "overtime_total": "300.50", "bonus": "100.00"},
            lines_are=("IN 5403 Bob Cruz 1900.25", "IN 8810 Ann Lee 2800.50"),
        ),
    ),
    Case(
        "adp_merged_title_rows.xlsx",
        "two merged title rows and a blank row above the header; text amount in row 7",
        Read(
            "adp",
            1,
            "2800.00",
            {"regular": "2500.00", "overtime_total": "300.00"},
            ((7, "Earnings Amount", "bad_amount"),),
        ),
        "rows are the sheet's row numbers",
    ),
    Case(
        "quickbooks_detail_table_not_at_a1.xlsx",
        "the table starts at C5, below empty rows and beside empty columns",
        Read(
            "quickbooks_detail",
            2,
            "5300.00",
            {"regular": "5300.00", "overtime_premium": "50.00"},
            ((7, "Date", "outside_period"),),
        ),
    ),
    Case(
        "paychex_formulas_saved_by_excel.xlsx",
        "regular and gross pay as formulas, with the values Excel calculated",
        Read("paychex", 2, "4600.00", {"regular": "4300.00", "overtime_total": "300.00"}),
        "a formula cell gives its last calculated value",
    ),
    Case(
        "paychex_formulas_never_calculated.xlsx",
        "the same formulas written by a program that could not calculate them",
        Read(
            "paychex",
            0,
            "0.00",
            {},
            ((2, "Regular Pay", "bad_amount"), (3, "Regular Pay", "bad_amount")),
            messages=("'=80*31.25 (not calculated)' is a formula, not an amount",),
        ),
        "the 0 stored in their place is not taken for an amount; gross pay is not read; the "
        "rows are left out whole, their overtime with them",
    ),
    Case(
        "paychex_formulas_without_values.xlsx",
        "the same formulas with no stored result at all, in a workbook saved as Excel saves",
        Read(
            "paychex",
            0,
            "0.00",
            {},
            ((2, "Regular Pay", "bad_amount"), (3, "Regular Pay", "bad_amount")),
            messages=("'=80*22.5 (not calculated)' is a formula, not an amount",),
        ),
        "without a value the cell would read as empty and be passed over unseen",
    ),
    Case(
        "gusto_error_cells.xlsx",
        "#DIV/0!, #REF! and #N/A in earnings; #VALUE! in Gross Earnings (ignored)",
        Read(
            "gusto",
            1,
            "2500.00",
            {"regular": "2500.00"},
            (
                (3, "Overtime Earnings", "bad_amount"),
                (3, "Regular Earnings", "bad_amount"),
                (4, "Bonus", "bad_amount"),
            ),
            messages=("'#DIV/0!' is not an amount",),
        ),
        "an error cell reads as its error, not as empty, and its row is left out whole",
    ),
    Case(
        "trueup_serial_date_numbers_and_text_amounts.xlsx",
        "dates as plain serial numbers (45672, 45672.5, '45672'); amounts as text '$1,234.56'",
        Read(
            "trueup",
            2,
            "3022.06",
            {"regular": "3034.56", "overtime_total": "-12.50"},
            ((3, "amount", "negative_amount"), (5, "check_date", "outside_period")),
        ),
    ),
    Case(
        "gusto_float_noise.xlsx",
        "0.1+0.2, 1234.5600000000002, 100.10000000000001; 1358.016, 2/3, 1e-7",
        Read(
            "gusto",
            1,
            "1234.86",
            {"regular": "0.30", "overtime_total": "1234.56"},
            (
                (3, "Overtime Earnings", "bad_amount"),
                (3, "Regular Earnings", "bad_amount"),
                (4, "Regular Earnings", "bad_amount"),
            ),
            messages=("'1358.016' has more than two decimals",),
        ),
        "numbers come as the reader writes them (to 9 decimals), so float noise is gone; a "
        "true fraction of a cent is an exception",
    ),
    Case(
        "paychex_sum_totals_row.xlsx",
        "a 'Report Total' row of SUM formulas",
        Read(
            "paychex",
            2,
            "4600.00",
            {"regular": "4300.00", "overtime_total": "300.00"},
            ((4, "", "totals_row"),),
        ),
    ),
    Case(
        "trueup_officer_booleans.xlsx",
        "the officer column as TRUE/FALSE cells",
        Read("trueup", 1, "2500.00", {"regular": "2500.00"}, ((3, "", "officer"),)),
    ),
    Case(
        "empty_workbook.xlsx",
        "a workbook with one empty sheet",
        Refused("the workbook's first sheet ('Sheet1') is empty"),
    ),
    Case(
        "first_sheet_empty_register_on_second.xlsx",
        "an empty 'Cover' sheet before the register",
        Refused("the workbook's first sheet ('Cover') is empty; the register must be on the first"),
    ),
    Case(
        "trueup_header_only.xlsx",
        "a workbook with the header only",
        Refused("the header is row 1 and no rows of payroll follow it"),
    ),
    Case(
        "adp_duplicate_header.xlsx",
        "'Earnings Code' twice in a workbook's header",
        Refused("row 1, columns 8 and 10: the column 'Earnings Code' appears twice"),
    ),
    Case(
        "truncated_workbook.xlsx",
        "the first half of a workbook",
        Refused("the workbook cannot be read (is it damaged or password-protected?)"),
    ),
    Case(
        "zip_without_a_workbook.xlsx",
        "a zip holding a CSV, named .xlsx",
        Refused("the workbook cannot be read (is it damaged or password-protected?)"),
    ),
    # --- made here: 10 MB -----------------------------------------------------------------------
    Case(
        "ten_mb_amount_cell.csv",
        "a 10 MB amount cell in row 2",
        Refused("row 2, column 'amount': the cell holds 10,485,760 characters"),
    ),
    Case(
        "ten_mb_quoted_memo.csv",
        "a 10 MB quoted memo with line breaks in row 3",
        Refused("row 3, column 'Memo': the cell holds 10,485,760 characters"),
    ),
    Case(
        "ten_mb_single_line.csv",
        "10 MB on one line with no delimiter",
        Refused("row 1: a cell holds more than 32,767 characters"),
    ),
]

TRUEUP_HEADER = (
    "employee,employee_id,state,class,check_date,period_start,period_end,earnings_code,amount,"
    "officer\n"
)
ADP_HEADER = (
    "Employee ID,Employee Name,Work State,WC Code,Pay Date,Period Begin,Period End,"
    "Earnings Code,Earnings Amount,Officer,Memo\n"
)
GENERATED: dict[str, Callable[[], bytes]] = {
    "ten_mb_amount_cell.csv": lambda: (
        TRUEUP_HEADER + "Ann Lee,E1,IN,8810,2025-01-15,,,regular," + "9" * TEN_MB + ",N\n"
    ).encode(),
    "ten_mb_quoted_memo.csv": lambda: (
        ADP_HEADER
        + "E1,Ann Lee,IN,8810,01/15/2025,,,REG,2500.00,N,\n"
        + 'E2,Bob Cruz,IN,5403,01/15/2025,,,REG,1800.00,N,"'
        + ("memo line\n" * (TEN_MB // 10))
        + '"\n'
    ).encode(),
    "ten_mb_single_line.csv": lambda: b"x" * TEN_MB,
}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("workbooks")
    make_xlsx.build(directory)
    return directory


def data_of(case: Case, workbooks: Path) -> bytes:
    if case.file in GENERATED:
        return GENERATED[case.file]()
    committed = CORPUS / case.file
    if committed.exists():
        return committed.read_bytes()
    return (workbooks / case.file).read_bytes()


def dollars(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_every_corpus_file_reads_as_documented_or_is_refused_with_its_row_or_column(
    case: Case, workbooks: Path
) -> None:
    data = data_of(case, workbooks)
    outcome = case.outcome
    if isinstance(outcome, Refused):
        with pytest.raises(RegisterError) as refused:
            frame = read_register(data, case.file)
            ingest(frame, detect_profile(frame.columns), Options(EFFECTIVE, EXPIRATION))
        assert outcome.fragment in refused.value.message
        return
    frame = read_register(data, case.file)
    profile = detect_profile(frame.columns)
    result = ingest(frame, profile, Options(EFFECTIVE, EXPIRATION, **outcome.options))
    assert profile.key == outcome.profile
    # Every row read is used or named in an exception.
    assert result.rows_read == result.rows_used + result.rows_excepted
    exceptions = sorted(
        (row, column, kind) for row, column, kind, _ in result.exceptions.iter_rows()
    )
    assert exceptions == sorted(outcome.exceptions)
    assert len(result.lines) == outcome.lines
    assert dollars(result.gross_cents) == outcome.gross
    assert {key: dollars(cents) for key, cents in result.totals.items()} == dict(outcome.totals)
    if outcome.lines_are:
        shown = sorted(
            f"{line['state']} {line['class_code']} {line['employee']} {line['gross']}"
            for line in result.lines
        )
        assert shown == sorted(outcome.lines_are)
    messages = " | ".join(result.exceptions["message"].to_list())
    for fragment in outcome.messages:
        assert fragment in messages


READABLE = [case for case in CASES if isinstance(case.outcome, Read)]


@pytest.mark.parametrize("case", READABLE, ids=[case.file for case in READABLE])
def test_every_readable_corpus_file_also_reads_on_the_earned_basis_and_accounts_for_its_rows(
    case: Case, workbooks: Path
) -> None:
    assert isinstance(case.outcome, Read)
    frame = read_register(data_of(case, workbooks), case.file)
    options = Options(EFFECTIVE, EXPIRATION, basis="earned", **case.outcome.options)
    result = ingest(frame, detect_profile(frame.columns), options)
    assert result.rows_read == result.rows_used + result.rows_excepted


def test_the_corpus_holds_at_least_fifty_files_and_every_file_is_documented(
    workbooks: Path,
) -> None:
    committed = {
        path.name
        for path in CORPUS.iterdir()
        if path.is_file() and path.suffix not in (".py", ".md") and not path.name.startswith(".")
    }
    made = {path.name for path in workbooks.iterdir()} | set(GENERATED)
    documented = [case.file for case in CASES]
    assert len(documented) == len(set(documented))
    assert set(documented) == committed | made
    assert len(documented) >= 50


def test_the_committed_files_keep_the_bytes_they_are_about() -> None:
    """Line ends and encodings are what these files test; corpus/.gitattributes keeps git from
    converting them."""

    def data(name: str) -> bytes:
        return (CORPUS / name).read_bytes()

    assert data("adp_crlf.csv").count(b"\r\n") == 4
    assert b"\n" not in data("gusto_cr_line_ends.csv")
    assert data("trueup_utf8_bom.csv").startswith(b"\xef\xbb\xbf")
    assert data("trueup_utf16_tabs.txt").startswith(b"\xff\xfe")
    assert "José Peña".encode("latin-1") in data("gusto_latin1.csv")
    assert "O’Brien".encode("cp1252") in data("trueup_windows1252_smart_quotes.csv")
    assert data("empty.csv") == b""


def test_no_workbook_or_generated_file_is_committed(workbooks: Path) -> None:
    made = {path.name for path in workbooks.iterdir()} | set(GENERATED)
    assert not [name for name in made if (CORPUS / name).exists()]


def render() -> str:
    """corpus/EXPECTED.md: the table above as a document."""
    out = [
        "# The malformed-register corpus: what each file reads as",
        "",
        "Generated from `tests/payroll/test_corpus.py` (`python -m "
        "tests.payroll.test_corpus > tests/payroll/corpus/EXPECTED.md`); the test "
        "asserts exactly this. Policy 2025-01-01 to 2026-01-01, check-date basis. Amounts in "
        "dollars, exact to the cent. Exceptions are *row column kind*: the row as a spreadsheet "
        "numbers it (the header and any title rows counted), the column by its header. A refusal "
        "is a `RegisterError`; nothing is imported. Workbooks (`.xlsx`) are written by "
        "`make_xlsx.py` at test time, and the `ten_mb_*` files by the test itself.",
        "",
        "| File | Holds | Outcome |",
        "| --- | --- | --- |",
    ]
    for case in CASES:
        outcome = case.outcome
        if isinstance(outcome, Refused):
            text = f"**refused**: “{outcome.fragment}”"
        else:
            totals = ", ".join(f"{key} {value}" for key, value in sorted(outcome.totals.items()))
            text = (
                f"**read** ({outcome.profile}): {outcome.lines} line(s), gross {outcome.gross}"
                + (f" ({totals})" if totals else "")
            )
            if outcome.exceptions:
                listed = "; ".join(
                    f"{row} {column or '—'} {kind}" for row, column, kind in outcome.exceptions
                )
                text += f"; exceptions: {listed}"
            if outcome.options:
                text += "; with " + ", ".join(f"{k}={v!r}" for k, v in outcome.options.items())
        if case.why:
            text += f". *{case.why}*"
        cells = [f"`{case.file}`", case.holds, text]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(out) + "\n"


def test_expected_md_is_the_table_in_this_module() -> None:
    assert EXPECTED_MD.read_text(encoding="utf-8") == render(), (
        "regenerate: python -m tests.payroll.test_corpus > tests/payroll/corpus/EXPECTED.md"
    )


if __name__ == "__main__":
    sys.stdout.write(render())
