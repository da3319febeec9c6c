"""Charts drawn as SVG on the server: what each draws for exact inputs, and how a reader who
does not see it still gets its name, its summary and every value."""

from __future__ import annotations

import re
from decimal import Decimal

from trueup.reporting.shapes import Chart, Series, Table
from trueup.web.charts import Scale, chart_svg, in_words

TABLE = Table("t", "The data", "", ("Month", "Value"), ())


def make(kind: str, unit: str, *series: Series, key: str = "premium") -> Chart:
    return Chart(key, "Premium by month", kind, "Month", "Premium", unit, series, "Summary.", TABLE)


def marks(svg: str, kind: str) -> list[tuple[str, float, float]]:
    """(name, top, height) of each bar of a kind ("bar", "negative") in the drawing."""
    found = re.findall(
        rf'<g class="{kind}"><title>([^<]*)</title><rect x="[\d.]+" y="([\d.]+)" '
        r'width="[\d.]+" height="([\d.]+)"',
        svg,
    )
    return [(name, float(top), float(height)) for name, top, height in found]


def zero_line(svg: str) -> float:
    found = re.search(r'<line class="zero" x1="\d+" x2="\d+" y1="([\d.]+)"', svg)
    assert found is not None
    return float(found[1])


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_summary() -> None:
    svg = str(chart_svg(make("bar", "count", Series("Audits", (("Jan", 3),)), key="Back log")))
    assert svg.startswith(
        '<svg class="chart" role="img" aria-labelledby="chart-back-log-title chart-back-log-desc"'
    )
    assert '<title id="chart-back-log-title">Premium by month</title>' in svg
    assert '<desc id="chart-back-log-desc">Summary.</desc>' in svg
    assert 'width="100%"' in svg and 'viewBox="0 0 640 ' in svg
    assert "<script" not in svg and "http://www.w3.org/2000/svg" in svg


def test_each_bar_carries_its_series_month_and_value_in_dollars() -> None:
    chart = make(
        "bar",
        "usd",
        Series("Additional", (("Jan 2026", Decimal("12400.00")), ("Feb 2026", Decimal("500")))),
        Series("Return", (("Jan 2026", Decimal("-3150.50")), ("Feb 2026", Decimal("0")))),
    )
    svg = str(chart_svg(chart))
    assert [name for name, _, _ in marks(svg, "bar")] == [
        "Additional, Jan 2026: $12,400",
        "Additional, Feb 2026: $500",
        "Return, Feb 2026: $0",
    ]
    assert [name for name, _, _ in marks(svg, "negative")] == ["Return, Jan 2026: -$3,150.50"]
    # The value axis: from -$5k to $15k in steps of $5k, zero among them.
    assert re.findall(r'class="tick" text-anchor="end">([^<]*)<', svg) == [
        "-$5k",
        "$0",
        "$5k",
        "$10k",
        "$15k",
    ]
    assert ">Additional</text>" in svg and ">Return</text>" in svg  # the legend


def test_a_return_premium_hangs_below_the_zero_line_and_an_additional_one_rises_above() -> None:
    chart = make(
        "bar",
        "usd",
        Series("Net", (("Jan", Decimal("1000")), ("Feb", Decimal("-1000")))),
    )
    svg = str(chart_svg(chart))
    zero = zero_line(svg)
    [(_, up_top, up_height)] = marks(svg, "bar")
    [(_, down_top, down_height)] = marks(svg, "negative")
    assert up_top + up_height == zero
    assert down_top == zero
    assert up_height == down_height == 110  # each half of the 220 px plot


def test_a_month_without_data_is_said_to_have_none_rather_than_drawn_as_zero() -> None:
    chart = make("bar", "days", Series("Median", (("Jan", 40), ("Feb", None), ("Mar", 0))))
    svg = str(chart_svg(chart))
    assert '<g class="no-data"><title>Median, Feb: no data</title>' in svg
    assert [name for name, _, _ in marks(svg, "bar")] == [
        "Median, Jan: 40 days",
        "Median, Mar: 0 days",
    ]


def test_a_chart_with_nothing_to_count_says_so_on_a_scale_from_zero() -> None:
    svg = str(chart_svg(make("line", "count", Series("Completed", (("Jan", None),)))))
    assert ">No data</text>" in svg
    assert re.findall(r'class="tick" text-anchor="end">([^<]*)<', svg) == ["0", "1"]


def test_a_line_breaks_where_a_month_has_no_data() -> None:
    chart = make(
        "line",
        "percent",
        Series("Within 90 days", (("Jan", 50), ("Feb", 75), ("Mar", None), ("Apr", 100))),
    )
    svg = str(chart_svg(chart))
    assert svg.count("<polyline") == 1  # Jan to Feb; April stands alone
    assert re.findall(r'<g class="point"><title>([^<]*)</title>', svg) == [
        "Within 90 days, Jan: 50%",
        "Within 90 days, Feb: 75%",
        "Within 90 days, Apr: 100%",
    ]


def test_stacked_bars_stand_on_each_other() -> None:
    chart = make(
        "stacked",
        "count",
        Series("Scheduled", (("0–30 days", 4),)),
        Series("In progress", (("0–30 days", 3),)),
    )
    svg = str(chart_svg(chart))
    [(_, low_top, _), (_, high_top, high_height)] = marks(svg, "bar")
    assert high_top + high_height == low_top
    assert Scale.over([Decimal(7)], whole=True).high == Decimal(8)


def test_text_in_a_chart_is_escaped() -> None:
    chart = make("bar", "count", Series("<b>Firm & Co</b>", (("Jan", 1),)))
    svg = str(chart_svg(chart))
    assert "<b>" not in svg and "&lt;b&gt;Firm &amp; Co&lt;/b&gt;" in svg


def test_values_are_written_in_their_units() -> None:
    assert in_words(Decimal("-1234.5"), "usd") == "-$1,234.50"
    assert in_words(Decimal("82.5"), "percent") == "82.5%"
    assert in_words(1, "days") == "1 day"
    assert in_words(Decimal("45.0"), "days") == "45 days"
    assert in_words(12045, "count") == "12,045"
    assert in_words(None, "usd") == "no data"


def test_large_amounts_on_the_axis_are_shortened_to_thousands_and_millions() -> None:
    chart = make("bar", "usd", Series("Additional", (("Jan", Decimal("2500000")),)))
    svg = str(chart_svg(chart))
    assert re.findall(r'class="tick" text-anchor="end">([^<]*)<', svg) == [
        "$0",
        "$500k",
        "$1M",
        "$1.5M",
        "$2M",
        "$2.5M",
    ]
    assert "<title>Additional, Jan: $2,500,000</title>" in svg
