"""Vendor earnings codes as data, and amounts in codes no mapping names: gathered for the auditor
to map or exclude, never dropped with their row.

The ADP long report (``exports/adp_long_earnings_codes.csv``) is the case from the issue: bonus
(B), tips (TIPS), vacation (V) and double time (DBL) under ADP's codes, $7,205.00 the old mapping
did not name; a retention payment (RET) only this insured uses; group-term life (GTL) imputed
income the auditor excludes. Every figure is summed in the test from its own table of the file's
lines. The policy runs from 2025-01-01 to 2026-01-01."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.payroll import services
from trueup.payroll.ingest import (
    Ingested,
    Options,
    Profile,
    RegisterError,
    custom_profile,
    ingest,
    profiles,
    read_register,
)
from trueup.payroll.ingest.mapping import codesets

EXPORTS = Path(__file__).parent / "exports"
ADP_LONG = EXPORTS / "adp_long_earnings_codes.csv"
EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)
GTL_REASON = "group-term life insurance imputed income: not remuneration (NCCI Rule 2-B)"

# The file's lines as (spreadsheet row, employee id, code, amount): the header is row 1.
LINES = [
    (2, "E101", "REG", "1200.00"),
    (3, "E101", "TIPS", "640.00"),
    (4, "E102", "REG", "2500.00"),
    (5, "E102", "B", "2500.00"),
    (6, "E103", "REG", "1100.00"),
    (7, "E103", "DBL", "850.00"),
    (8, "E101", "REG", "1200.00"),
    (9, "E101", "TIPS", "565.00"),
    (10, "E101", "OT", "90.00"),
    (11, "E102", "REG", "2500.00"),
    (12, "E102", "RET", "300.00"),
    (13, "E102", "GTL", "12.40"),
    (14, "E103", "REG", "1100.00"),
    (15, "E103", "DBL", "850.00"),
    (16, "E103", "V", "1800.00"),
]
# What the old ADP mapping named (before code sets): the codes below, and no others.
OLD_ADP_CODES = {
    "REG": "regular",
    "OT": "overtime_total",
    "OTP": "overtime_premium",
    "DT": "double_time_total",
    "TIP": "tips",
    "BON": "bonus",
    "COM": "commission",
    "VAC": "vacation_holiday_sick",
    "HOL": "vacation_holiday_sick",
    "SCK": "vacation_holiday_sick",
}
VENDOR_CODES = {"B", "TIPS", "V", "DBL"}  # ADP's own codes the old mapping missed
ANSWERS = {"ret": "bonus"}  # the insured: a retention payment is a bonus


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def by_code(codes: set[str]) -> tuple[int, int]:
    """(rows, cents) of the table's lines in these codes."""
    found = [cents(amount) for _, _, code, amount in LINES if code in codes]
    return len(found), sum(found)


def read(profile: Profile, **options: object) -> Ingested:
    frame = read_register(ADP_LONG.read_bytes(), ADP_LONG.name)
    return ingest(frame, profile, Options(EFFECTIVE, EXPIRATION, **options))  # type: ignore[arg-type]


def old_adp_profile() -> Profile:
    adp = profiles()["adp"]
    return custom_profile(
        "adp_before",
        {"shape": "long", "columns": dict(adp.columns), "codes": OLD_ADP_CODES},
    )


def test_the_table_in_this_test_is_the_file() -> None:
    with ADP_LONG.open(newline="") as f:
        rows = [
            (row["Employee ID"], row["Earnings Code"], row["Earnings Amount"].replace(",", ""))
            for row in csv.DictReader(f)
        ]
    assert rows == [(who, code, amount) for _, who, code, amount in LINES]


def test_without_the_code_set_the_adp_report_leaves_7205_dollars_of_adp_codes_unmapped() -> None:
    result = read(old_adp_profile())
    unmapped = {
        str(item["code"]): (int(str(item["rows"])), int(str(item["cents"])))
        for item in result.unmapped
    }
    assert set(unmapped) == VENDOR_CODES | {"RET", "GTL"}
    vendor = [unmapped[code] for code in VENDOR_CODES]
    assert (sum(r for r, _ in vendor), sum(c for _, c in vendor)) == by_code(VENDOR_CODES)
    assert by_code(VENDOR_CODES) == (6, 720500)
    # Before this change the rows were left out and the import could be committed; now each
    # amount is named and the totals hold only what is mapped.
    assert result.totals == {"overtime_total": 9000, "regular": 960000}
    assert result.rows_read == result.rows_used + result.rows_excepted == len(LINES)


