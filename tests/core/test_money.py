"""Money as people type it and read it: one parser, the formats shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trueup.core.money import figure, parse_dollars, usd, usd_cents


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12,500", "12500"),
        ("$1,250.00", "1250.00"),
        ("0.5", "0.5"),
        (" 7 500.25 ", "7500.25"),
        (".75", "0.75"),
    ],
)
def test_an_amount_typed_in_dollars_is_read_exactly(typed: str, amount: str) -> None:
    assert parse_dollars(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("twelve", "must be an amount in dollars, like 12,500.00"),
        ("1.005", "must be an amount in dollars, like 12,500.00"),
        ("1,25", "must be an amount in dollars, like 12,500.00"),
        (".", "must be an amount in dollars, like 12,500.00"),
        ("-5", "cannot be negative"),
        ("(5.00)", "cannot be negative"),
        ("1000000000000", "is too large"),
    ],
)
def test_an_amount_that_cannot_be_used_says_why(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=rf"^{reason.replace('.', '[.]')}$"):
        parse_dollars(typed)


def test_money_is_shown_in_whole_dollars_for_people_and_with_cents_for_billing() -> None:
    assert usd(Decimal("4575.00")) == "$4,575"
    assert usd(Decimal("-18.52")) == "-$18.52"
    assert usd_cents(Decimal("4575")) == "$4,575.00"
    assert usd_cents(Decimal("-12")) == "-$12.00"
    assert figure("125000.00") == "125,000"
    assert figure("1234.5") == "1,234.50"
    assert figure(None) == "—"
