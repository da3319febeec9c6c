"""Worked examples of the premium algorithm, one step at a time.

Every expected figure is computed by hand in the comment above it, from RULES.md and the shipped
rule book. Unless a test says otherwise the policy is Indiana, 2025-01-01 to 2026-01-01, premium
discount off, and the shipped NCCI/IN rules apply: expense constant $160, terrorism and catastrophe
$0.01 per $100 of payroll each, minimum premium rate × 315 + $160 capped at $1,500, lines rounded
to cents and the state premium to whole dollars, half up.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.rating.factories import D, audited_exposure, policy, rate, rate_table, worksheet
from trueup.rating import Result, RuleBook, WorksheetError, explain, rate_worksheet
from trueup.rating.rulebook import DEFAULT_DIRECTORY
from trueup.rating.worksheet import (
    Audit,
    AuditFacts,
    Cancellation,
    Estimate,
    ExperienceMod,
    GLExposure,
    PayrollLine,
    PremiumAdjustment,
    ScheduleRating,
    Worksheet,
)

RATES = rate_table("IN WC 5645 5.00", "IN WC 8810 0.17")


def steps(result: Result, state: str = "IN", side: str = "audited") -> dict[str, Decimal]:
    """The step amounts of one state's premium, by step code."""
    rating = getattr(result, side)
    state_premium = rating.state(state)
    assert state_premium is not None, f"no {state} premium on the {side} side"
    return {step.code: step.amount for step in state_premium.steps}


def payroll(amount: str, class_code: str = "5645", state: str = "IN", **kw) -> PayrollLine:
    return PayrollLine(state, class_code, D(amount), **kw)


# --- Manual premium -------------------------------------------------------------------------------


def test_manual_premium_is_payroll_times_rate_per_hundred_rounded_to_cents_for_each_class():
    rates = rate_table("IN WC 5645 5.43", "IN WC 8810 0.17")
    ws = worksheet(
        payroll=[
            payroll("100000"),
            payroll("20000"),  # summed into the one 5645 line before rating
            payroll("2650", "8810"),
        ]
    )
    result = rate(ws, rates)

    classes = {c.class_code: c for c in result.audited.state("IN").classes}
    # 5645: 120,000 × 5.43 / 100 = 6,516.00
    assert classes["5645"].manual_premium == D("6516.00")
    # 8810: 2,650 × 0.17 / 100 = 4.505 → 4.51 (half up, to the cent)
    assert classes["8810"].manual_premium == D("4.51")
    s = steps(result)
    # manual = 6,516.00 + 4.51 = 6,520.51
    assert s["manual"] == D("6520.51")
    # terrorism and catastrophe: 122,650 × 0.01 / 100 = 12.265 → 12.27 each;
    # 6,520.51 + 160 + 12.27 + 12.27 = 6,705.05 → $6,705
    assert s["rounding"] == D("-0.05")
    assert result.audited_premium == D("6705")


def test_increased_limits_deductible_credit_deviation_and_waiver_are_percentages_of_manual():
    adjustments = (
        PremiumAdjustment("IN", "increased_limits", D("0.011")),
        PremiumAdjustment("IN", "deductible_credit", D("-0.05")),
        PremiumAdjustment("IN", "deviation", D("-0.10")),
        PremiumAdjustment("IN", "waiver_of_subrogation", D("0.02")),
    )
    ws = worksheet(payroll=[payroll("200000")], premium_adjustments=adjustments)
    s = steps(rate(ws, RATES))

    # manual = 200,000 × 5.00 / 100 = 10,000.00
    assert s["manual"] == D("10000.00")
    assert s["increased_limits"] == D("110.00")  # 10,000 × 1.1%
    assert s["deductible_credit"] == D("-500.00")  # 10,000 × -5%
    assert s["deviation"] == D("-1000.00")  # 10,000 × -10%
    assert s["waiver_of_subrogation"] == D("200.00")  # 10,000 × 2%
    # subject = 10,000 + 110 - 500 - 1,000 + 200 = 8,810.00
    assert s["subject"] == D("8810.00")
    assert s["standard"] == D("8810.00")
    # total = 8,810 + EC 160 + terrorism 20 + catastrophe 20 = 9,010
    assert s["total"] == D("9010")


# --- Experience modification ----------------------------------------------------------------------


