"""An interim audit rates part of the term: the estimate prorated to its days, the expense constant
and the minimum premium earned for its days, the premium discount graded on a year's standard
premium (the shipped NCCI rule ``interim``). Indiana, 2025-01-01 to 2026-01-01 (365 days), the
first quarter 2025-01-01 to 2025-04-01 (90 days); rates 5645 at 5.00 and 8810 at 0.17."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from tests.rating.factories import D, policy, rate, rate_table, worksheet
from trueup.rating import WorksheetError
from trueup.rating.worksheet import Audit, Estimate, Interim, PayrollLine, Worksheet

RATES = rate_table("IN WC 5645 5.00", "IN WC 8810 0.17")
FIRST_QUARTER = Interim(date(2025, 1, 1), date(2025, 4, 1))


def interim(payroll: str, **overrides: Any) -> Worksheet:
    sheet = worksheet(
        estimated=[Estimate("IN", "5645", D("100000"))],
        payroll=[PayrollLine("IN", "5645", D(payroll))],
        interim=FIRST_QUARTER,
        **overrides,
    )
    return replace(sheet, audit=Audit(type="interim"))


def steps(sheet: Worksheet, side: str = "audited") -> dict[str, D]:
    state = getattr(rate(sheet, RATES), side).state("IN")
    return {step.code: step.amount for step in state.steps}


def test_an_interim_audit_earns_the_expense_constant_for_its_days_only() -> None:
    result = rate(interim("50000"), RATES)
    audited = steps(interim("50000"))
    # $160 × 90 / 365 = $39.452 → $39.45
    assert audited["expense_constant"] == D("39.45")
    # $50,000 × 5 % = $2,500 + $39.45 + terrorism and catastrophe $5 each = $2,549.45 → $2,549
    assert result.audited_premium == D("2549")
    reason = result.audited.state("IN").step("expense_constant").reason
    assert reason.rule == "interim"
    assert reason.text == (
        "expense constant $160 for the term, earned for the 90 of its 365 days this interim "
        "audit covers: $39.45"
    )


def test_the_estimate_is_prorated_to_the_quarter_with_its_reason() -> None:
    result = rate(interim("50000"), RATES)
    # $100,000 × 90 / 365 = $24,657.534 → $24,657.53
    assert result.estimated.exposures[0].amount == D("24657.53")
    texts = [r.text for r in result.estimated.exposures[0].reasons]
    assert "interim audit of 90 of the term's 365 days: estimate prorated to $24,657.53" in texts
    # $1,232.88 manual + $39.45 + $2.47 twice = $1,277.27 → $1,277
    assert result.estimated_premium == D("1277")


def test_the_minimum_premium_is_earned_for_the_quarters_days() -> None:
    audited = steps(interim("5000"))
    # Indiana's minimum, 5.00 × 315 + $160 = $1,735 capped at $1,500, for 90 of 365 days:
    # $369.863 → $369.86. $250 manual + $39.45 = $289.45: $80.41 added.
    assert audited["minimum_premium"] == D("80.41")
    # $369.86 + terrorism and catastrophe $0.50 each = $370.86 → $371
    assert audited["total"] == D("371")


def test_the_premium_discount_is_graded_on_a_years_standard_premium() -> None:
    audited = steps(interim("100000", premium_discount=True))
    # Standard $5,000 is $20,277.78 for a year: ($20,277.78 − $10,000) × 9.1 % = $935.28, an
    # average of 4.6123 %; on $5,000 that is $230.62 (nothing at all if graded on $5,000).
    assert audited["premium_discount"] == D("-230.62")


def test_a_final_audit_with_an_interim_part_of_the_term_is_refused() -> None:
    sheet = replace(interim("50000"), audit=Audit(type="final"))
    with pytest.raises(WorksheetError) as refused:
        rate(sheet, RATES)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        ("$.policy.interim", "only an interim audit covers part of the term")
    ]


def test_an_interim_part_past_the_terms_end_is_refused() -> None:
    sheet = interim("50000")
    late = replace(sheet.policy, interim=Interim(date(2025, 10, 1), date(2026, 1, 2)))
    with pytest.raises(WorksheetError) as refused:
        rate(replace(sheet, policy=late), RATES)
    assert [p.path for p in refused.value.problems] == ["$.policy.interim"]


def test_a_policy_without_an_interim_part_is_rated_for_its_whole_term() -> None:
    assert policy().audit_period.days == 365
    assert replace(policy(), interim=FIRST_QUARTER).audit_period.days == 90
