"""Money as people read and type it, in one place: the formats TrueUp shows and the one parser of
amounts typed into forms. Rounding is the engine's (``trueup.rating.money``)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from trueup.rating.result import usd

__all__ = ["as_decimal", "figure", "parse_dollars", "usd", "usd_cents", "usd_of_cents"]

LARGEST = Decimal("1e12")  # what a money column (14 digits, 2 decimals) can hold
TYPED = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)?(\.\d{1,2})?$")


def as_decimal(value: Any) -> Decimal | None:
    """A stored figure (Decimal, its string, an int) as a Decimal; None for nothing or text."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def usd_cents(amount: Decimal) -> str:
    """Always with cents ($18.52, $4,575.00, -$12.00): what is billed is exact."""
    return f"${amount:,.2f}" if amount >= 0 else f"-${-amount:,.2f}"


def usd_of_cents(cents: int) -> str:
    """Integer cents (as payroll imports keep them) as ``usd`` shows dollars: $4,540, $19,591.38."""
    return usd(Decimal(int(cents)).scaleb(-2))


def figure(value: Any) -> str:
    """An exposure or other figure with thousands separators and no currency sign; a dash for
    nothing."""
    number = as_decimal(value)
    if number is None:
        return "—"
    text = f"{number:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def parse_dollars(text: str) -> Decimal:
    """An amount typed in dollars ("12,500", "$1,250.00", "0.5"): exact to the cent, never
    negative, small enough to keep. Raises ValueError with the reason, to follow the field's
    label ("must be an amount in dollars, like 12,500.00"), in the reader's language."""
    value = str(text).replace(" ", "")
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    digits = value.strip("()").lstrip("-").lstrip("$")
    if not digits.strip(".") or not TYPED.match(digits):
        raise ValueError(_("must be an amount in dollars, like 12,500.00"))
    if negative:
        raise ValueError(_("cannot be negative"))
    amount = Decimal(digits.replace(",", ""))
    if amount >= LARGEST:
        raise ValueError(_("is too large"))
    return amount