def test_experience_mod_multiplies_subject_premium_into_modified_premium():
    ws = worksheet(
        payroll=[payroll("200000")],
        experience_mods=(ExperienceMod(D("0.85"), date(2025, 1, 1)),),
    )
    result = rate(ws, RATES)
    s = steps(result)

    # subject 10,000.00 × 0.85 = 8,500.00: a change of -1,500.00
    assert s["experience_mod"] == D("-1500.00")
    assert s["modified"] == D("8500.00")
    mod_step = result.audited.state("IN").step("experience_mod")
    assert mod_step.reason.rule == "premium.experience_mod"
    assert mod_step.reason.path == "$.policy.experience_mods"


def test_split_period_rates_each_mod_period_with_its_own_mod_and_apportions_unassigned_payroll():
    # Mod 0.90 from 2025-01-01 and 1.10 from 2025-07-01: periods of 181 days (Jan-Jun) and 184 days.
    ws = worksheet(
        payroll=[
            payroll("100000", split_period=date(2025, 3, 1)),
            payroll("200000", split_period=date(2025, 9, 1)),
            payroll("36500", "8810"),  # no split period: apportioned by days
        ],
        experience_mods=(
            ExperienceMod(D("0.90"), date(2025, 1, 1)),
            ExperienceMod(D("1.10"), date(2025, 7, 1)),
        ),
    )
    result = rate(ws, RATES)

    by_period = {(e.class_code, e.period_start): e.amount for e in result.audited.exposures}
    assert by_period == {
        ("5645", date(2025, 1, 1)): D("100000"),
        ("5645", date(2025, 7, 1)): D("200000"),
        ("8810", date(2025, 1, 1)): D("18100"),  # 36,500 × 181 / 365
        ("8810", date(2025, 7, 1)): D("18400"),  # 36,500 × 184 / 365
    }
    s = steps(result)
    # first period: 100,000 × 5.00% = 5,000.00 + 18,100 × 0.17% = 30.77 → 5,030.77
    # second period: 200,000 × 5.00% = 10,000.00 + 18,400 × 0.17% = 31.28 → 10,031.28
    assert s["subject"] == D("15062.05")
    # 5,030.77 × 0.90 = 4,527.693 → 4,527.69; 10,031.28 × 1.10 = 11,034.408 → 11,034.41
    # modified = 15,562.10, a change of 15,562.10 - 15,062.05 = +500.05
    assert s["modified"] == D("15562.10")
    assert s["experience_mod"] == D("500.05")


# --- Schedule rating and the assigned-risk surcharge ----------------------------------------------


def test_schedule_rating_is_a_percentage_of_modified_premium():
    ws = worksheet(
        payroll=[payroll("200000")],
        schedule_rating=(ScheduleRating("IN", D("-0.10")),),
    )
    s = steps(rate(ws, RATES))

    # 10,000.00 modified × -10% = -1,000.00; standard 9,000.00
    assert s["schedule_rating"] == D("-1000.00")
    assert s["standard"] == D("9000.00")


def test_schedule_rating_at_the_edge_of_the_range_is_accepted():
    ws = worksheet(
        payroll=[payroll("200000")],
        schedule_rating=(ScheduleRating("IN", D("-0.25")),),
    )
    # 10,000.00 × -25% = -2,500.00 (the NCCI default range is ±25%)
    assert steps(rate(ws, RATES))["schedule_rating"] == D("-2500.00")


@pytest.mark.parametrize("factor", ["-0.30", "0.26"])
def test_schedule_rating_outside_the_states_range_is_refused(factor):
    ws = worksheet(
        payroll=[payroll("200000")],
        schedule_rating=(ScheduleRating("IN", D(factor)),),
    )
    with pytest.raises(WorksheetError) as caught:
        rate(ws, RATES)
    assert [p.path for p in caught.value.problems] == ["$.policy.schedule_rating[0].factor"]


def test_assigned_risk_surcharge_is_the_rate_on_standard_premium_above_the_threshold():
    ws = worksheet(payroll=[payroll("400000")], assigned_risk=True, premium_discount=True)
    result = rate(ws, RATES)
    s = steps(result)

    # manual 400,000 × 5.00% = 20,000.00; IN (2020-): 30% of the premium above $2,750
    # 30% × (20,000 - 2,750) = 5,175.00; standard 25,175.00
    assert s["assigned_risk_surcharge"] == D("5175.00")
    assert s["standard"] == D("25175.00")
    # no premium discount on an assigned-risk policy, although premium_discount is on
    assert "premium_discount" not in s
    # 25,175 + EC 160 + terrorism 40 + catastrophe 40 = 25,415
    assert result.audited_premium == D("25415")


