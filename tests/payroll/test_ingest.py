"""Worked examples of the payroll import: small registers whose every figure is worked out by hand
in the test. The policy runs from 2025-01-01 to 2026-01-01 unless a test says otherwise; money is
integer cents or Decimal strings, never float."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from trueup.payroll.ingest import (
    Ingested,
    Options,
    RegisterError,
    detect_profile,
    ingest,
    profiles,
    read_register,
)
from trueup.payroll.ingest.cells import cents
from trueup.payroll.ingest.steps import among, one_amount_a_row

EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)
TRUEUP = "employee,employee_id,state,class,check_date,period_start,period_end,earnings_code,amount"


def register(text: str, name: str = "register.csv") -> pl.DataFrame:
    return read_register(text.strip().encode(), name)


def run(text: str, **options: Any) -> Ingested:
    frame = register(text)
    return ingest(frame, detect_profile(frame.columns), Options(EFFECTIVE, EXPIRATION, **options))


def exceptions(result: Ingested) -> list[tuple[int, str, str]]:
    return [(row, column, kind) for row, column, kind, _ in result.exceptions.iter_rows()]


def lines(result: Ingested) -> list[tuple[str, str, str, str]]:
    """Each line as (state, class, employee, gross in dollars)."""
    return sorted(
        (str(line["state"]), str(line["class_code"]), str(line["employee"]), str(line["gross"]))
        for line in result.lines
    )


# --- cents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", 123456),
        ("1,234.56", 123456),
        ("$1,234.56", 123456),
        (" $ 1,234.56 ", 123456),
        ("1,000,000", 100000000),
        ("(1,234.56)", -123456),
        ("($5.00)", -500),
        ("-5", -500),
        ("5.00-", -500),  # a trailing minus, as older mainframe registers print it
        ("1.", 100),
        (".5", 50),
        ("0.07", 7),
        ("-", 0),  # accounting formats print zero as a dash
        ("$ -", 0),
        ("999999999999.99", 99999999999999),  # the most a payroll amount holds
        ("999,999,999,999.99", 99999999999999),
    ],
)
def test_an_amount_in_any_of_the_usual_spellings_is_read_to_the_exact_cent(
    text: str, expected: int
) -> None:
    assert pl.DataFrame({"a": [text]}).select(cents("a")).item() == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "N/A",
        "1.234",  # three decimals: a fraction of a cent, or a European thousands separator
        "1.234,56",  # a decimal comma
        "12,34",
        "1,2345.00",  # thousands not in threes
        "(5",  # parentheses not closed
        "5)",
        "(-5)",  # two signs
        "--5",
        "-5-",
        "1e3",
        "USD 5",
        "+5",
        "1234567890123456.00",  # sixteen digits of dollars
        "1000000000000.00",  # thirteen digits of dollars: more than a payroll amount holds
        "1,000,000,000,000",
    ],
)
def test_text_that_is_not_an_amount_reads_as_null_and_never_as_a_guess(text: str) -> None:
    assert pl.DataFrame({"a": [text]}).select(cents("a")).item() is None


def test_a_column_mixing_plain_and_unusual_amounts_reads_each_cell_as_it_reads_alone() -> None:
    # Plain amounts ("1,234.56") are read from their digits and the rest in full: in one column,
    # split over several chunks, each cell still reads as the lists above say.
    cells = [
        ("1234.56", 123456),
        ("(1,234.56)", -123456),
        ("-1,234.56", -123456),
        ("abc", None),
        ("0.00", 0),
        ("-0.00", 0),
        ("5.00-", -500),
        (None, None),
        ("999,999,999,999.99", 99999999999999),
        ("1000000000000.00", None),
        ("1,2345.00", None),
        ("-", 0),
        ("12.34", 1234),
        (" 12.34", 1234),
    ]
    chunks = [pl.Series("a", [text for text, _ in cells[i : i + 5]], pl.String) for i in (0, 5, 10)]
    column = pl.concat(chunks, rechunk=False)
    assert column.n_chunks() == 3
    read = pl.DataFrame({"a": column}).select(cents("a")).to_series().to_list()
    assert read == [expected for _, expected in cells]


# --- the period ----------------------------------------------------------------------------


def test_a_pay_day_on_inception_is_in_the_period_and_one_on_expiration_is_not() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2024-12-31,,,regular,100.00
Ann Lee,E1,IN,8810,2025-01-01,,,regular,200.00
Ann Lee,E1,IN,8810,2025-12-31,,,regular,400.00
Ann Lee,E1,IN,8810,2026-01-01,,,regular,800.00
"""
    )
    # 200.00 + 400.00: the checks of 2025-01-01 and 2025-12-31.
    assert result.gross_cents == 60000
    assert exceptions(result) == [
        (2, "check_date", "outside_period"),
        (5, "check_date", "outside_period"),
    ]


