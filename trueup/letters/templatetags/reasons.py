"""The engine's reasons and findings in the reader's language, for the worksheet PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from trueup.audits.reasons import finding_text as _finding_text
from trueup.audits.reasons import per_words as _per_words
from trueup.audits.reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(reason: dict[str, Any]) -> str:
    return _reason_text(reason)


@register.filter
def iso_date(value: Any) -> date | Any:
    """A date the result stores as text (2025-01-01), as a date to format in words."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return value


@register.filter
def per_words(per: str) -> str:
    """What a rate is per ("$100 of payroll"), in the reader's language."""
    return " / ".join(_per_words(part) for part in str(per).split(" / "))


@register.filter
def finding_text(finding: dict[str, Any]) -> str:
    return _finding_text(finding)