# --- Premium discount -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "discount"),
    [
        # first $10,000 at 0%
        ("10000", None),
        # 190,000 × 9.1% = 17,290
        ("200000", "17290.00"),
        # 17,290 + 50,000 × 11.3% = 17,290 + 5,650 = 22,940
        ("250000", "22940.00"),
        # 17,290 + 1,550,000 × 11.3% = 17,290 + 175,150 = 192,440
        ("1750000", "192440.00"),
        # 192,440 + 250,000 × 12.3% = 192,440 + 30,750 = 223,190
        ("2000000", "223190.00"),
    ],
)
def test_premium_discount_applies_the_indiana_type_a_layers(standard, discount):
    # payroll 20 × the standard premium at 5.00 per $100 gives that standard premium
    ws = worksheet(payroll=[payroll(str(D(standard) * 20))], premium_discount=True)
    s = steps(rate(ws, RATES))

    assert s["standard"] == D(standard)
    assert s.get("premium_discount") == (None if discount is None else -D(discount))


def test_premium_discount_of_a_250000_policy_in_indiana_worked_through_to_the_total():
    ws = worksheet(payroll=[payroll("5000000")], premium_discount=True)
    result = rate(ws, RATES)
    s = steps(result)

    # standard 5,000,000 × 5.00% = 250,000.00
    # discount 0 × 10,000 + 9.1% × 190,000 + 11.3% × 50,000 = 17,290 + 5,650 = 22,940.00
    assert s["premium_discount"] == D("-22940.00")
    # terrorism and catastrophe 5,000,000 × 0.01 / 100 = 500.00 each
    # 250,000 - 22,940 + 160 + 500 + 500 = 228,220
    assert result.audited_premium == D("228220")
    reason = result.audited.state("IN").step("premium_discount").reason
    assert reason.rule == "premium_discount.type_a"
    assert reason.source.startswith("ICRB premium algorithm")


IA_TEST_RULES = """
jurisdiction = "IA"
name = "Iowa (test copy)"
inherits = "NCCI"

[[premium_discount.type_a]]
effective = 2020-01-01
layers = [
  { up_to = "5000", rate = "0" },
  { up_to = "100000", rate = "0.109" },
  { up_to = "500000", rate = "0.126" },
  { rate = "0.144" },
]
source = "RULES.md 5: Iowa stock table, used here as a second, different table"
status = "illustrative"

[[expense_constant]]
effective = 2020-01-01
amount = "250"
source = "test: an expense constant higher than Indiana's $160"
status = "illustrative"
"""


@pytest.fixture
def rulebook_with_iowa(tmp_path: Path) -> RuleBook:
    """The shipped NCCI and Indiana files plus a test Iowa file with its own discount table and a
    $250 expense constant."""
    for name in ("ncci.toml", "in.toml"):
        shutil.copy(DEFAULT_DIRECTORY / name, tmp_path / name)
    (tmp_path / "ia.toml").write_text(IA_TEST_RULES, encoding="utf-8")
    return RuleBook.load(tmp_path)


def test_premium_discount_uses_each_states_table_on_the_policy_total(rulebook_with_iowa):
    rates = rate_table("IN WC 5645 5.00", "IA WC 5645 5.00")
    ws = worksheet(
        payroll=[payroll("3000000"), payroll("2000000", state="IA")],
        states=("IN", "IA"),
        premium_discount=True,
    )
    result = rate_worksheet(ws, rulebook=rulebook_with_iowa, rates=rates)
    in_steps, ia_steps = steps(result, "IN"), steps(result, "IA")

    # standard: IN 3,000,000 × 5% = 150,000; IA 2,000,000 × 5% = 100,000; total 250,000
    assert (in_steps["standard"], ia_steps["standard"]) == (D("150000.00"), D("100000.00"))
    # IN table on 250,000: 190,000 × 9.1% + 50,000 × 11.3% = 22,940 → average 9.176%
    # IN discount 150,000 × 9.176% = 13,764.00
    assert in_steps["premium_discount"] == D("-13764.00")
    # IA table on 250,000: 95,000 × 10.9% + 150,000 × 12.6% = 10,355 + 18,900 = 29,255
    # → average 11.702%; IA discount 100,000 × 11.702% = 11,702.00
    assert ia_steps["premium_discount"] == D("-11702.00")