def test_on_the_earned_basis_a_period_straddling_inception_is_prorated_by_days_half_up() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-03,2024-12-31,2025-01-01,regular,100.01
Bob Cruz,E2,IN,8810,2025-01-03,2024-12-30,2025-01-01,regular,100.00
Cy Dunn,E3,IN,8810,2025-01-03,2024-12-31,2025-01-02,regular,100.00
Di Eng,E4,IN,8810,2025-01-03,2024-12-31,2025-01-01,bonus,-100.01
Ed Fox,E5,IN,8810,2024-12-20,2024-12-06,2024-12-19,regular,500.00
""",
        basis="earned",
    )
    assert lines(result) == [
        # 1 of 2 days: 10001 × 1/2 = 5000.5, half up to 5001.
        ("IN", "8810", "Ann Lee", "50.01"),
        # 1 of 3 days: 10000 / 3 = 3333.33…, to 3333.
        ("IN", "8810", "Bob Cruz", "33.33"),
        # 2 of 3 days: 20000 / 3 = 6666.66…, to 6667.
        ("IN", "8810", "Cy Dunn", "66.67"),
        # A negative amount rounds its size half up: -5000.5 to -5001.
        ("IN", "8810", "Di Eng", "-50.01"),
    ]
    # Ed Fox's period ends before inception: none of its days is in the policy.
    assert (6, "check_date", "outside_period") in exceptions(result)


def test_on_the_earned_basis_a_period_straddling_expiration_keeps_its_days_before_it() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2026-01-09,2025-12-25,2026-01-07,regular,1400.00
""",
        basis="earned",
    )
    # Paid after expiration, but 7 of its 14 days (Dec 25-31) are in the policy: 700.00.
    assert lines(result) == [("IN", "8810", "Ann Lee", "700.00")]
    assert exceptions(result) == []


def test_check_dates_in_other_spellings_are_read_and_the_rest_named_by_row_and_column() -> None:
    result = run(
        f"""
{TRUEUP}
A,E1,IN,8810,02/01/25,,,regular,1.00
B,E2,IN,8810,2/1/2025 0:00,,,regular,2.00
C,E3,IN,8810,45689.5,,,regular,4.00
D,E4,IN,8810,2025-02-01T08:30:00,,,regular,8.00
E,E5,IN,8810,1 Feb 2025,,,regular,16.00
"""
    )
    assert result.gross_cents == 1500
    assert exceptions(result) == [(6, "check_date", "bad_date")]
    assert result.exceptions["message"][0] == "check date '1 Feb 2025' is not a date"


def test_dates_with_spaces_around_them_are_read_and_a_bad_one_is_quoted_without_them() -> None:
    result = run(
        f"""
{TRUEUP}
A,E1,IN,8810," 2025-02-01 ",,,regular,1.00
B,E2,IN,8810,"  1 Feb 2025  ",,,regular,2.00
C,E3,IN,8810,,,,regular,4.00
D,E4,IN,8810,"2024-12-27 "," 2024-12-23","2025-01-05 ",regular,1000.00
""",
        basis="earned",
    )
    assert exceptions(result) == [(3, "check_date", "bad_date"), (4, "check_date", "bad_date")]
    assert result.exceptions["message"].to_list() == [
        "check date '1 Feb 2025' is not a date",
        "check date '' is not a date",
    ]
    # Row 2 on its check date; row 5's period is 14 days, 5 of them in the policy period:
    # 1,000.00 × 5 ÷ 14 = 357.142… → 357.14.
    assert lines(result) == [
        ("IN", "8810", "A", "1.00"),
        ("IN", "8810", "D", "357.14"),
    ]


