"""Money and dates as each language writes them: dollars the same in both (as every US form
writes them), dates in words in Spanish; the portal's own date formats are translated with its
text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from trueup.core.money import usd_cents

DAY = date(2026, 12, 4)


def render(language: str, source: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load i18n trueup %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "long", "portal", "short"),
    [
        ("en", "Dec. 4, 2026", "Dec 4, 2026", "12/04/2026"),
        ("es", "4 de diciembre de 2026", "4 de diciembre de 2026", "12/04/2026"),
    ],
)
def test_dates_are_written_in_the_reader_s_language(
    language: str, long: str, portal: str, short: str
) -> None:
    assert render(language, "{{ d|date }}", d=DAY) == long
    assert render(language, '{{ d|date:_("M j, Y") }}', d=DAY) == portal
    assert render(language, '{{ d|date:"SHORT_DATE_FORMAT" }}', d=DAY) == short


def test_a_month_and_a_time_in_spanish() -> None:
    at = datetime(2026, 3, 9, 14, 5, tzinfo=ZoneInfo("America/Chicago"))
    assert render("es", '{{ d|date:_("F j") }}', d=date(2026, 3, 9)) == "9 de marzo"
    assert render("es", '{{ at|date:_("M j, Y H:i") }}', at=at) == "9 de marzo de 2026, 14:05"
    assert render("en", '{{ at|date:_("M j, Y H:i") }}', at=at) == "Mar 9, 2026 14:05"


@pytest.mark.parametrize("language", ["en", "es"])
def test_dollars_read_the_same_in_both_languages(language: str) -> None:
    assert render(language, "{{ m|usd }}", m=Decimal("4459.00")) == "$4,459"
    assert render(language, "{{ m|usd }}", m=Decimal("19591.38")) == "$19,591.38"
    assert render(language, "{{ m|usd }}", m=Decimal("-1234.50")) == "-$1,234.50"
    assert render(language, "{{ m|amount }}", m=Decimal("125000")) == "125,000"
    with translation.override(language):
        assert usd_cents(Decimal("4575.00")) == "$4,575.00"
        assert (
            formats.number_format(Decimal("12500.50"), 2, use_l10n=True, force_grouping=True)
            == "12,500.50"
        )


def test_a_date_typed_into_a_form_means_the_same_in_both_languages() -> None:
    for language in ("en", "es"):
        with translation.override(language):
            assert "%Y-%m-%d" in formats.get_format("DATE_INPUT_FORMATS")
            assert "%m/%d/%Y" in formats.get_format("DATE_INPUT_FORMATS")