def test_expense_constant_is_charged_once_in_the_state_with_the_highest_one(rulebook_with_iowa):
    rates = rate_table("IN WC 5645 5.00", "IA WC 5645 5.00")
    ws = worksheet(
        payroll=[payroll("3000000"), payroll("2000000", state="IA")],
        states=("IN", "IA"),
    )
    result = rate_worksheet(ws, rulebook=rulebook_with_iowa, rates=rates)

    # IA's $250 beats IN's $160, although IN has the larger standard premium; charged once
    assert "expense_constant" not in steps(result, "IN")
    assert steps(result, "IA")["expense_constant"] == D("250")
    # IN: 150,000 + 300 + 300 = 150,600; IA: 100,000 + 250 + 200 + 200 = 100,650
    assert result.audited_premium == D("251250")


def test_expense_constant_is_charged_once_when_two_states_have_the_same_one():
    rates = rate_table("IN WC 5645 5.00", "KY WC 5645 4.00")
    ws = worksheet(
        payroll=[payroll("100000"), payroll("100000", state="KY")],
        states=("IN", "KY"),
    )
    result = rate(ws, rates)

    # both states use $160; it is charged once, in the state with the larger standard premium
    # (IN 5,000 against KY 4,000)
    assert steps(result, "IN")["expense_constant"] == D("160")
    assert "expense_constant" not in steps(result, "KY")
    # IN 5,000 + 160 + 10 + 10 = 5,180; KY 4,000 + 10 + 10 = 4,020
    assert result.audited_premium == D("9200")


# --- Terrorism, catastrophe, minimum premium, rounding --------------------------------------------


def test_terrorism_and_catastrophe_are_charged_per_hundred_dollars_of_payroll():
    ws = worksheet(payroll=[payroll("123456.78")])
    result = rate(ws, RATES)
    s = steps(result)

    # 123,456.78 × 0.01 / 100 = 12.3456778 → 12.35 each
    assert s["terrorism"] == D("12.35")
    assert s["catastrophe"] == D("12.35")
    terrorism = result.audited.state("IN").step("terrorism").reason
    assert dict(terrorism.inputs) == {"payroll": "123456.78", "rate_per_100": "0.01"}


def test_minimum_premium_is_rate_times_315_plus_the_expense_constant():
    ws = worksheet(
        estimated=[Estimate("IN", "8810", D("10000"))], payroll=[payroll("10000", "8810")]
    )
    result = rate(ws, RATES)
    s = steps(result)

    # premium 10,000 × 0.17% = 17.00 + EC 160 = 177.00 (terrorism and catastrophe, 1.00 each,
    # are charged on top of the minimum, not toward it)
    # minimum 0.17 × 315 + 160 = 53.55 + 160 = 213.55: 213.55 - 177.00 = 36.55 added
    assert s["minimum_premium"] == D("36.55")
    # 213.55 + 1.00 + 1.00 = 215.55 → $216
    assert s["rounding"] == D("0.45")
    assert result.audited_premium == D("216")


def test_a_class_on_the_policy_sets_the_minimum_even_when_the_audit_finds_none_of_its_payroll():
    # The policy was written for carpentry (5645); the audit finds only $10,000 of clerical pay.
    ws = worksheet(
        estimated=[Estimate("IN", "5645", D("100000"))], payroll=[payroll("10000", "8810")]
    )
    s = steps(rate(ws, RATES))

    # classes on the policy and found at audit: 5645 5.00 × 315 + 160 = 1,735 → capped at 1,500;
    # 8810 0.17 × 315 + 160 = 213.55. The highest, 1,500, is the minimum (finding more payroll
    # can then never lower it). Premium 17.00 + EC 160 = 177.00: 1,500 - 177.00 = 1,323.00 added
    assert s["minimum_premium"] == D("1323.00")
    # 1,500 + terrorism 1.00 + catastrophe 1.00
    assert s["total"] == D("1502")


def test_minimum_premium_is_capped_at_1500_in_indiana():
    rates = rate_table("IN WC 5645 5.43", "IN WC 8810 0.17")
    ws = worksheet(payroll=[payroll("10000"), payroll("1000", "8810")])
    s = steps(rate(ws, rates))

    # class minimums: 5645 5.43 × 315 + 160 = 1,870.45 → capped at 1,500; 8810 is lower
    # premium 543.00 + 1.70 + 160 = 704.70; 1,500 - 704.70 = 795.30 added
    assert s["minimum_premium"] == D("795.30")
    # terrorism and catastrophe on top: 1,500 + 1.10 + 1.10 = 1,502.20 → $1,502
    assert s["total"] == D("1502")