def test_on_the_earned_basis_a_register_whose_check_dates_all_fail_gives_only_exceptions() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,TBD,2025-01-01,2025-01-14,regular,100.00
""",
        basis="earned",
    )
    assert result.lines == []
    assert exceptions(result) == [(2, "check_date", "bad_date")]


# --- what is left out ----------------------------------------------------------------------


def test_the_same_check_twice_is_a_duplicate_but_the_same_amount_in_another_class_is_not() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,900.00
Ann Lee,E1,IN,5403,2025-01-15,,,regular,900.00
Ann Lee,E1,IN,8810,2025-01-15,,,regular,900.00
Ann Lee,E1,IN,8810,2025-01-29,,,regular,900.00
"""
    )
    assert exceptions(result) == [(4, "amount", "duplicate")]
    assert lines(result) == [
        ("IN", "5403", "Ann Lee", "900.00"),
        ("IN", "8810", "Ann Lee", "1800.00"),
    ]


def test_a_row_left_out_is_named_for_its_own_reason_only_and_is_never_a_copy() -> None:
    # Zeros, rows without a name and an undated zero are left out before copies and the
    # period are looked at: each is named once, for what it is, even where it repeats.
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,0.00
Ann Lee,E1,IN,8810,2025-01-15,,,regular,0.00
,,IN,8810,2025-01-15,,,regular,500.00
,,IN,8810,2025-01-15,,,regular,500.00
Ann Lee,E1,IN,8810,someday,,,regular,0.00
Ann Lee,E1,IN,8810,2025-01-15,,,regular,900.00
Ann Lee,E1,IN,8810,2025-01-15,,,regular,900.00
Ann Lee,E1,IN,8810,2024-12-15,,,regular,0.00
"""
    )
    assert exceptions(result) == [
        (2, "amount", "zero_amount"),
        (3, "amount", "zero_amount"),
        (4, "amount", "no_employee"),
        (5, "amount", "no_employee"),
        (6, "amount", "zero_amount"),
        (8, "amount", "duplicate"),
        (9, "amount", "zero_amount"),
    ]
    assert lines(result) == [("IN", "8810", "Ann Lee", "900.00")]
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (8, 1, 7)
    assert result.left_out == {
        "duplicate": {"rows": 1, "cents": 90000},
        "no_employee": {"rows": 2, "cents": 100000},
        "zero_amount": {"rows": 4, "cents": 0},
    }


def test_row_numbers_are_looked_up_among_others_with_repeats_and_gaps() -> None:
    numbers = pl.Series("row", [7, 2, 9, 2, 40, 3])
    assert among(numbers, pl.Series([3, 9, 9, 12])).to_list() == [
        False,
        False,
        True,
        False,
        False,
        True,
    ]
    assert among(numbers, pl.Series([], dtype=pl.Int64)).to_list() == [False] * 6
    assert among(pl.Series([], dtype=pl.Int64), numbers).to_list() == []


@pytest.mark.parametrize(
    ("rows", "one_each"),
    [
        ([2, 3, 5, 9], True),  # in order, with gaps
        ([2, 3, 3, 4], False),  # in order, a row twice
        ([9, 2, 5, 3], True),  # out of order (a wide register's cells, column by column)
        ([2, 3, 2, 3, 2], False),  # more amounts than the rows they fall between
        ([2, 9, 5, 9], False),  # out of order, a row twice among gaps
        ([4], True),
    ],
)
def test_whether_each_row_has_one_amount_is_told_in_or_out_of_order(
    rows: list[int], one_each: bool
) -> None:
    assert one_amount_a_row(pl.DataFrame({"_row": rows})) is one_each


def test_among_three_thousand_checks_only_the_three_copies_are_duplicates() -> None:
    checks = [f"Emp {n},E{n},IN,8810,2025-01-15,,,regular,{n}.00" for n in range(1, 3001)]
    # Rows 2..3001 hold the checks; the copies of checks 7, 1500 and 2999 follow as 3002-3004,
    # and a check differing from check 8 by a cent only is no copy.
    copies = [checks[6], checks[1499], checks[2998], "Emp 8,E8,IN,8810,2025-01-15,,,regular,8.01"]
    result = run("\n".join([TRUEUP, *checks, *copies]))
    assert exceptions(result) == [
        (3002, "amount", "duplicate"),
        (3003, "amount", "duplicate"),
        (3004, "amount", "duplicate"),
    ]
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (3004, 3001, 3)
    assert result.gross_cents == sum(range(1, 3001)) * 100 + 801


def test_a_row_holding_text_only_outside_the_amount_columns_is_read_and_named() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,900.00
,,,,,,see attached,,
,,,,,,  ,,
Bob Cruz,E2,IN,8810,2025-01-15,,,regular,100.00
"""
    )
    # Row 3's only text is in the period's end: read, and named as a row with no amount. Row 4
    # holds spaces only: no row of payroll.
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (3, 2, 1)
    assert exceptions(result) == [(3, "amount", "no_amount")]


