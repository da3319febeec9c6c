"""The shipped example worksheets rate, and their results say what the examples are about."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.rating import Result, explain, rate_worksheet, worksheet_from_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def rated(name: str) -> Result:
    return rate_worksheet(worksheet_from_json((EXAMPLES / name).read_text()))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_example_rates_and_its_adjustment_lines_sum_to_the_adjustment(path: Path) -> None:
    result = rate_worksheet(worksheet_from_json(path.read_text()))
    assert sum((a.difference for a in result.adjustments), Decimal(0)) == result.adjustment
    assert result.audited_premium == sum((s.premium for s in result.audited.states), Decimal(0))
    assert explain(result).startswith(f"Policy {result.policy_number}")


def test_the_multistate_example_caps_the_officer_and_charges_the_uninsured_subcontractor() -> None:
    result = rated("02-multistate-officers-subcontractor.json")
    codes = [f.code for f in result.findings]
    assert "owner_limit" in codes  # $310,000 capped at IN's 2025 annual maximum of $239,200
    assert "uninsured_subcontractor" in codes
    assert "standard_exception_split" in codes
    assert any("Blue Ridge Excavating" in r.text for r in result.audited.exclusions)
    owner = next(f for f in result.findings if f.code == "owner_limit")
    assert "$239,200" in owner.message
    # Two mods in the term: IN payroll is rated in two split periods.
    assert {e.period_start for e in result.audited.exposures if e.state == "IN"} == {
        date(2025, 3, 1),
        date(2025, 9, 1),
    }


def test_the_short_rate_cancellation_example_earns_the_short_rate_percent() -> None:
    result = rated("04-cancellation-short-rate.json")
    # 2025-01-01 to 2025-07-02 is 182 days in force: 60% of the annualized premium.
    step = result.audited.states[0].step("short_rate")
    assert step is not None
    assert dict(step.reason.inputs)["short_rate_percent"] == "60"
    assert result.audited.states[0].step("premium_discount") is None


def test_the_estimated_audit_example_charges_three_times_the_estimate_plus_audit_costs() -> None:
    result = rated("05-estimated-non-compliance.json")
    # CA: total premium is 3 × the estimated annual premium, plus the $450 audit costs.
    assert result.audited_premium == 3 * result.estimated_premium + Decimal("450")
    assert result.outcome == "additional"


def test_the_gl_example_returns_premium_on_lower_sales() -> None:
    result = rated("03-general-liability.json")
    assert result.outcome == "return"
    line = next(a for a in result.adjustments if a.item == "16910")
    assert line.estimated_exposure == Decimal("2400000")
    assert line.audited_exposure == Decimal("2185000")
    assert line.difference < 0