def test_with_the_adp_code_set_only_the_insureds_own_codes_need_an_answer() -> None:
    result = read(profiles()["adp"])
    assert result.unmapped == [
        {
            "code": "RET",
            "column": "Earnings Amount",
            "rows": 1,
            "first_row": 12,
            "cents": 30000,
        },
        {
            "code": "GTL",
            "column": "Earnings Amount",
            "rows": 1,
            "first_row": 13,
            "cents": 1240,
        },
    ]
    kinds = [(row, kind) for row, _, kind, _ in result.exceptions.iter_rows()]
    assert kinds == [(12, "unmapped_code"), (13, "unmapped_code")]
    assert result.rows_read == result.rows_used + result.rows_excepted == len(LINES)


def test_after_the_auditors_answers_nothing_is_unmapped_and_the_totals_are_exact() -> None:
    result = read(profiles()["adp"], codes=ANSWERS, excluded_codes={"gtl": GTL_REASON})
    assert result.unmapped == []
    assert result.excluded == [{"code": "GTL", "reason": GTL_REASON, "rows": 1, "cents": 1240}]
    assert [(row, kind) for row, _, kind, _ in result.exceptions.iter_rows()] == [
        (13, "excluded_code")
    ]
    category = {
        "REG": "regular",
        "OT": "overtime_total",
        "TIPS": "tips",
        "B": "bonus",
        "RET": "bonus",
        "V": "vacation_holiday_sick",
        "DBL": "double_time_total",
    }
    expected: dict[str, int] = defaultdict(int)
    for _, _, code, amount in LINES:
        if code in category:
            expected[category[code]] += cents(amount)
    assert result.totals == dict(expected)
    assert result.gross_cents == sum(expected.values()) == 1719500
    assert result.rows_used == len(LINES) - 1
    assert result.rows_read == result.rows_used + result.rows_excepted


def test_every_code_set_names_its_source_and_whether_clients_set_their_own_codes() -> None:
    sets = codesets()
    assert {"adp", "gusto", "paychex", "paylocity", "quickbooks"} <= set(sets)
    for codeset in sets.values():
        assert codeset.source.strip()
        assert codeset.configurable.strip()
        assert codeset.codes


def test_adp_letter_codes_and_its_common_codes_map_to_their_categories() -> None:
    codes = codesets()["adp"].codes
    assert [codes[c] for c in ("reg", "ot", "b", "c", "v", "h", "s", "dbl", "tips")] == [
        "regular",
        "overtime_total",
        "bonus",
        "commission",
        "vacation_holiday_sick",
        "vacation_holiday_sick",
        "vacation_holiday_sick",
        "double_time_total",
        "tips",
    ]


def test_a_profiles_own_codes_win_over_its_code_set_and_the_insureds_answers_win_over_both() -> (
    None
):
    adp = profiles()["adp"]
    own = custom_profile(
        "adp_commissions",
        {
            "shape": "long",
            "columns": dict(adp.columns),
            "codeset": "adp",
            "codes": {"B": "commission"},
        },
    )
    assert own.codes["b"] == "commission"
    assert own.codes["v"] == "vacation_holiday_sick"  # the rest of the code set stays
    by_profile = read(own, codes=ANSWERS, excluded_codes={"gtl": GTL_REASON})
    assert by_profile.totals["commission"] == 250000
    answered = read(own, codes={**ANSWERS, "b": "bonus"}, excluded_codes={"gtl": GTL_REASON})
    assert "commission" not in answered.totals
    assert answered.totals["bonus"] == 250000 + 30000