def test_an_explicit_class_minimum_in_the_rate_table_wins_over_the_formula():
    rates = rate_table("IN WC 5645 5.43 min=750")
    ws = worksheet(payroll=[payroll("10000")])
    result = rate(ws, rates)
    s = steps(result)

    # premium 543.00 + 160 = 703.00; minimum $750 (not the formula's $1,500): 47.00 added
    assert s["minimum_premium"] == D("47.00")
    # 750 + terrorism 1.00 + catastrophe 1.00
    assert result.audited_premium == D("752")
    assert result.audited.state("IN").step("minimum_premium").reason.rule == (
        "rate_table.minimum_premium"
    )


def test_a_zero_payroll_line_in_the_policys_class_is_rated_at_the_minimum_premium():
    ws = worksheet(estimated=[Estimate("IN", "5645", D("100000"))], payroll=[payroll("0")])
    s = steps(rate(ws, RATES))

    # 5645: 5.00 × 315 + 160 = 1,735 → capped at 1,500; premium 0 + EC 160 = 160
    # 1,500 - 160 = 1,340 added
    assert s["minimum_premium"] == D("1340")
    assert s["total"] == D("1500")


def test_a_policy_with_no_audited_payroll_still_pays_the_minimum_premium():
    ws = worksheet(estimated=[Estimate("IN", "5645", D("100000"))], payroll=[])
    result = rate(ws, RATES)

    # the policy's class 5645: 5.00 × 315 + 160 = 1,735 → capped at $1,500. The same worksheet
    # with an explicit $0 payroll line in 5645 is rated at $1,500 today.
    assert result.audited_premium == D("1500")


def test_a_multistate_policy_at_the_minimum_premium_is_billed_exactly_the_minimum():
    rates = rate_table("IN WC 5645 5.00", "KY WC 8810 0.21")
    ws = worksheet(
        payroll=[payroll("1000"), payroll("5000", "8810", state="KY")],
        states=("IN", "KY"),
    )
    result = rate(ws, rates)

    # Toward the minimum (terrorism and catastrophe are charged on top): IN 50.00 + 160 = 210.00;
    # KY 10.50. Highest class minimum: IN 5645 5.00 × 315 + 160 = 1,735 → 1,500 (KY 8810: 226.15).
    # KY is rounded on its own: 10.50 + 0.50 + 0.50 = 11.50 → 12, of which 11.00 counts toward
    # the minimum. So IN is topped up to 1,500 - 11.00 = 1,489.00: 1,489.00 - 210.00 = 1,279.00.
    assert steps(result, "IN")["minimum_premium"] == D("1279.00")
    # IN 1,489.00 + 0.10 + 0.10 = 1,489.20 → 1,489; KY 12: the minimum plus the 1.20 of terrorism
    # and catastrophe charges, rounded: 1,501
    assert result.audited_premium == D("1501")


def test_the_state_premium_is_rounded_to_whole_dollars_half_up_in_a_rounding_step():
    rates = rate_table("IN WC 5645 0.20")
    ws = worksheet(payroll=[payroll("137500")])
    result = rate(ws, rates)
    s = steps(result)

    # 137,500 × 0.20% = 275.00; terrorism and catastrophe 13.75 each; + EC 160 = 462.50
    # half up: 463 (half even would give 462)
    assert s["rounding"] == D("0.50")
    assert s["total"] == D("463")
    rounding = result.audited.state("IN").step("rounding").reason
    assert rounding.rule == "rounding"
    assert list(s)[-2:] == ["rounding", "total"]


# --- Cancellation ---------------------------------------------------------------------------------

# Cancelled 2025-07-02: 182 days in force of a 365-day term.
CANCELLED = date(2025, 7, 2)


def test_pro_rata_cancellation_prorates_the_estimate_by_days():
    ws = worksheet(
        estimated=[Estimate("IN", "5645", D("100000"))],
        payroll=[payroll("50000")],
        cancellation=Cancellation(CANCELLED, "pro_rata"),
    )
    result = rate(ws, RATES)

    # estimate 100,000 × 182 / 365 = 49,863.0137 → 49,863.01
    assert result.estimated.exposures[0].amount == D("49863.01")
    est = steps(result, side="estimated")
    # 49,863.01 × 5% = 2,493.1505 → 2,493.15; terrorism and catastrophe 4.99 each
    # 2,493.15 + 160 + 4.99 + 4.99 = 2,663.13 → 2,663
    assert est["manual"] == D("2493.15")
    assert result.estimated_premium == D("2663")
    # audited: the actual payroll 50,000 → 2,500 + 160 + 5 + 5 = 2,670; no short-rate penalty
    assert "short_rate" not in steps(result)
    assert result.audited_premium == D("2670")


