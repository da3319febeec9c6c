"""Officers and owners worked examples: coverage and each state's payroll limits (RULES.md 2).

Every expected figure is worked out by hand in the comment above it. Limits apply to the average
weekly payroll for the weeks covered, a part week counting as a full week (MN 2-E-1-b); for a full
term the annual limits apply (a year of 365 or 366 days is 53 weeks counting the part week, so the
weekly limits × 53 are always above the annual ones). Rates are written in each test.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.rating.factories import D, audit_findings, audited_exposure, rate, rate_table, worksheet
from trueup.rating import Result, WorksheetError
from trueup.rating.result import Reason
from trueup.rating.worksheet import Estimate, Owner


def audit(*owners: Owner, state: str, effective: date, class_code: str = "8810") -> Result:
    """Rate ``owners`` on a one-year, one-state policy from ``effective``."""
    rates = rate_table(f"{state} WC {class_code} 0.50", effective="2015-01-01")
    ws = worksheet(
        estimated=[Estimate(state, class_code, D("60000"))],
        owners=list(owners),
        states=(state,),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
    )
    return rate(ws, rates)


def officer(state: str, pay: str, role: str = "executive_officer", **kw: Any) -> Owner:
    return Owner("Pat", role, state, "8810", D(pay), **kw)


def owner_reason(result: Result, state: str, class_code: str = "8810") -> Reason:
    (line,) = [
        e for e in result.audited.exposures if (e.state, e.class_code) == (state, class_code)
    ]
    (found,) = [r for r in line.reasons if r.rule.startswith("officers.")]
    return found


def codes(result: Result) -> list[str]:
    return [f.code for f in audit_findings(result)]


# --- Indiana: weekly minimum and maximum by year (ICRB) -------------------------------------------


@pytest.mark.parametrize(
    ("year", "actual_pay", "expected"),
    [
        # 2024 (366 days = 53 weeks): max min(4,500 × 53 = 238,500, 234,000) = 234,000
        (2024, "300000", "234000"),
        # 2024: min min(950 × 53 = 50,350, 49,400) = 49,400
        (2024, "20000", "49400"),
        # 2025 (365 days = 53 weeks): max min(4,600 × 53 = 243,800, 239,200) = 239,200
        (2025, "300000", "239200"),
        # 2025: min min(1,000 × 53 = 53,000, 52,000) = 52,000
        (2025, "20000", "52000"),
        # 2026: max min(4,900 × 53 = 259,700, 254,800) = 254,800
        (2026, "300000", "254800"),
        # 2026: min min(1,050 × 53 = 55,650, 54,600) = 54,600
        (2026, "20000", "54600"),
    ],
)
def test_indiana_officer_pay_for_a_full_term_is_held_within_that_years_annual_limits(
    year: int, actual_pay: str, expected: str
):
    result = audit(officer("IN", actual_pay), state="IN", effective=date(year, 1, 1))

    assert audited_exposure(result, "IN", "8810") == D(expected)
    reason = owner_reason(result, "IN")
    assert reason.amount == D(expected)
    assert reason.effective == date(year, 1, 1)  # the version for the policy's year
    assert "icrb.net" in reason.source
    assert codes(result) == ["owner_limit"]


def test_a_part_week_counts_as_a_full_week_so_ten_days_covered_are_two_weeks():
    # covered 2025-03-01 to 2025-03-10 inclusive = 10 days = 1 week and 3 days → 2 weeks
    high = officer("IN", "15000", covered_from=date(2025, 3, 1), covered_to=date(2025, 3, 10))
    result = audit(high, state="IN", effective=date(2025, 1, 1))
    # 2025 maximum 4,600 × 2 weeks = 9,200.00
    assert audited_exposure(result, "IN", "8810") == D("9200")
    assert dict(owner_reason(result, "IN").inputs)["weeks_covered"] == "2"

    low = officer("IN", "500", covered_from=date(2025, 3, 1), covered_to=date(2025, 3, 10))
    result = audit(low, state="IN", effective=date(2025, 1, 1))
    # 2025 minimum 1,000 × 2 weeks = 2,000.00
    assert audited_exposure(result, "IN", "8810") == D("2000")


def test_exactly_seven_days_covered_is_one_week_and_eight_days_are_two():
    seven = officer("IN", "15000", covered_from=date(2025, 6, 2), covered_to=date(2025, 6, 8))
    eight = officer("IN", "15000", covered_from=date(2025, 6, 2), covered_to=date(2025, 6, 9))

    one_week = audit(seven, state="IN", effective=date(2025, 1, 1))
    two_weeks = audit(eight, state="IN", effective=date(2025, 1, 1))

    # 7 days → 1 week: max 4,600; 8 days → 2 weeks: max 4,600 × 2 = 9,200
    assert audited_exposure(one_week, "IN", "8810") == D("4600")
    assert audited_exposure(two_weeks, "IN", "8810") == D("9200")


def test_weeks_covered_given_on_the_worksheet_replace_the_dates():
    result = audit(officer("IN", "90000", weeks_covered=13), state="IN", effective=date(2025, 1, 1))

    # 2025 maximum 4,600 × 13 weeks = 59,800.00 (less than the annual 239,200)
    assert audited_exposure(result, "IN", "8810") == D("59800")


def test_officer_pay_within_the_limits_is_rated_as_paid_without_a_finding():
    result = audit(officer("IN", "120000.50"), state="IN", effective=date(2025, 1, 1))

    # 52,000 ≤ 120,000.50 ≤ 239,200: actual pay
    assert audited_exposure(result, "IN", "8810") == D("120000.50")
    assert "owner_limit" not in codes(result)


def test_indiana_llc_member_is_excluded_unless_coverage_is_elected():
    excluded = audit(
        Owner("Una", "llc_member", "IN", "8810", D("80000")),
        Owner("Vic", "llc_member", "IN", "8810", D("300000"), coverage="elected"),
        state="IN",
        effective=date(2025, 1, 1),
    )

    # the first member is not rated (ICRB: LLC members excluded, can opt in); the elected one is
    # capped at the 2025 annual maximum 239,200.00
    assert audited_exposure(excluded, "IN", "8810") == D("239200")
    (exclusion,) = excluded.audited.exclusions
    assert exclusion.rule == "officers.llc_member"
    assert exclusion.amount == D("80000")
    assert exclusion.path == "$.audited.officers[0].coverage"


# --- Rhode Island and Pennsylvania ----------------------------------------------------------------


def test_rhode_island_officer_pay_is_held_within_the_annual_minimum_and_maximum():
    high = audit(officer("RI", "250000"), state="RI", effective=date(2025, 1, 1))
    low = audit(officer("RI", "30000"), state="RI", effective=date(2025, 1, 1))

    # RI from 10/1/2016: annual max 192,400 (3,700 × 53 = 196,100 is higher) and min 49,400
    # (950 × 53 = 50,350 is higher)
    assert audited_exposure(high, "RI", "8810") == D("192400")
    assert audited_exposure(low, "RI", "8810") == D("49400")
    assert owner_reason(high, "RI").effective == date(2016, 10, 1)


def pa_officer(pay: str, **kw: Any) -> Owner:
    return Owner("Pat", "executive_officer", "PA", "953", D(pay), **kw)


def test_pennsylvania_officer_limits_come_from_the_statewide_average_weekly_wage():
    high = audit(pa_officer("200000"), state="PA", effective=date(2018, 1, 1), class_code="953")
    low = audit(pa_officer("20000"), state="PA", effective=date(2018, 1, 1), class_code="953")

    # SAWW 978 (4/1/2017): weekly min = 978; weekly max = 2.5 × 978 = 2,445 → nearest 50 = 2,450.
    # Annual max 2,450 × 52 = 127,400; annual min 978 × 52 = 50,856
    assert audited_exposure(high, "PA", "953") == D("127400")
    assert audited_exposure(low, "PA", "953") == D("50856")
    inputs = dict(owner_reason(high, "PA", "953").inputs)
    assert (inputs["weekly_min"], inputs["weekly_max"]) == ("978", "2450")


@pytest.mark.parametrize(
    ("effective", "saww", "weekly_max", "annual_max"),
    [
        # PCRB Circular 1709: 4/1/2019 uses the 1/1/2018 SAWW $1,025; 2.5 × 1,025 = 2,562.50 → 2,550
        (date(2019, 4, 1), "1025", "2550", "132600"),
        # the day before, the 4/1/2018 version (SAWW $995: 2,487.50 → 2,500)
        (date(2019, 3, 31), "995", "2500", "130000"),
        # 4/1/2022: SAWW $1,130, 2.5 × 1,130 = 2,825, halfway, rounded half up to 2,850
        (date(2022, 4, 1), "1130", "2850", "148200"),
        # 4/1/2024: SAWW $1,273: 3,182.50 → 3,200
        (date(2024, 4, 1), "1273", "3200", "166400"),
        # 4/1/2026: SAWW $1,347: 3,367.50 → 3,350
        (date(2026, 4, 1), "1347", "3350", "174200"),
    ],
)
def test_pennsylvania_limits_follow_each_years_statewide_average_weekly_wage(
    effective, saww, weekly_max, annual_max
):
    result = audit(pa_officer("500000"), state="PA", effective=effective, class_code="953")

    inputs = dict(owner_reason(result, "PA", "953").inputs)
    assert (inputs["weekly_min"], inputs["weekly_max"]) == (saww, weekly_max)
    assert audited_exposure(result, "PA", "953") == D(annual_max)


def test_pennsylvania_limits_for_a_part_of_the_term_are_weekly():
    owner = pa_officer("10000", covered_from=date(2018, 5, 1), covered_to=date(2018, 5, 10))
    result = audit(owner, state="PA", effective=date(2018, 1, 1), class_code="953")

    # 10 days → 2 weeks: max 2,450 × 2 = 4,900 (the 4/1/2017 limits are in force on 1/1/2018)
    assert audited_exposure(result, "PA", "953") == D("4900")


# --- Oklahoma: ownership of 10% or more -----------------------------------------------------------


def test_oklahoma_officer_owning_ten_percent_or_more_is_excluded_unless_elected():
    result = audit(
        Owner("Ten", "executive_officer", "OK", "8810", D("90000"), ownership_percent=D("10")),
        Owner("Few", "executive_officer", "OK", "8810", D("70000"), ownership_percent=D("9.99")),
        Owner(
            "Big",
            "executive_officer",
            "OK",
            "8810",
            D("110000"),
            ownership_percent=D("60"),
            coverage="elected",
        ),
        state="OK",
        effective=date(2025, 1, 1),
    )

    # 10% is at the threshold: excluded. 9.99% is below it: actual pay 70,000. The 60% owner
    # elected coverage: actual pay 110,000 (no OK limits). 70,000 + 110,000 = 180,000
    assert audited_exposure(result, "OK", "8810") == D("180000")
    (exclusion,) = result.audited.exclusions
    assert exclusion.amount == D("90000")
    assert exclusion.path == "$.audited.officers[0].coverage"
    assert "owner_limit" not in codes(result)


def test_oklahoma_elected_llc_member_is_rated_at_the_flat_annual_amount():
    member = Owner(
        "Mo", "llc_member", "OK", "8810", D("140000"), ownership_percent=D("50"), coverage="elected"
    )
    result = audit(member, state="OK", effective=date(2025, 1, 1))

    # flat 50,000 for 53 weeks: min(50,000, 50,000 × 53/52 = 50,961.54) = 50,000
    assert audited_exposure(result, "OK", "8810") == D("50000")
    assert owner_reason(result, "OK").rule == "officers.llc_member_elected"
    assert codes(result) == ["owner_limit"]


# --- Flat amounts: Oregon (SAIF), Missouri, Kentucky ---------------------------------------------


def test_oregon_elected_sole_proprietor_is_rated_by_the_day_up_to_the_annual_amount():
    full = Owner("Sam", "sole_proprietor", "OR", "8810", D("30000"), coverage="elected")
    part = Owner(
        "Sam",
        "sole_proprietor",
        "OR",
        "8810",
        D("30000"),
        coverage="elected",
        covered_from=date(2024, 1, 1),
        covered_to=date(2024, 3, 31),
    )

    full_term = audit(full, state="OR", effective=date(2024, 1, 1))
    part_term = audit(part, state="OR", effective=date(2024, 1, 1))

    # full 2024 term: 184.66 × 366 = 67,585.56, capped at 67,400.00
    assert audited_exposure(full_term, "OR", "8810") == D("67400.00")
    # Jan 1 to Mar 31 2024 = 31 + 29 + 31 = 91 days: 184.66 × 91 = 16,804.06
    assert audited_exposure(part_term, "OR", "8810") == D("16804.06")
    assert "saif.com" in owner_reason(part_term, "OR").source


@pytest.mark.parametrize(("year", "flat"), [(2024, "52900"), (2025, "54700")])
def test_missouri_elected_sole_proprietor_is_rated_at_the_years_single_amount(year: int, flat: str):
    owner = Owner("Ray", "sole_proprietor", "MO", "8810", D("12000"), coverage="elected")
    result = audit(owner, state="MO", effective=date(year, 1, 1))

    # full term, 53 weeks: min(flat, flat × 53/52) = the flat amount
    assert audited_exposure(result, "MO", "8810") == D(flat)
    assert owner_reason(result, "MO").rule == "officers.sole_proprietor_elected"


def test_missouri_flat_amount_is_prorated_by_weeks_for_part_of_the_term():
    owner = Owner(
        "Ray",
        "sole_proprietor",
        "MO",
        "8810",
        D("12000"),
        coverage="elected",
        covered_from=date(2025, 1, 1),
        covered_to=date(2025, 3, 31),
    )
    result = audit(owner, state="MO", effective=date(2025, 1, 1))

    # Jan 1 to Mar 31 2025 = 90 days → 12 weeks and 6 days → 13 weeks; 54,700 × 13/52 = 13,675.00
    assert audited_exposure(result, "MO", "8810") == D("13675.00")


def test_kentucky_elected_sole_proprietor_is_rated_at_52900_and_one_not_elected_is_excluded():
    result = audit(
        Owner("Kim", "sole_proprietor", "KY", "8810", D("200000"), coverage="elected"),
        Owner("Lou", "sole_proprietor", "KY", "8810", D("45000")),
        state="KY",
        effective=date(2024, 1, 1),
    )

    # Kim: the 2024 single amount 52,900; Lou: sole proprietors are not covered unless elected
    assert audited_exposure(result, "KY", "8810") == D("52900")
    (exclusion,) = result.audited.exclusions
    assert exclusion.rule == "officers.sole_proprietor"
    assert exclusion.amount == D("45000")
    assert exclusion.path == "$.audited.officers[1].coverage"


# --- Exclusion by endorsement ---------------------------------------------------------------------


def test_officer_excluded_by_endorsement_is_not_rated_and_is_listed_with_the_reason():
    result = audit(
        officer("IN", "150000", coverage="excluded"),
        Owner("Val", "executive_officer", "IN", "8810", D("80000")),
        state="IN",
        effective=date(2025, 1, 1),
    )

    # only Val is rated: 80,000 is within 52,000 to 239,200
    assert audited_exposure(result, "IN", "8810") == D("80000")
    (exclusion,) = result.audited.exclusions
    assert exclusion.rule == "officers.executive_officer"
    assert exclusion.amount == D("150000")
    assert exclusion.state == "IN"
    assert "excluded" in exclusion.text
    assert codes(result) == []


# --- Bad input ------------------------------------------------------------------------------------


def test_ownership_over_100_percent_is_refused():
    bad = officer("OK", "50000", ownership_percent=D("100.01"))
    with pytest.raises(WorksheetError) as excinfo:
        audit(bad, state="OK", effective=date(2025, 1, 1))
    assert [p.path for p in excinfo.value.problems] == ["$.audited.officers[0].ownership_percent"]


def test_unknown_role_and_coverage_are_refused_at_their_paths():
    bad = Owner("Zed", "director", "IN", "8810", D("50000"), coverage="maybe")
    with pytest.raises(WorksheetError) as excinfo:
        audit(officer("IN", "60000"), bad, state="IN", effective=date(2025, 1, 1))
    assert sorted(p.path for p in excinfo.value.problems) == [
        "$.audited.officers[1].coverage",
        "$.audited.officers[1].role",
    ]


def test_coverage_ending_before_it_starts_is_refused():
    bad = officer("IN", "50000", covered_from=date(2025, 5, 1), covered_to=date(2025, 4, 30))
    with pytest.raises(WorksheetError) as excinfo:
        audit(bad, state="IN", effective=date(2025, 1, 1))
    assert [p.path for p in excinfo.value.problems] == ["$.audited.officers[0].covered_to"]