def test_an_excluded_code_is_left_out_even_where_the_code_set_maps_it() -> None:
    result = read(
        profiles()["adp"],
        codes=ANSWERS,
        excluded_codes={"gtl": GTL_REASON, "tips": "tips paid out by the restaurant's tip pool"},
    )
    excluded = {item["code"]: (item["rows"], item["cents"]) for item in result.excluded}
    assert excluded == {"GTL": (1, 1240), "TIPS": by_code({"TIPS"})}
    assert "tips" not in result.totals
    assert result.rows_read == result.rows_used + result.rows_excepted


def test_a_profile_naming_a_code_set_there_is_not_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(RegisterError) as refused:
        custom_profile(
            "shop",
            {
                "shape": "long",
                "codeset": "adpp",
                "columns": {"employee": "Name", "code": "Code", "amount": "Amount"},
            },
        )
    assert "there is no code set 'adpp'" in refused.value.message
    assert "adp" in refused.value.message


def test_an_unmapped_amount_outside_the_period_needs_no_answer() -> None:
    text = (
        "Employee ID,Employee Name,Work State,WC Code,Pay Date,Earnings Code,Earnings Amount\n"
        "E1,Ann Lee,IN,8810,12/27/2024,XYZ,100.00\n"
        "E1,Ann Lee,IN,8810,01/10/2025,REG,900.00\n"
    )
    frame = read_register(text.encode(), "adp.csv")
    result = ingest(frame, profiles()["adp"], Options(EFFECTIVE, EXPIRATION))
    assert result.unmapped == []
    assert [(row, kind) for row, _, kind, _ in result.exceptions.iter_rows()] == [
        (2, "outside_period")
    ]
    assert result.totals == {"regular": 90000}


@pytest.mark.django_db
def test_a_preview_keeps_the_unmapped_codes_and_cannot_be_committed_until_they_are_answered(
    audit: Audit, auditor: User
) -> None:
    data = (
        b"employee,employee_id,state,class,check_date,earnings_code,amount\n"
        b'Office,E2,IN,8810,2025-03-14,regular,"6,125.00"\n'
        b"Office,E2,IN,8810,2025-03-14,SPF,150.00\n"
        b"Office,E2,IN,8810,2025-03-28,SPF,275.50\n"
    )
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=data, filename="register.csv"
    )
    assert preview.unmapped == [
        {"code": "SPF", "column": "amount", "rows": 2, "first_row": 3, "cents": 42550}
    ]
    assert preview.excluded == []
    assert preview.gross_cents == 612500
    assert not preview.committable


def test_an_answer_naming_a_category_there_is_not_is_refused_with_the_categories_there_are() -> (
    None
):
    with pytest.raises(RegisterError) as refused:
        read(profiles()["adp"], codes={"RET": "retention"})
    assert "'ret' maps to 'retention', which is not a category" in refused.value.message
    assert "bonus" in refused.value.message


def test_answers_are_matched_without_regard_to_case_or_spacing() -> None:
    result = read(profiles()["adp"], codes={" Ret ": "bonus"}, excluded_codes={"GTL": GTL_REASON})
    assert result.unmapped == []
    assert result.totals["bonus"] == 250000 + 30000


def test_a_saved_mapping_can_start_from_a_vendors_code_set() -> None:
    mapping = custom_profile(
        "bistro",
        {
            "shape": "long",
            "codeset": ["gusto", "quickbooks"],
            "columns": {
                "employee": "Employee",
                "state": "State",
                "class_code": "Class",
                "check_date": "Check date",
                "code": "Earning type",
                "amount": "Amount",
            },
        },
    )
    text = (
        "Employee,State,Class,Check date,Earning type,Amount\n"
        "Ann Lee,IN,9079,01/10/2025,Regular,800.00\n"
        "Ann Lee,IN,9079,01/10/2025,Paycheck tips,212.35\n"
        "Ann Lee,IN,9079,01/10/2025,Double overtime,64.00\n"
        "Ann Lee,IN,9079,01/10/2025,Vacation Salary,120.00\n"
    )
    result = ingest(
        read_register(text.encode(), "bistro.csv"), mapping, Options(EFFECTIVE, EXPIRATION)
    )
    assert result.unmapped == []
    assert result.totals == {
        "double_time_total": 6400,
        "regular": 80000,
        "tips": 21235,
        "vacation_holiday_sick": 12000,
    }