def test_pro_rata_cancellation_prorates_the_minimum_premium():
    ws = worksheet(payroll=[payroll("5000")], cancellation=Cancellation(CANCELLED, "pro_rata"))
    s = steps(rate(ws, RATES))

    # minimum 1,500 × 182 / 365 = 747.945 → 747.95
    # premium 250.00 + 160 = 410.00; 747.95 - 410.00 = 337.95 added
    assert s["minimum_premium"] == D("337.95")
    # 747.95 + terrorism 0.50 + catastrophe 0.50 = 748.95 → $749
    assert s["total"] == D("749")


def test_short_rate_cancellation_earns_the_short_rate_percent_of_the_annualized_premium():
    ws = worksheet(
        payroll=[payroll("500000")],
        cancellation=Cancellation(CANCELLED, "short_rate"),
        premium_discount=True,
    )
    result = rate(ws, RATES)
    s = steps(result)

    # standard 500,000 × 5% = 25,000.00; annualized 25,000 × 365 / 182 = 50,137.36
    # 182 days in force = 60%: 25,000 × 365 / 182 × 60% = 30,082.417 → 30,082.42 (+5,082.42)
    assert s["short_rate"] == D("5082.42")
    short_rate = result.audited.state("IN").step("short_rate").reason
    assert dict(short_rate.inputs)["short_rate_percent"] == "60"
    # no premium discount on a short-rate cancellation (it would be over $2,000 here)
    assert "premium_discount" not in s
    # 30,082.42 + 160 + 50 + 50 = 30,342.42 → 30,342
    assert result.audited_premium == D("30342")


def test_short_rate_cancellation_keeps_the_full_minimum_premium():
    ws = worksheet(payroll=[payroll("5000")], cancellation=Cancellation(CANCELLED, "short_rate"))
    s = steps(rate(ws, RATES))

    # 250.00 × 365 / 182 × 60% = 300.82; + 160 = 460.82
    # the minimum is not prorated on a short-rate cancellation: 1,500 - 460.82 = 1,039.18
    assert s["minimum_premium"] == D("1039.18")
    # 1,500 + terrorism 0.50 + catastrophe 0.50 = $1,501
    assert s["total"] == D("1501")


# --- Estimated (non-compliance) audits ------------------------------------------------------------


def estimated_audit(ws: Worksheet, **audit: Decimal) -> Worksheet:
    return replace(ws, audit=Audit(type="estimated", **audit))


def test_estimated_audit_adds_twice_the_estimated_annual_premium_under_ncci():
    ws = estimated_audit(worksheet(estimated=[Estimate("IN", "5645", D("100000"))]))
    result = rate(ws, RATES)

    # estimated annual premium: 5,000 + 160 + 10 + 10 = 5,180
    assert result.estimated_premium == D("5180")
    # WC 00 04 24: charge = 2 × 5,180 = 10,360; premium 5,180 + 10,360 = 15,540
    assert steps(result)["non_compliance"] == D("10360.00")
    assert result.audited_premium == D("15540")
    assert result.adjustment == D("10360")
    assert "non_compliance" in [f.code for f in result.findings]


def test_estimated_audit_in_california_makes_the_premium_three_times_the_estimate_plus_costs():
    rates = rate_table("CA WC 8810 0.50")
    ws = estimated_audit(
        worksheet(estimated=[Estimate("CA", "8810", D("100000"))], states=("CA",)),
        audit_costs=D("250"),
    )
    result = rate(ws, rates)

    # estimate: 100,000 × 0.50% = 500 + 160 + 10 + 10 = 680
    # Ins. Code 11760.1: premium 3 × 680; charge (3 - 1) × 680 = 1,360 + audit costs 250 = 1,610
    assert steps(result, "CA")["non_compliance"] == D("1610.00")
    assert result.audited_premium == D("2290")


def test_a_non_compliance_multiplier_below_the_maximum_is_used_as_given():
    ws = estimated_audit(
        worksheet(estimated=[Estimate("IN", "5645", D("100000"))]),
        non_compliance_multiplier=D("1.5"),
    )
    result = rate(ws, RATES)

    # 1.5 × 5,180 = 7,770; premium 5,180 + 7,770 = 12,950
    assert steps(result)["non_compliance"] == D("7770.00")
    assert result.audited_premium == D("12950")


