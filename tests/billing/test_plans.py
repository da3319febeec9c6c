"""Payment plan schedules sum exactly to the total; business days skip weekends; eligibility
follows the rules in billing.toml."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trueup.billing import plans
from trueup.billing.selectors import rules

# The instalments billing.toml allows: from 2 to 12.
MIN = int(rules()["payment_plans"]["instalments_min"])
MAX = int(rules()["payment_plans"]["instalments_max"])


def test_a_total_that_does_not_split_evenly_leaves_the_rounding_to_the_last_instalment() -> None:
    payments = plans.schedule(Decimal("1000.00"), 3, date(2026, 1, 31), minimum=MIN, maximum=MAX)
    assert [(p.number, p.due, p.amount) for p in payments] == [
        (1, date(2026, 1, 31), Decimal("333.33")),
        (2, date(2026, 2, 28), Decimal("333.33")),
        (3, date(2026, 3, 31), Decimal("333.34")),
    ]


def test_a_down_payment_comes_first_and_the_instalments_start_a_month_later() -> None:
    payments = plans.schedule(
        Decimal("4575.00"), 6, date(2026, 12, 15), Decimal("575.00"), minimum=MIN, maximum=MAX
    )
    assert [(p.number, p.due, p.amount) for p in payments] == [
        (0, date(2026, 12, 15), Decimal("575.00")),
        (1, date(2027, 1, 15), Decimal("666.67")),
        (2, date(2027, 2, 15), Decimal("666.67")),
        (3, date(2027, 3, 15), Decimal("666.67")),
        (4, date(2027, 4, 15), Decimal("666.67")),
        (5, date(2027, 5, 15), Decimal("666.67")),
        (6, date(2027, 6, 15), Decimal("666.65")),
    ]
    assert sum(p.amount for p in payments) == Decimal("4575.00")


@pytest.mark.parametrize(
    ("total", "instalments", "down", "message"),
    [
        (Decimal("100.00"), 1, Decimal(0), "choose from 2 to 12 instalments"),
        (Decimal("100.00"), 13, Decimal(0), "choose from 2 to 12 instalments"),
        (Decimal("100.00"), 2, Decimal("100.00"), "the down payment must be less than the total"),
        (Decimal("-5.00"), 2, Decimal(0), "only an amount due can be paid in instalments"),
        (Decimal("100.005"), 2, Decimal(0), "amounts are in whole cents"),
        (Decimal("0.05"), 12, Decimal(0), "cannot be split into 12 payments"),
    ],
)
def test_a_plan_that_cannot_be_made_says_why(
    total: Decimal, instalments: int, down: Decimal, message: str
) -> None:
    with pytest.raises(plans.PlanRefused, match=message):
        plans.schedule(total, instalments, date(2026, 1, 1), down, minimum=MIN, maximum=MAX)


@given(
    cents=st.integers(min_value=500_00, max_value=10_000_000_00),
    instalments=st.integers(min_value=2, max_value=12),
    down_share=st.integers(min_value=0, max_value=90),
    first_due=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
)
def test_every_schedule_sums_exactly_to_the_total_with_monthly_dates(
    cents: int, instalments: int, down_share: int, first_due: date
) -> None:
    total = Decimal(cents).scaleb(-2)
    down = (total * down_share / 100).quantize(Decimal("0.01"))
    payments = plans.schedule(total, instalments, first_due, down, minimum=MIN, maximum=MAX)
    assert sum(p.amount for p in payments) == total
    assert all(p.amount > 0 and p.amount == p.amount.quantize(Decimal("0.01")) for p in payments)
    regular = [p for p in payments if p.number > 0]
    assert len(regular) == instalments
    # Every instalment but the last is the same; the last differs by less than a cent each.
    assert len({p.amount for p in regular[:-1]}) <= 1
    assert abs(regular[-1].amount - regular[0].amount) < Decimal("0.01") * instalments
    dues = [p.due for p in payments]
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    assert payments[0].due == first_due


def test_business_days_skip_the_weekend() -> None:
    # Friday Nov 20, 2026 + 10 business days = Friday Dec 4.
    assert plans.add_business_days(date(2026, 11, 20), 10) == date(2026, 12, 4)
    assert plans.add_business_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Sat → Mon


def test_eligibility_checks_amount_history_and_policy_status() -> None:
    config = rules()["payment_plans"]
    ok = plans.eligibility(Decimal("4575.00"), plans.History(1, 0), "expired", config)
    assert ok.eligible
    assert ok.reasons == [
        "$4,575.00 is at least $500.00",
        "1 late and 0 returned payments in the last 12 months",
        "the policy is expired",
    ]
    refused = plans.eligibility(Decimal("499.99"), plans.History(3, 1), "cancelled", config)
    assert not refused.eligible
    assert refused.reasons == [
        "the amount $499.99 is under the $500.00 minimum for a plan",
        "3 late payments in the last 12 months (at most 2)",
        "1 returned payments in the last 12 months (at most 0)",
        "the policy is cancelled",
    ]
