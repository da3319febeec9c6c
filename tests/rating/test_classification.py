"""Classification worked examples: non-hourly pay, standard exceptions, division of payroll and the
California dual-wage classes (RULES.md 4).

Every expected figure is worked out by hand in the comment above it. Indiana tests use a
2025-01-01 policy and California tests a 2024-09-01 policy (the dual-wage thresholds in the rule
book start 9/1/2024). Rates are written here; which class is "highest rated" follows from them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.rating.factories import D, audit_findings, audited_exposure, rate, rate_table, worksheet
from trueup.rating import RateTable, Result, WorksheetError
from trueup.rating.result import ExposureLine, Finding
from trueup.rating.worksheet import Estimate, PayrollLine

IN_RATES = rate_table(
    "IN WC 5645 5.00",
    "IN WC 5403 7.00",
    "IN WC 5022 6.00",
    "IN WC 7380 4.00",
    "IN WC 8810 0.20",
)
# In California the low-wage class carries the higher rate.
CA_RATES = rate_table("CA WC 5403 12.00", "CA WC 5432 8.00", "CA WC 7380 9.00", "CA WC 9079 3.00")


def audit_in(*lines: PayrollLine, rates: RateTable = IN_RATES) -> Result:
    ws = worksheet(estimated=[Estimate("IN", "5645", D("100000"))], payroll=list(lines))
    return rate(ws, rates)


def audit_ca(*lines: PayrollLine, effective: date = date(2024, 9, 1)) -> Result:
    ws = worksheet(
        estimated=[Estimate("CA", "5432", D("100000"))],
        payroll=list(lines),
        states=("CA",),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
    )
    return rate(ws, CA_RATES)


def exposure_line(result: Result, state: str, class_code: str) -> ExposureLine:
    (found,) = [
        e for e in result.audited.exposures if (e.state, e.class_code) == (state, class_code)
    ]
    return found


def classes(result: Result) -> dict[str, Decimal]:
    return {e.class_code: e.amount for e in result.audited.exposures}


def findings(result: Result, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


# --- Non-hourly pay apportioned by earnings -------------------------------------------------------


def test_a_bonus_is_apportioned_over_the_employees_classes_by_earnings_to_the_cent():
    result = audit_in(
        PayrollLine("IN", "5645", D("20000"), employee="Cy"),
        PayrollLine("IN", "5403", D("10000"), employee="Cy"),
        PayrollLine("IN", None, D("1000"), employee="Cy"),  # the year-end bonus
    )

    # earnings 5403 10,000 and 5645 20,000 (total 30,000):
    # 1,000 × 10/30 = 333.333... → 333.33; 1,000 × 20/30 = 666.666... → 666.66, plus the cent left
    # over (largest remainder, 0.00666 > 0.00333) → 666.67; 333.33 + 666.67 = 1,000.00
    assert audited_exposure(result, "IN", "5403") == D("10333.33")
    assert audited_exposure(result, "IN", "5645") == D("20666.67")
    # Each share carries the bonus's own reason (+1,000.00 gross) and the apportionment, whose
    # amount is the share less the whole bonus, so each line's reasons add up to the line:
    # 5403: 333.33 - 1,000 = -666.67; 5645: 666.67 - 1,000 = -333.33
    moves = {
        e.class_code: r.amount or D(0)
        for e in result.audited.exposures
        for r in e.reasons
        if r.rule == "classification"
    }
    assert moves == {"5403": D("-666.67"), "5645": D("-333.33")}
    for line in result.audited.exposures:
        assert sum((r.amount or D(0) for r in line.reasons), D(0)) == line.amount
    reason = next(
        r for r in exposure_line(result, "IN", "5403").reasons if r.rule == "classification"
    )
    assert "Rule 1" in reason.source
    assert reason.path == "$.audited.payroll[2]"


def test_a_bonus_split_three_ways_gives_the_odd_cent_to_the_lowest_class_code():
    result = audit_in(
        PayrollLine("IN", "5645", D("10000"), employee="Di"),
        PayrollLine("IN", "5403", D("10000"), employee="Di"),
        PayrollLine("IN", "5022", D("10000"), employee="Di"),
        PayrollLine("IN", None, D("100"), employee="Di"),
    )

    # 100 / 3 = 33.333... each → 33.33 × 3 = 99.99; the remainders tie, so the cent goes to the
    # first class in code order (5022): 33.34 + 33.33 + 33.33 = 100.00
    assert classes(result) == {
        "5022": D("10033.34"),
        "5403": D("10033.33"),
        "5645": D("10033.33"),
    }


def test_pay_without_a_class_for_an_employee_with_no_classified_pay_is_refused():
    with pytest.raises(WorksheetError) as excinfo:
        audit_in(
            PayrollLine("IN", "5645", D("10000"), employee="Ed"),
            PayrollLine("IN", None, D("500"), employee="Flo"),
        )
    assert [p.path for p in excinfo.value.problems] == ["$.audited.payroll[1].class"]


# --- Standard exceptions --------------------------------------------------------------------------


def test_a_clerical_8810_employee_who_also_does_field_work_is_moved_to_the_field_class():
    result = audit_in(
        PayrollLine("IN", "8810", D("20000"), employee="Gus"),
        PayrollLine("IN", "5645", D("30000"), employee="Gus"),
        PayrollLine("IN", "8810", D("15000"), employee="Hana"),  # office only: stays in 8810
    )

    # Gus's 8810 pay 20,000 goes to 5645: 30,000 + 20,000 = 50,000.00; 8810 keeps Hana's 15,000
    assert classes(result) == {"5645": D("50000.00"), "8810": D("15000.00")}
    (finding,) = findings(result, "standard_exception_split")
    assert finding.path == "$.audited.payroll[0]"
    move = next(
        r for r in exposure_line(result, "IN", "5645").reasons if r.rule == "classification"
    )
    # A move changes the class, not the amount: the reason's amount is zero and the amount moved
    # is among its inputs, so the 5645 line's reasons still add up to 50,000.00.
    assert move.amount == D("0")
    assert dict(move.inputs) == {
        "from_class": "8810",
        "to_class": "5645",
        "amount_moved": "20000.00",
    }
    line = exposure_line(result, "IN", "5645")
    assert sum((r.amount or D(0) for r in line.reasons), D(0)) == line.amount
    assert "Rule 1-B-2" in move.source


def test_standard_exception_pay_goes_to_the_highest_rated_of_the_employees_other_classes():
    result = audit_in(
        PayrollLine("IN", "8810", D("12000"), employee="Ian"),
        PayrollLine("IN", "5645", D("30000"), employee="Ian"),  # 5.00
        PayrollLine("IN", "5403", D("18000"), employee="Ian"),  # 7.00
    )

    # the 8810 pay moves to 5403 (7.00 > 5.00): 18,000 + 12,000 = 30,000.00
    assert classes(result) == {"5403": D("30000.00"), "5645": D("30000.00")}


def test_drivers_7380_are_a_standard_exception_under_ncci_but_not_in_california():
    indiana = audit_in(
        PayrollLine("IN", "7380", D("20000"), employee="Jay"),
        PayrollLine("IN", "5645", D("30000"), employee="Jay"),
    )
    california = audit_ca(
        PayrollLine("CA", "7380", D("20000"), employee="Jay"),
        PayrollLine("CA", "9079", D("30000"), employee="Jay"),
    )

    # IN: 7380 pay moves to 5645: 20,000 + 30,000 = 50,000.00
    assert classes(indiana) == {"5645": D("50000.00")}
    # CA (USRP: 8810, 8871, 8742 only): the driver pay stays divided, no finding
    assert classes(california) == {"7380": D("20000.00"), "9079": D("30000.00")}
    assert audit_findings(california) == []


# --- Division of payroll without time records -----------------------------------------------------


def test_without_time_records_an_employees_payroll_goes_to_the_highest_rated_class():
    result = audit_in(
        PayrollLine("IN", "5645", D("30000"), employee="Kit", records_support_division=False),
        PayrollLine("IN", "5403", D("20000"), employee="Kit"),
    )

    # 5403 (7.00) is the highest rated of 5645 and 5403: 30,000 + 20,000 = 50,000.00
    assert classes(result) == {"5403": D("50000.00")}
    (finding,) = findings(result, "division_not_supported")
    assert finding.path == "$.audited.payroll[0]"


def test_with_time_records_an_employees_payroll_stays_divided():
    result = audit_in(
        PayrollLine("IN", "5645", D("30000"), employee="Kit"),
        PayrollLine("IN", "5403", D("20000"), employee="Kit"),
    )

    assert classes(result) == {"5403": D("20000.00"), "5645": D("30000.00")}
    assert audit_findings(result) == []


def test_when_the_classes_have_the_same_rate_the_lower_class_code_is_taken():
    rates = rate_table("IN WC 5645 6.00", "IN WC 5403 6.00")
    result = audit_in(
        PayrollLine("IN", "5645", D("30000"), employee="Lin", records_support_division=False),
        PayrollLine("IN", "5403", D("20000"), employee="Lin", records_support_division=False),
        rates=rates,
    )

    # both 6.00: the lower code 5403 takes all 50,000.00, whatever the line order
    assert classes(result) == {"5403": D("50000.00")}


# --- California dual-wage classes (5432 carpentry ≥ $41/hour, 5403 below; WCIRB 9/1/2024) ------


@pytest.mark.parametrize(
    ("reported", "hourly_rate", "expected"),
    [
        ("5403", "45.00", "5432"),  # 45.00 ≥ 41: the high-wage class
        ("5403", "41.00", "5432"),  # exactly at the threshold: the high-wage class
        ("5432", "40.99", "5403"),  # below 41: the low-wage class
    ],
)
def test_the_regular_hourly_wage_decides_between_the_high_and_low_wage_carpentry_classes(
    reported: str, hourly_rate: str, expected: str
):
    result = audit_ca(
        PayrollLine("CA", reported, D("82000"), employee="Max", hourly_rate=D(hourly_rate))
    )

    assert classes(result) == {expected: D("82000.00")}
    (finding,) = findings(result, "dual_wage_reclass")
    assert finding.path == "$.audited.payroll[0]"


def test_the_hourly_wage_is_worked_out_from_gross_pay_less_tips_over_the_hours():
    line = PayrollLine("CA", "5403", D("84000"), employee="Ned", tips=D("2000"), hours=D("2000"))
    result = audit_ca(line)

    # (84,000 - 2,000 tips) / 2,000 hours = 41.00 ≥ 41: class 5432; tips are excluded from
    # payroll too: 84,000 - 2,000 = 82,000.00
    assert classes(result) == {"5432": D("82000.00")}
    assert len(findings(result, "dual_wage_reclass")) == 1


def test_payroll_in_the_high_wage_class_without_a_wage_shown_goes_to_the_low_wage_class():
    result = audit_ca(
        PayrollLine("CA", "5432", D("70000"), employee="Oz"),
        PayrollLine("CA", "5403", D("30000"), employee="Pia"),  # low-wage: nothing to verify
    )

    # 5432 needs the wage verified: 70,000 goes to 5403; 30,000 + 70,000 = 100,000.00
    assert classes(result) == {"5403": D("100000.00")}
    (finding,) = findings(result, "dual_wage_unverified")
    assert finding.path == "$.audited.payroll[0]"


def test_dual_wage_classes_are_not_checked_before_the_thresholds_take_effect():
    result = audit_ca(
        PayrollLine("CA", "5432", D("70000"), employee="Oz"), effective=date(2022, 1, 1)
    )

    # no dual_wage rule in force on 2022-01-01: the 70,000 stays in 5432
    assert classes(result) == {"5432": D("70000.00")}
    assert audit_findings(result) == []


def test_a_reclass_to_a_class_missing_from_the_rate_table_is_refused_at_the_class_field():
    ws = worksheet(
        estimated=[Estimate("CA", "5403", D("100000"))],
        payroll=[PayrollLine("CA", "5403", D("90000"), employee="Quin", hourly_rate=D("50"))],
        states=("CA",),
        effective=date(2024, 9, 1),
        expiration=date(2025, 9, 1),
    )

    # the wage puts the pay in 5432, which has no rate here
    with pytest.raises(WorksheetError) as excinfo:
        rate(ws, rate_table("CA WC 5403 12.00"))
    assert [p.path for p in excinfo.value.problems] == ["$.audited.payroll[0].class"]


def test_overtime_shown_as_a_total_does_not_lower_the_regular_hourly_wage():
    # 1,800 regular hours at 45.00 = 81,000 and 200 overtime hours at 67.50 = 13,500:
    # gross 94,500 for 2,000 hours. Straight-time pay for all hours = gross less the overtime
    # premium (1/3 of 13,500 = 4,500) = 90,000; 90,000 / 2,000 = 45.00 ≥ 41: class 5432.
    # Payroll: 94,500 - 4,500 = 90,000.00
    as_total = PayrollLine(
        "CA", "5432", D("94500"), employee="Rue", overtime_total=D("13500"), hours=D("2000")
    )
    as_premium = PayrollLine(
        "CA", "5432", D("94500"), employee="Rue", overtime_premium=D("4500"), hours=D("2000")
    )

    # the same pay shown with the premium portion stays in 5432 ...
    assert classes(audit_ca(as_premium)) == {"5432": D("90000.00")}
    # ... and must do so when shown as the overtime total
    assert classes(audit_ca(as_total)) == {"5432": D("90000.00")}


def test_a_bonus_apportioned_to_a_verified_high_wage_class_stays_there():
    result = audit_ca(
        PayrollLine("CA", "5432", D("90000"), employee="Sol", hourly_rate=D("45")),
        PayrollLine("CA", None, D("5000"), employee="Sol"),  # bonus, apportioned by earnings
    )

    # all of Sol's classified pay is in 5432 at a verified 45.00/hour, so the whole bonus follows
    # it: 90,000 + 5,000 = 95,000.00, and nothing is unverified
    assert classes(result) == {"5432": D("95000.00")}
    assert findings(result, "dual_wage_unverified") == []


def test_a_dual_wage_reclass_cites_the_dual_wage_thresholds():
    result = audit_ca(PayrollLine("CA", "5403", D("82000"), employee="Tam", hourly_rate=D("45")))

    (move,) = [r for r in exposure_line(result, "CA", "5432").reasons if r.rule != "worksheet"]
    assert move.rule == "dual_wage"
    assert move.effective == date(2024, 9, 1)
    assert "dual wage thresholds" in move.source


# WCIRB's pairs as the rule book dates them: (trade, low-wage class, high-wage class, threshold
# from 9/1/2022, threshold from 9/1/2024).
CA_PAIRS = [
    ("carpentry", "5403", "5432", "39", "41"),
    ("painting", "5474", "5482", "31", "32"),
    ("roofing", "5552", "5553", "29", "31"),
    ("electrical", "5190", "5140", "34", "36"),
    ("plumbing", "5183", "5187", "31", "32"),
    ("concrete", "5201", "5205", "32", "33"),
    ("masonry", "5027", "5028", "32", "35"),
]


def audit_ca_pair(low: str, high: str, line: PayrollLine, effective: date) -> Result:
    ws = worksheet(
        estimated=[Estimate("CA", high, D("100000"))],
        payroll=[line],
        states=("CA",),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
    )
    return rate(ws, rate_table(f"CA WC {low} 12.00", f"CA WC {high} 8.00", "CA WC 8810 0.50"))


@pytest.mark.parametrize(("trade", "low", "high", "was", "now"), CA_PAIRS)
def test_each_pair_sends_a_wage_below_the_threshold_to_its_low_wage_class(
    trade: str, low: str, high: str, was: str, now: str
):
    below = D(now) - D("0.01")
    line = PayrollLine("CA", high, D("60000"), employee="Val", hourly_rate=below)
    result = audit_ca_pair(low, high, line, date(2024, 9, 1))

    assert classes(result) == {low: D("60000.00")}
    (finding,) = findings(result, "dual_wage_reclass")
    assert finding.path == "$.audited.payroll[0]"


@pytest.mark.parametrize(("trade", "low", "high", "was", "now"), CA_PAIRS)
def test_each_pair_keeps_a_wage_at_the_threshold_in_its_high_wage_class(
    trade: str, low: str, high: str, was: str, now: str
):
    line = PayrollLine("CA", low, D("60000"), employee="Wes", hourly_rate=D(now))
    result = audit_ca_pair(low, high, line, date(2024, 9, 1))

    assert classes(result) == {high: D("60000.00")}


@pytest.mark.parametrize(("trade", "low", "high", "was", "now"), CA_PAIRS)
def test_a_policy_before_september_2024_is_judged_by_the_2022_threshold(
    trade: str, low: str, high: str, was: str, now: str
):
    # at the 2022 threshold: high-wage on a 2023 policy ...
    line = PayrollLine("CA", high, D("60000"), employee="Xan", hourly_rate=D(was))
    assert classes(audit_ca_pair(low, high, line, date(2023, 9, 1))) == {high: D("60000.00")}
    # ... but below the 2024 one on a policy from September 2024: low-wage
    assert classes(audit_ca_pair(low, high, line, date(2024, 9, 1))) == {low: D("60000.00")}