def test_a_non_compliance_multiplier_above_the_states_maximum_is_refused():
    ws = estimated_audit(
        worksheet(estimated=[Estimate("IN", "5645", D("100000"))]),
        non_compliance_multiplier=D("2.5"),
    )
    with pytest.raises(WorksheetError) as caught:
        rate(ws, RATES)
    assert [p.path for p in caught.value.problems] == ["$.audit.non_compliance_multiplier"]


def test_a_california_non_compliance_multiplier_never_turns_the_charge_into_a_credit():
    rates = rate_table("CA WC 8810 0.50")
    ws = estimated_audit(
        worksheet(estimated=[Estimate("CA", "8810", D("100000"))], states=("CA",)),
        non_compliance_multiplier=D("0.5"),
    )
    try:
        result = rate(ws, rates)
    except WorksheetError:
        return  # refusing the multiplier is also a correct answer
    # (0.5 - 1) × 680 = -340: the insured who refused the audit would pay $340 instead of $680
    assert result.audited_premium >= result.estimated_premium


# --- General liability ----------------------------------------------------------------------------


def gl_worksheet(
    class_code: str, basis: str, estimated: str, audited: str, **policy_overrides: object
) -> Worksheet:
    return Worksheet(
        policy=policy(line="GL", number="GL-TEST", **policy_overrides),
        estimated=(Estimate("IN", class_code, D(estimated), basis),),
        audited=AuditFacts(gl_exposures=(GLExposure("IN", class_code, basis, D(audited)),)),
    )


@pytest.mark.parametrize(
    ("basis", "class_code", "rate_", "exposure", "expected", "premium"),
    [
        # payroll per $1,000: 250,000 / 1,000 × 12.50 = 3,125.00
        ("payroll", "91580", "12.50", "250000", "3125.00", "3125"),
        # gross sales per $1,000: 1,200,000 / 1,000 × 3.25 = 3,900.00
        ("gross_sales", "16900", "3.25", "1200000", "3900.00", "3900"),
        # area per 1,000 sq ft: 12,500 / 1,000 × 45.678 = 570.975 → 570.98 → $571
        ("area", "61217", "45.678", "12500", "570.98", "571"),
        # admissions per 1,000: 35,000 / 1,000 × 20 = 700.00
        ("admissions", "43200", "20", "35000", "700.00", "700"),
        # each: 4 × 150 = 600.00
        ("each", "49451", "150", "4", "600.00", "600"),
        # units: 10 × 75.50 = 755.00
        ("units", "40072", "75.50", "10", "755.00", "755"),
        # total cost per $1,000: 500,000 / 1,000 × 6.40 = 3,200.00
        ("total_cost", "91342", "6.40", "500000", "3200.00", "3200"),
    ],
)
def test_gl_premium_is_exposure_divided_by_the_basis_unit_times_the_rate(
    basis, class_code, rate_, exposure, expected, premium
):
    rates = rate_table(f"IN GL {class_code} {rate_} {basis}")
    result = rate(gl_worksheet(class_code, basis, exposure, exposure), rates)

    (cls,) = result.audited.state("IN").classes
    assert cls.manual_premium == D(expected)
    # no WC charges on a GL policy: no expense constant, terrorism or catastrophe
    assert set(steps(result)) <= {"manual", "rounding", "total"}
    assert result.audited_premium == D(premium)


def test_gl_class_minimum_premium_applies():
    rates = rate_table("IN GL 61217 45.678 area min=500")
    s = steps(rate(gl_worksheet("61217", "area", "2000", "2000"), rates))

    # 2,000 / 1,000 × 45.678 = 91.356 → 91.36; minimum 500: 500 - 91.36 = 408.64 added
    assert s["minimum_premium"] == D("408.64")
    assert s["total"] == D("500")


def test_gl_policy_minimum_premium_wins_over_a_lower_class_minimum():
    rates = rate_table("IN GL 61217 45.678 area min=500")
    ws = gl_worksheet("61217", "area", "2000", "2000", gl_minimum_premium=D("1000"))
    s = steps(rate(ws, rates))

    # 1,000 - 91.36 = 908.64
    assert s["minimum_premium"] == D("908.64")
    assert s["total"] == D("1000")


def test_a_one_way_gl_audit_keeps_the_estimate_when_the_audited_premium_is_lower():
    rates = rate_table("IN GL 16900 3.25 gross_sales")
    ws = gl_worksheet("16900", "gross_sales", "1000000", "800000", gl_audit="one_way")
    result = rate(ws, rates)

    # estimate 1,000 × 3.25 = 3,250; audited 800 × 3.25 = 2,600; 650 kept
    assert steps(result)["one_way_audit"] == D("650.00")
    assert result.audited_premium == D("3250")
    assert (result.adjustment, result.outcome) == (D("0"), "zero")


