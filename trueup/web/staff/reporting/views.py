"""The department's view: the dashboard (figures and charts), every metric's definition with its
value, and the metric tables with their exports. For managers, reviewers and administrators only;
the figures count the whole department's book, so no one else sees them."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from trueup.accounts.models import User
from trueup.audits.access import staff_user
from trueup.core import clock
from trueup.core.money import figure
from trueup.core.spreadsheet import EXPORT_TYPES, csv_bytes, xlsx_bytes
from trueup.reporting.access import may_see_metrics
from trueup.reporting.metrics import catalogue, dashboard
from trueup.reporting.serialize import dashboard_to_data
from trueup.reporting.shapes import Cell, Dashboard, Table
from trueup.web.charts import NO_DATA, chart_svg, in_words
from trueup.web.staff.reporting.forms import DashboardFilters, fields_html


def _metrics_user(request: HttpRequest) -> User:
    user = staff_user(request)
    if not may_see_metrics(user):
        raise PermissionDenied("the department's figures are for managers and reviewers")
    return user


def _figures(request: HttpRequest) -> tuple[DashboardFilters, Dashboard, str]:
    """The form, the figures for its filters, and the query that carries those filters on."""
    form = DashboardFilters(request.GET or None, today=clock.today())
    board = dashboard(form.filters())
    return form, board, request.GET.urlencode()


def cell_text(value: Cell) -> str:
    """A table's cell as the page shows it: figures with separators, days as dates."""
    if value is None:
        return NO_DATA
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return figure(value)
    return str(value)


def _table(table: Table) -> dict[str, Any]:
    rows = [[(cell_text(c), not isinstance(c, str)) for c in row] for row in table.rows]
    return {"table": table, "rows": rows}


def _tables(board: Dashboard) -> list[Table]:
    """Every table of the figures: the metric tables, then each chart's data not among them."""
    found = {table.key: table for table in board.tables}
    for chart in board.charts:
        found.setdefault(chart.table.key, chart.table)
    return list(found.values())


def _board_html(request: HttpRequest, board: Dashboard, query: str) -> str:
    """The figures and charts, drawn once per set of figures (most of the page's cost): the
    drawing depends only on the figures, the reader's language and the filters' query, so it is
    kept under a digest of those three and can never show other figures than the board's."""
    data = json.dumps(dashboard_to_data(board), sort_keys=True)
    digest = hashlib.sha256(f"{data}|{get_language()}|{query}".encode()).hexdigest()
    key = f"dashboard-board:{digest}"
    drawn: str | None = cache.get(key)
    if drawn is None:
        drawn = _draw_board(request, board, query)
        cache.set(key, drawn)
    return drawn


def _draw_board(request: HttpRequest, board: Dashboard, query: str) -> str:
    figures = [{"figure": f, "value": in_words(f.value, f.unit)} for f in board.figures]
    charts = [{"chart": c, "svg": chart_svg(c), "data": _table(c.table)} for c in board.charts]
    context = {"board": board, "figures": figures, "charts": charts, "query": query}
    return render_to_string("reporting/_board.html", context, request)


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    _metrics_user(request)
    form, board, query = _figures(request)
    context = {
        "form": form,
        "filter_fields": fields_html(form),
        "board": board,
        "board_html": _board_html(request, board, query),
        "query": query,
    }
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    """Every metric's definition, once, with its value for the filters where it is one number
    (a metric shown as a table links to it)."""
    _metrics_user(request)
    form, board, query = _figures(request)
    figures = {f.key: f for f in board.figures}
    tables = {t.key for t in _tables(board)}
    metrics = []
    for definition in catalogue():
        found = figures.get(definition.key)
        metrics.append(
            {
                "definition": definition,
                "value": in_words(found.value, found.unit) if found else None,
                "why": found.why if found else "",
                "table": definition.key in tables,
            }
        )
    context = {
        "form": form,
        "filter_fields": fields_html(form),
        "board": board,
        "metrics": metrics,
        "query": query,
    }
    return render(request, "reporting/metrics.html", context)


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    _metrics_user(request)
    form, board, query = _figures(request)
    tables = [_table(table) for table in _tables(board)]
    context = {
        "form": form,
        "filter_fields": fields_html(form),
        "board": board,
        "tables": tables,
        "query": query,
    }
    return render(request, "reporting/reports.html", context)


@login_required
@require_GET
def table_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One metric table for the filters in the query, as CSV or a workbook."""
    _metrics_user(request)
    if fmt not in EXPORT_TYPES:
        raise Http404("exports are CSV or XLSX")
    _, board, _ = _figures(request)
    table = next((t for t in _tables(board) if t.key == key), None)
    if table is None:
        raise Http404("no such table")
    if fmt == "csv":
        body = csv_bytes(table.columns, table.rows)
    else:
        body = xlsx_bytes(table.title, table.columns, table.rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = f"{key}-{board.start.isoformat()}-{board.end.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
