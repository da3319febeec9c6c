"""The department's metrics in the JSON API, for a carrier's own reporting tools: the same
figures, definitions, tables and charts' data as the dashboard, for the same filters."""

# No `from __future__ import annotations`: Django Ninja reads the query parameters' types.
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from trueup.api.common import answers
from trueup.core import clock
from trueup.core.errors import NotAllowed
from trueup.reporting import metrics
from trueup.reporting.access import may_see_metrics
from trueup.reporting.serialize import dashboard_as_json

router = Router(tags=["metrics"])


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    value: Any  # a whole number, a decimal as a string, or null when there was nothing to count
    unit: str
    why: str


class TableOut(Schema):
    key: str
    title: str
    definition: str
    columns: list[str]
    rows: list[list[Any]]


class MetricsOut(Schema):
    start: date
    end: date
    filters: dict[str, str]
    figures: list[FigureOut]
    tables: list[TableOut]
    charts: list[dict[str, Any]]
    as_of: datetime | None
    notes: list[str]


@router.get("/metrics", response=answers(MetricsOut))
def department_metrics(
    request: HttpRequest,
    start: str = "",
    end: str = "",
    state: str = "",
    line: str = "",
    type: str = "",
    method: str = "",
    assignee: str = "",
    vendor: str = "",
    agency: str = "",
) -> dict[str, Any]:
    """The metrics over a window (default: the dashboard's, the last year to today), filtered by
    state, line, audit type, method, assignee (a username), vendor firm (its code, or
    ``in_house``) and agency (its code). Amounts and rates are exact decimal strings; each
    figure carries its definition and what it was counted from. Managers, reviewers and
    administrators only."""
    if not may_see_metrics(request.user):
        raise NotAllowed("only audit managers, reviewers and administrators see the metrics")
    query = {
        "start": start,
        "end": end,
        "state": state,
        "line": line,
        "type": type,
        "method": method,
        "assignee": assignee,
        "vendor": vendor,
        "agency": agency,
    }
    today = clock.today()
    filters = metrics.parse_filters(query, today)
    return dashboard_as_json(metrics.dashboard(filters, today))