def test_a_wide_profile_chosen_for_a_long_register_lists_its_amount_column_as_unmapped() -> None:
    # An auditor may pick the profile: ADP Workforce Now's wide report names none of this long
    # register's columns, so its amounts wait for a mapping instead of stopping the import.
    header = "Employee ID,Employee Name,Work State,WC Code,Pay Date,Period Begin,Period End"
    frame = register(
        f"""
{header},Earnings Code,Earnings Amount
E1,Ann Lee,IN,8810,01/15/2025,01/01/2025,01/14/2025,REG,2500.00
E2,Bob Cruz,IN,5403,01/15/2025,01/01/2025,01/14/2025,REG,1800.00
"""
    )
    result = ingest(frame, profiles()["adp_wfn"], Options(EFFECTIVE, EXPIRATION))
    assert result.lines == []
    assert result.unmapped == [
        {
            "code": "Earnings Amount",
            "column": "Earnings Amount",
            "rows": 2,
            "first_row": 2,
            "cents": 430000,
        }
    ]
    assert exceptions(result) == [
        (2, "Earnings Amount", "unmapped_code"),
        (3, "Earnings Amount", "unmapped_code"),
    ]


def test_officers_by_column_or_by_name_are_left_out_of_the_lines_but_kept_as_employees() -> None:
    result = run(
        f"""
{TRUEUP},officer
Ann Lee,E1,IN,8810,2025-01-15,,,regular,1000.00,N
Bob Cruz,E2,IN,8810,2025-01-15,,,regular,9000.00,Y
Cy Dunn,E3,IN,8810,2025-01-15,,,regular,8000.00,
""",
        officer_names=frozenset({"Cy Dunn"}),
    )
    assert lines(result) == [("IN", "8810", "Ann Lee", "1000.00")]
    assert result.totals == {"regular": 100000}
    officers = result.employees.filter(pl.col("officer"))
    assert officers.select("employee", "gross_cents").rows() == [
        ("Bob Cruz", 900000),
        ("Cy Dunn", 800000),
    ]


def test_an_employee_table_gives_state_and_class_by_id_or_name_when_the_register_has_none() -> None:
    result = run(
        """
employee,employee_id,state,class,check_date,earnings_code,amount
Ann Lee,E1,,,2025-01-15,regular,1000.00
Bob Cruz,,,,2025-01-15,regular,2000.00
Cy Dunn,E3,OH,5403,2025-01-15,regular,3000.00
Di Eng,E4,,,2025-01-15,regular,4000.00
""",
        employee_classes={
            "E1": ("IN", "8810"),
            "Bob Cruz": ("IN", "5403"),
            "E3": ("IN", "8810"),  # the register's own state and class win
        },
    )
    assert lines(result) == [
        ("IN", "5403", "Bob Cruz", "2000.00"),
        ("IN", "8810", "Ann Lee", "1000.00"),
        ("OH", "5403", "Cy Dunn", "3000.00"),
    ]
    assert exceptions(result) == [(5, "class", "no_class")]


def test_the_policys_only_state_fills_a_register_without_states() -> None:
    text = """
employee,class,check_date,earnings_code,amount
Ann Lee,8810,2025-01-15,regular,1000.00
"""
    assert lines(run(text, default_state="IN")) == [("IN", "8810", "Ann Lee", "1000.00")]
    assert exceptions(run(text)) == [(2, "", "no_state")]


def test_deductions_printed_negative_count_by_their_size_and_stay_out_of_gross() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,2000.00
Ann Lee,E1,IN,8810,2025-01-15,,,401k,-125.00
Ann Lee,E1,IN,8810,2025-01-29,,,401k,(125.00)
Ann Lee,E1,IN,8810,2025-01-15,,,section_125,-50
"""
    )
    assert result.totals == {"regular": 200000, "deferred_401k": 25000, "section_125": 5000}
    [line] = result.lines
    assert line["gross"] == Decimal("2000.00")
    assert line["deferred_401k"] == Decimal("250.00")
    assert line["section_125"] == Decimal("50.00")
    assert exceptions(result) == []


def test_totals_rows_are_never_payroll_however_they_are_labelled() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,1000.00
Total,,,,,,,,1000.00
Subtotal Dept 10,,,,,,,regular,1000.00
Grand Total:,,,,,,,regular,1000.00
Report Totals,,,,,,,regular,1000.00
,Totals for Ann Lee,,,,,,regular,1000.00
Ken Totten,E9,IN,8810,2025-01-15,,,regular,500.00
"""
    )
    assert [row for row, _, kind in exceptions(result) if kind == "totals_row"] == [3, 4, 5, 6, 7]
    assert result.gross_cents == 150000  # Ann and Ken Totten, whose name only begins so


