"""A dashboard to JSON and back: kept as a snapshot (every cell tagged with its kind, so it reads
back exactly), and handed to other systems by the API (plain JSON: amounts and percentages as
decimal strings, days as ISO dates)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trueup.reporting.shapes import Cell, Chart, Dashboard, Figure, Series, Table


def dashboard_to_data(d: Dashboard) -> dict[str, Any]:
    return {
        "start": d.start.isoformat(),
        "end": d.end.isoformat(),
        "filters": d.filters,
        "figures": [_figure(f) for f in d.figures],
        "tables": [_table(t) for t in d.tables],
        "charts": [_chart(c) for c in d.charts],
        "as_of": d.as_of.isoformat() if d.as_of else None,
        "notes": list(d.notes),
    }


def dashboard_from_data(data: dict[str, Any]) -> Dashboard:
    return Dashboard(
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        filters=data["filters"],
        figures=tuple(Figure(**(f | {"value": _cell_from(f["value"])})) for f in data["figures"]),
        tables=tuple(_table_from(t) for t in data["tables"]),
        charts=tuple(_chart_from(c) for c in data["charts"]),
        as_of=datetime.fromisoformat(data["as_of"]) if data["as_of"] else None,
        notes=tuple(data["notes"]),
    )


def _cell(value: Cell) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _cell_from(value: Any) -> Any:
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return date.fromisoformat(value["date"])
    return value


def _figure(f: Figure) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "definition": f.definition,
        "value": _cell(f.value),
        "unit": f.unit,
        "why": f.why,
    }


def _table(t: Table) -> dict[str, Any]:
    return {
        "key": t.key,
        "title": t.title,
        "definition": t.definition,
        "columns": list(t.columns),
        "rows": [[_cell(c) for c in row] for row in t.rows],
    }


def _table_from(t: dict[str, Any]) -> Table:
    rows = tuple(tuple(_cell_from(c) for c in row) for row in t["rows"])
    return Table(t["key"], t["title"], t["definition"], tuple(t["columns"]), rows)


def _chart(c: Chart) -> dict[str, Any]:
    return {
        "key": c.key,
        "title": c.title,
        "kind": c.kind,
        "x_label": c.x_label,
        "y_label": c.y_label,
        "unit": c.unit,
        "series": [
            {"label": s.label, "points": [[x, _cell(v)] for x, v in s.points]} for s in c.series
        ],
        "summary": c.summary,
        "table": _table(c.table),
    }


def _chart_from(c: dict[str, Any]) -> Chart:
    series = tuple(
        Series(s["label"], tuple((x, _cell_from(v)) for x, v in s["points"])) for s in c["series"]
    )
    return Chart(
        c["key"],
        c["title"],
        c["kind"],
        c["x_label"],
        c["y_label"],
        c["unit"],
        series,
        c["summary"],
        _table_from(c["table"]),
    )


def plain(value: Any) -> Any:
    """A cell for other systems: decimals as strings (exact), days as ISO dates."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def dashboard_as_json(d: Dashboard) -> dict[str, Any]:
    """The dashboard as the API answers it: the snapshot's shape with plain cells."""
    data = dashboard_to_data(d)
    data["figures"] = [
        f | {"value": plain(g.value)} for f, g in zip(data["figures"], d.figures, strict=True)
    ]
    data["tables"] = [_plain_table(t) for t in d.tables]
    for chart, original in zip(data["charts"], d.charts, strict=True):
        chart["series"] = [
            {"label": s.label, "points": [[x, plain(v)] for x, v in s.points]}
            for s in original.series
        ]
        chart["table"] = _plain_table(original.table)
    return data


def _plain_table(t: Table) -> dict[str, Any]:
    return _table(t) | {"rows": [[plain(c) for c in row] for row in t.rows]}
