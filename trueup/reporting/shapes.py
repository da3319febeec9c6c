"""The shapes the metrics are handed out in: to the dashboard, the exports and the API alike.

Every figure carries its definition (shown beside it) and its reason (the counts it was made
from), every chart its data as a table and a sentence that says what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# A cell of a table: text, a whole number, an exact decimal, a day, or nothing (no data).
Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Figure:
    """One number: what it is, how it is defined, its value and why it is that value."""

    key: str
    label: str
    definition: str
    value: Decimal | int | None  # None: nothing to count in the window
    unit: str  # "days", "percent", "usd", "count", "ratio"
    why: str  # e.g. "412 of 500 audits due in the window were completed"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[str, Decimal | int | None], ...]  # (x label, value)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "line", "bar" (grouped bars) or "stacked" (stacked bars)
    x_label: str
    y_label: str
    unit: str
    series: tuple[Series, ...]
    summary: str  # one or two sentences saying what the chart shows, for every reader
    table: Table  # the same data, as a table


@dataclass(frozen=True)
class Dashboard:
    """The department's figures for a window and a set of filters."""

    start: date
    end: date
    filters: dict[str, str]
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    as_of: datetime | None  # when the figures were last rebuilt (None: never)
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Filters:
    """The window and the filters every metric takes: the page's form, the API's query and the
    export's link all make one of these. Empty text means "all"."""

    start: date
    end: date
    state: str = ""
    line: str = ""
    type: str = ""
    method: str = ""
    assignee: str = ""  # a username
    vendor: str = ""  # a vendor firm's code, or "in_house" for the department's own auditors
    agency: str = ""  # an agency's code