def test_totals_rows_are_found_in_columns_of_a_few_repeated_values_and_of_many() -> None:
    # A hundred rows of two names (a column searched by its distinct cells) and a hundred ids
    # (a column searched cell by cell): a totals label in either is found.
    detail = [
        f"{'Ann Lee' if n % 2 else 'Ken Totten'},E{n},IN,8810,2025-01-15,,,regular,{n}.00"
        for n in range(1, 101)
    ]
    rows = [*detail[:50], "Total,,,,,,,,1275.00", *detail[50:], ",Totals for Ann Lee,,,,,,,2500.00"]
    result = run("\n".join([TRUEUP, *rows]))
    assert [row for row, _, kind in exceptions(result) if kind == "totals_row"] == [52, 103]
    assert result.gross_cents == 505000  # 1.00 + 2.00 + … + 100.00
    assert result.rows_used == 100


def test_a_row_with_amounts_but_no_employee_is_left_out_and_named() -> None:
    result = run(
        """
Employee,WC Code,State,Gross Wages,OT Premium,WC Wages
Ann Lee,8810,IN,1000.00,0,1000.00
,8810,IN,1000.00,0,1000.00
"""
    )
    assert result.profile.key == "quickbooks_summary"
    assert result.gross_cents == 100000
    assert exceptions(result) == [(3, "Gross Wages", "no_employee")]


def test_text_in_a_column_the_profile_ignores_is_no_exception() -> None:
    result = run(
        """
Employee,Check Date,Regular Earnings,Net Pay,WC Class,Work State
Ann Lee,01/15/2025,1000.00,n/a,8810,IN
"""
    )
    assert result.gross_cents == 100000
    assert exceptions(result) == []


# --- reading and detecting -----------------------------------------------------------------


def test_rows_are_numbered_as_a_spreadsheet_shows_them_titles_and_blank_lines_counted() -> None:
    frame = register(
        """
Acme Landscaping LLC
Payroll Register

employee,check_date,earnings_code,amount
Ann Lee,2025-01-15,regular,1.00

Bob Cruz,2025-01-15,regular,2.00
"""
    )
    assert frame.columns == ["_row", "employee", "check_date", "earnings_code", "amount"]
    assert frame.filter(pl.col("employee").is_not_null())["_row"].to_list() == [5, 7]


def test_a_quickbooks_detail_report_is_not_taken_for_the_summary_it_holds_the_columns_of() -> None:
    headers = ["Date", "Num", "Name", "WC Code", "Gross Wages", "OT Premium", "WC Wages"]
    assert detect_profile(headers).key == "quickbooks_detail"
    assert detect_profile(["Employee", *headers[3:]]).key == "quickbooks_summary"


def test_an_unknown_register_is_refused_naming_the_columns_the_nearest_profile_lacks() -> None:
    with pytest.raises(RegisterError) as refused:
        detect_profile(["Employee", "Check Date", "Regular Pay Amount", "Overtime"])
    assert "the nearest, Gusto payroll journal, also needs 'Regular Earnings'" in (
        refused.value.message
    )


def test_every_profile_in_profiles_toml_is_detected_by_its_own_headers() -> None:
    for key, profile in profiles().items():
        # A register with a column per code is known by its headers and an earnings column.
        coded = [f"REG_Regular_{kind}" for kind in profile.code_columns]
        earnings = [h for h in coded if profile.column_kind(h) == "earnings"][:1]
        assert detect_profile([*profile.detect, *earnings]).key == key