def test_a_one_way_gl_audit_still_charges_additional_premium():
    rates = rate_table("IN GL 16900 3.25 gross_sales")
    ws = gl_worksheet("16900", "gross_sales", "1000000", "1200000", gl_audit="one_way")
    result = rate(ws, rates)

    # 1,200 × 3.25 = 3,900 against 3,250: +650
    assert "one_way_audit" not in steps(result)
    assert (result.adjustment, result.outcome) == (D("650"), "additional")


def test_a_one_way_gl_audit_with_no_audited_exposure_keeps_the_estimate():
    rates = rate_table("IN GL 16900 3.25 gross_sales")
    ws = replace(
        gl_worksheet("16900", "gross_sales", "1000000", "0", gl_audit="one_way"),
        audited=AuditFacts(),  # no gross sales reported at all
    )
    result = rate(ws, rates)

    # estimate 1,000 × 3.25 = 3,250; a one-way audit never returns premium
    assert result.estimated_premium == D("3250")
    assert (result.audited_premium, result.adjustment) == (D("3250"), D("0"))


def test_a_two_way_gl_audit_returns_premium():
    rates = rate_table("IN GL 16900 3.25 gross_sales")
    result = rate(gl_worksheet("16900", "gross_sales", "1000000", "800000"), rates)

    # 2,600 - 3,250 = -650
    assert (result.adjustment, result.outcome) == (D("-650"), "return")


# --- The adjustment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audited", "adjustment", "outcome"),
    [
        # 120,000: 6,000 + 160 + 12 + 12 = 6,184 against 5,180
        ("120000", "1004", "additional"),
        # 80,000: 4,000 + 160 + 8 + 8 = 4,176 against 5,180
        ("80000", "-1004", "return"),
        ("100000", "0", "zero"),
    ],
)
def test_the_adjustment_is_audited_minus_estimated_premium_with_its_outcome(
    audited, adjustment, outcome
):
    ws = worksheet(estimated=[Estimate("IN", "5645", D("100000"))], payroll=[payroll(audited)])
    result = rate(ws, RATES)

    # estimate 100,000: 5,000 + 160 + 10 + 10 = 5,180
    assert result.estimated_premium == D("5180")
    assert (result.adjustment, result.outcome) == (D(adjustment), outcome)
    assert sum(a.difference for a in result.adjustments) == D(adjustment)


@pytest.mark.parametrize(
    ("billed", "deposit", "vs_billed", "outcome"),
    [
        # audited 6,184 (payroll 120,000) against 6,500 billed
        ("6500", None, "-316", "return"),
        # no billed premium: the deposit 5,000 is compared
        (None, "5000", "1184", "additional"),
        # billed wins over the deposit
        ("6184", "5000", "0", "zero"),
    ],
)
def test_the_adjustment_against_the_billed_or_deposit_premium(billed, deposit, vs_billed, outcome):
    ws = worksheet(
        payroll=[payroll("120000")],
        billed_premium=None if billed is None else D(billed),
        deposit_premium=None if deposit is None else D(deposit),
    )
    result = rate(ws, RATES)

    assert result.audited_premium == D("6184")
    assert result.adjustment_vs_billed == D(vs_billed)
    assert result.outcome_vs_billed == outcome
    assert result.adjustment == D("1004")  # against the 5,180 estimate, unchanged


# --- Explanation ----------------------------------------------------------------------------------


def test_explain_names_the_largest_driver_with_its_figures():
    rates = rate_table("IN WC 5645 5.43")
    ws = worksheet(estimated=[Estimate("IN", "5645", D("350000"))], payroll=[payroll("420000")])
    result = rate(ws, rates)
    lines = explain(result).splitlines()

    # class 5645: (420,000 - 350,000) × 5.43 / 100 = +3,801
    # estimate 19,005 + 160 + 35 + 35 = 19,235; audited 22,806 + 160 + 42 + 42 = 23,050
    assert "an additional premium of $3,815" in lines[0]
    assert lines[1] == "Largest changes:"
    assert lines[2] == "- payroll in class 5645 in IN rose from $350,000 to $420,000: +$3,801"
    # then the smaller drivers: terrorism and catastrophe 42 - 35 = +7 each
    assert "- the catastrophe charge (IN): $35 → $42: +$7" in lines
    assert audited_exposure(result, "IN", "5645") == D("420000")
