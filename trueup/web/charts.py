"""Charts drawn on the server as SVG: no JavaScript and nothing fetched from elsewhere, so they
work offline and print. Each chart is an image with an accessible name (its title) and
description (its summary); its figures are also in its data table beside it, and each bar or point
carries its value in words for a pointer or a screen reader that walks the drawing.

Values are figures, not money being computed: a pixel position may be a float, while the
numbers written on the axis and in the labels come from the Decimal values themselves."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trueup.core.money import figure, usd
from trueup.reporting.shapes import Chart, Series

Number = Decimal | int | None

WIDTH = 640
PLOT_HEIGHT = 220
LEFT, RIGHT, TOP = 84, 16, 36
CHAR = 8.2  # the width of a character of the 15 px labels, near enough to lay them out
# Colours told apart by people with the common colour blindnesses, dark enough on white.
PALETTE = ("#1f5fae", "#b35c00", "#1d6b35", "#8e3b8e", "#a61b1b", "#00798c", "#5b6573")
TICKS = 5
NO_DATA = "no data"
WHOLE_UNITS = ("count", "days")
# Lines told apart without their colours, and where one runs over another.
DASHES = ("", ' stroke-dasharray="8 4"', ' stroke-dasharray="2 3"')


def in_words(value: Number, unit: str) -> str:
    """A value as the page writes it: $12,400, -$3,150, 82.5%, 45 days, 1,204; "no data" for
    nothing."""
    if value is None:
        return NO_DATA
    number = Decimal(value)
    if unit == "usd":
        return usd(number)
    if unit == "percent":
        return f"{_plain(number)}%"
    if unit == "days":
        return f"{_plain(number)} day{'' if number == 1 else 's'}"
    return figure(number)


def _plain(number: Decimal) -> str:
    """A figure without the zeros after its point that say nothing: 82.5, not 82.50."""
    text = figure(number)
    return text.rstrip("0").rstrip(".") if "." in text else text


def short(value: Decimal, unit: str, compact: bool) -> str:
    """A tick's label, kept short for the axis: $1.2M, $250k, 40%, 30 (the axis says days)."""
    if unit == "usd" and compact and value:
        size = abs(value)
        sign = "-" if value < 0 else ""
        if size >= 1_000_000:
            return f"{sign}${_plain(size / 1_000_000)}M"
        return f"{sign}${_plain(size / 1_000)}k"
    if unit == "days":
        return figure(value)
    return in_words(value, unit)


def nice_step(span: Decimal) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) giving about five ticks over the span."""
    raw = span / TICKS
    power = Decimal(1).scaleb(raw.adjusted())
    for multiple in (1, 2, 5, 10):
        step = power * multiple
        if step >= raw:
            return step
    return power * 10


@dataclass(frozen=True)
class Scale:
    """From values to the plot's height: the low and high ends are whole steps, and zero is
    always on the axis, so a bar's length is its value and a return premium hangs below."""

    low: Decimal
    high: Decimal
    step: Decimal

    @classmethod
    def over(cls, values: Iterable[Decimal], whole: bool = False) -> Scale:
        """Over the values and zero; in whole steps for what is counted (audits, days)."""
        known = [Decimal(0), *values]
        low, high = min(known), max(known)
        if low == high:  # nothing but zeros (or nothing): one step up from zero
            return cls(Decimal(0), Decimal(1), Decimal(1))
        step = nice_step(high - low)
        step = max(step, Decimal(1)) if whole else step
        return cls(math.floor(low / step) * step, math.ceil(high / step) * step, step)

    def y(self, value: Decimal) -> float:
        share = (value - self.low) / (self.high - self.low)
        return TOP + PLOT_HEIGHT * (1 - float(share))

    def ticks(self) -> list[Decimal]:
        count = int((self.high - self.low) / self.step)
        return [self.low + self.step * i for i in range(count + 1)]


