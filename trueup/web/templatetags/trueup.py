"""Template filters for money and figures as the workbench shows them."""

from __future__ import annotations

from typing import Any

from django import template

from trueup.core.money import as_decimal, figure, usd_of_cents
from trueup.core.money import usd as format_usd

register = template.Library()


@register.filter
def usd(value: Any) -> str:
    """$1,234.56 from a Decimal or its string; a dash for nothing."""
    amount = as_decimal(value)
    return "—" if amount is None else format_usd(amount)


@register.filter
def amount(value: Any) -> str:
    """An exposure or other figure with thousands separators, no currency sign."""
    return figure(value)


@register.filter
def label(value: str) -> str:
    return str(value).replace("_", " ")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def as_list(value: Any) -> list[Any]:
    return [value]


@register.filter
def cents_usd(value: Any) -> str:
    """$1,234.56 from integer cents."""
    if value is None or value == "":
        return "—"
    return usd_of_cents(int(value))