def test_a_lone_dash_deep_in_a_large_register_reads_as_zero() -> None:
    # Large files are parsed in chunks: the dash falls in a later one.
    header = "employee,employee_id,state,class,check_date,earnings_code,amount\n"
    rows = ["Ana,E1,IN,5645,2025-03-14,regular,100.00\n"] * 200_000
    rows[150_000] = "Ana,E1,IN,5645,2025-03-15,regular,-\n"
    frame = read_register((header + "".join(rows)).encode(), "big.csv")
    result = ingest(
        frame, detect_profile(frame.columns), Options(date(2025, 1, 1), date(2026, 1, 1))
    )
    # Every other row is the same check again: one counts, the rest are duplicates.
    assert result.totals == {"regular": 10_000}
    assert result.exceptions.filter(pl.col("kind") == "duplicate").height == 199_998


# --- every row accounted for ---------------------------------------------------------------


GUSTO = (
    "Employee,Employee ID,Work State,WC Class,Check Date,Regular Earnings,Overtime Earnings,Net Pay"
)


def test_a_wide_row_with_only_net_pay_and_one_with_only_zeros_are_each_named() -> None:
    result = run(
        f"""
{GUSTO}
Ann Lee,E1,IN,8810,01/15/2025,2500.00,300.00,2100.00
Bob Cruz,E2,IN,5403,01/15/2025,,,1500.00
Cy Dunn,E3,IN,5403,01/15/2025,0.00,0,0
"""
    )
    assert exceptions(result) == [(3, "", "not_pay"), (4, "", "zero_amount")]
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (3, 1, 2)
    assert lines(result) == [("IN", "8810", "Ann Lee", "2800.00")]


def test_a_wide_row_repeated_is_one_duplicate_but_a_row_sharing_one_amount_is_not() -> None:
    result = run(
        f"""
{GUSTO}
Ann Lee,E1,IN,8810,01/15/2025,2500.00,300.00,2100.00
Ann Lee,E1,IN,8810,01/15/2025,2500.00,300.00,2100.00
Ann Lee,E1,IN,8810,01/15/2025,2500.00,150.00,2000.00
"""
    )
    # Row 4 shares the regular pay of row 2 but not its overtime: a second check, used whole.
    assert exceptions(result) == [(3, "", "duplicate")]
    assert lines(result) == [("IN", "8810", "Ann Lee", "5450.00")]
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (3, 2, 1)


def test_a_negative_amount_is_a_warning_on_a_row_that_is_used() -> None:
    result = run(
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-01-15,,,regular,2500.00
Ann Lee,E1,IN,8810,2025-01-29,,,regular,-100.00
"""
    )
    assert exceptions(result) == [(3, "amount", "negative_amount")]
    assert (result.rows_read, result.rows_used, result.rows_excepted) == (2, 2, 0)
    assert lines(result) == [("IN", "8810", "Ann Lee", "2400.00")]


def test_a_wide_register_numbered_with_gaps_reads_each_cell_with_its_own_rows_fields() -> None:
    # A report's table (``read_export``) is numbered as the sheet shows it, with the rows of
    # other tables between: its cells are matched to their rows by number, not by place.
    text = f"""
{GUSTO}
Ann Lee,E1,IN,8810,01/15/2025,2500.00,300.00,2100.00
Bob Cruz,E2,OH,5403,01/15/2025,1800.00,,1500.00
Cy Dunn,E3,IN,5403,13/45/2025,900.00,50.00,800.00
Ann Lee,E1,IN,8810,01/29/2025,2500.00,,2100.00
"""
    frame = register(text)
    gaps = frame.with_columns(pl.col("_row") * 10)
    profile = detect_profile(frame.columns)
    numbered, gapped = (ingest(f, profile, Options(EFFECTIVE, EXPIRATION)) for f in (frame, gaps))
    expected = [
        ("IN", "8810", "Ann Lee", "5300.00"),
        ("OH", "5403", "Bob Cruz", "1800.00"),
    ]
    assert lines(numbered) == lines(gapped) == expected
    assert exceptions(numbered) == [(4, "Check Date", "bad_date")]
    assert exceptions(gapped) == [(40, "Check Date", "bad_date")]
    ann = [line["employee"] for line in numbered.lines].index("Ann Lee")
    assert numbered.cells_of(ann, "gross") == [
        (2, "Overtime Earnings"),
        (2, "Regular Earnings"),
        (5, "Regular Earnings"),
    ]
    assert gapped.cells_of(ann, "gross") == [
        (20, "Overtime Earnings"),
        (20, "Regular Earnings"),
        (50, "Regular Earnings"),
    ]