def _n(value: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{value:.1f}".removesuffix(".0")


def _id(key: str) -> str:
    return "chart-" + re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")


def _categories(series: Sequence[Series]) -> list[str]:
    seen: dict[str, None] = {}
    for one in series:
        for label, _ in one.points:
            seen.setdefault(label, None)
    return list(seen)


def _values(one: Series) -> dict[str, Number]:
    return dict(one.points)


def _scale(chart: Chart, categories: list[str]) -> Scale:
    whole = chart.unit in WHOLE_UNITS
    if chart.kind != "stacked":
        every = (Decimal(v) for s in chart.series for _, v in s.points if v is not None)
        return Scale.over(every, whole)
    totals = []
    for category in categories:
        found = [Decimal(v) for s in chart.series if (v := _values(s).get(category)) is not None]
        totals += [sum((v for v in found if v > 0), Decimal(0))]
        totals += [sum((v for v in found if v < 0), Decimal(0))]
    return Scale.over(totals, whole)


def _text(x: float, y: float, words: str, css: str = "", extra: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{_n(x)}" y="{_n(y)}"{klass}{extra}>{escape(words)}</text>'


def _axes(chart: Chart, scale: Scale, categories: list[str], band: float) -> list[str]:
    """The value axis with its ticks and grid, the category labels and both axis titles."""
    right = WIDTH - RIGHT
    parts = []
    compact = max(abs(t) for t in scale.ticks()) >= 10_000
    for tick in scale.ticks():
        y = scale.y(tick)
        grid = "zero" if tick == 0 else "grid"
        parts.append(f'<line class="{grid}" x1="{LEFT}" x2="{right}" y1="{_n(y)}" y2="{_n(y)}"/>')
        parts.append(
            _text(LEFT - 6, y + 4, short(tick, chart.unit, compact), "tick", ' text-anchor="end"')
        )
    bottom = TOP + PLOT_HEIGHT
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}"/>')
    tilted = max((len(c) for c in categories), default=0) * CHAR > band
    for i, category in enumerate(categories):
        x = LEFT + band * (i + 0.5)
        if tilted:
            turn = f' text-anchor="end" transform="rotate(-40 {_n(x)} {_n(bottom + 14)})"'
            parts.append(_text(x, bottom + 14, category, "tick", turn))
        else:
            parts.append(_text(x, bottom + 16, category, "tick", ' text-anchor="middle"'))
    middle = TOP + PLOT_HEIGHT / 2
    turn = f' text-anchor="middle" transform="rotate(-90 14 {_n(middle)})"'
    parts.append(_text(14, middle, chart.y_label, "axis-title", turn))
    return parts


def _label_room(categories: list[str], band: float) -> float:
    """The height the category labels take under the plot (more when they are tilted)."""
    longest = max((len(c) for c in categories), default=0) * CHAR
    return 36 + (longest * 0.65 if longest > band else 0)


def _mark(kind: str, series: str, category: str, words: str, shape: str) -> str:
    """One bar or point, named with its series, its category and its value."""
    name = escape(f"{series}, {category}: {words}")
    return f'<g class="{kind}"><title>{name}</title>{shape}</g>'


def _no_data(x: float, scale: Scale, series: str, category: str) -> str:
    y = scale.y(Decimal(0)) - 4
    turn = f' transform="rotate(-90 {_n(x)} {_n(y)})"'
    return _mark("no-data", series, category, NO_DATA, _text(x + 4, y, NO_DATA, "", turn))


def _bars(chart: Chart, scale: Scale, categories: list[str], band: float) -> list[str]:
    """Grouped bars side by side, or stacked: positives up from zero, negatives down."""
    parts = []
    count = len(chart.series)
    inner = band * 0.8
    width = inner if chart.kind == "stacked" else inner / max(count, 1)
    zero = scale.y(Decimal(0))
    for i, category in enumerate(categories):
        start = LEFT + band * i + band * 0.1
        up = down = Decimal(0)
        for j, one in enumerate(chart.series):
            x = start if chart.kind == "stacked" else start + width * j
            raw = _values(one).get(category)
            if raw is None:
                parts.append(_no_data(x + width / 2 - 6, scale, one.label, category))
                continue
            value = Decimal(raw)
            base = (up if value >= 0 else down) if chart.kind == "stacked" else Decimal(0)
            top, bottom = sorted((scale.y(base + value), scale.y(base)))
            if chart.kind == "stacked":
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            height = max(bottom - top, 1.0 if value != 0 else 0.0)
            if value == 0:
                top = zero
            colour = PALETTE[j % len(PALETTE)]
            rect = (
                f'<rect x="{_n(x)}" y="{_n(top)}" width="{_n(max(width - 1, 1))}" '
                f'height="{_n(height)}" fill="{colour}"/>'
            )
            words = in_words(value, chart.unit)
            sign = "negative" if value < 0 else "bar"
            parts.append(_mark(sign, one.label, category, words, rect))
    return parts


def _lines(chart: Chart, scale: Scale, categories: list[str], band: float) -> list[str]:
    """A line per series, broken where a month has no data, with a dot at each value."""
    parts = []
    for j, one in enumerate(chart.series):
        colour = PALETTE[j % len(PALETTE)]
        values = _values(one)
        runs: list[list[str]] = [[]]
        dots = []
        for i, category in enumerate(categories):
            x = LEFT + band * (i + 0.5)
            raw = values.get(category)
            if raw is None:
                runs.append([])
                dots.append(_no_data(x - 6, scale, one.label, category))
                continue
            y = scale.y(Decimal(raw))
            runs[-1].append(f"{_n(x)},{_n(y)}")
            circle = f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"/>'
            dots.append(_mark("point", one.label, category, in_words(raw, chart.unit), circle))
        for run in runs:
            if len(run) > 1:
                points = " ".join(run)
                dashes = DASHES[j % len(DASHES)]
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}"{dashes}/>')
        parts += dots
    return parts


def _legend(chart: Chart, top: float) -> tuple[list[str], float]:
    """The series' names with their colours, wrapped over as many rows as they need."""
    parts, x, y = [], float(LEFT), top
    for j, one in enumerate(chart.series):
        size = 22 + len(one.label) * CHAR
        if x + size > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + 20
        colour = PALETTE[j % len(PALETTE)]
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" fill="{colour}"/>'
            + _text(x + 17, y, one.label, "legend")
        )
        x += size + 14
    return parts, y + 12


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an SVG image that scales to its box (a phone's 390 px as well as a desk's)."""
    ident = _id(chart.key)
    categories = _categories(chart.series)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    scale = _scale(chart, categories)
    drawn = _lines if chart.kind == "line" else _bars
    room = _label_room(categories, band)
    parts = _axes(chart, scale, categories, band) + drawn(chart, scale, categories, band)
    if not any(v is not None for s in chart.series for _, v in s.points):
        middle = ' text-anchor="middle"'
        parts.append(
            _text(LEFT + (WIDTH - LEFT) / 2, TOP + PLOT_HEIGHT / 2, "No data", "empty", middle)
        )
    x_title = TOP + PLOT_HEIGHT + room
    centre = LEFT + (WIDTH - LEFT - RIGHT) / 2
    parts.append(_text(centre, x_title, chart.x_label, "axis-title", ' text-anchor="middle"'))
    legend, height = _legend(chart, x_title + 24)
    height = max(height, x_title) + 8
    head = (
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(chart.title)}</title>'
        f'<desc id="{ident}-desc">{escape(chart.summary)}</desc>'
    )
    return mark_safe(head + "".join(parts + legend) + "</svg>")  # every text above is escaped
