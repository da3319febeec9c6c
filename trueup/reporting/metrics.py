"""The department's metrics for a window and a set of filters, as one ``Dashboard``: what the
dashboard page, the reports, the exports and ``GET /api/metrics`` all show.

The metrics are computed from the rebuilt figures (``figures.refresh``), never from the audits
themselves, so their cost does not grow with the audits' histories. A computed dashboard is kept
as a snapshot of the run it was computed from: the page answers from it until the next run.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from trueup.audits.models import AuditType, Method
from trueup.core.errors import InvalidInput, Problem
from trueup.policies.models import EstimatedExposure, Line
from trueup.reporting import sections, serialize
from trueup.reporting.definitions import Definition
from trueup.reporting.definitions import catalogue as _catalogue
from trueup.reporting.models import AuditFigures, FiguresRun, MetricsSnapshot, RunStatus
from trueup.reporting.rules import rules
from trueup.reporting.shapes import Dashboard, Filters

# The dimension filters, each as the field of the figures it selects on.
DIMENSIONS = {
    "line": "line",
    "type": "type",
    "method": "method",
    "assignee": "assignee__username",
    "agency": "agency__code",
}
IN_HOUSE = "in_house"


def catalogue(on: date | None = None) -> tuple[Definition, ...]:
    return _catalogue(on)


def default_filters(today: date) -> Filters:
    """The window the dashboard opens on: ``default_months`` back from today, every state."""
    months = rules(today)["dashboard"]["default_months"]
    return Filters(start=months_before(today, months), end=today)


def months_before(day: date, months: int) -> date:
    """The day after the same day ``months`` months earlier (a year back from 2026-12-04 starts
    on 2025-12-05), the last of the month when that month is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    same = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return same + timedelta(days=1)


def parse_filters(query: Mapping[str, str], today: date) -> Filters:
    """Filters from a query (the page's form, the API, an export link): start and end as
    YYYY-MM-DD, the rest as codes. Raises InvalidInput naming each bad field."""
    default = default_filters(today)
    problems: list[Problem] = []
    start = _day(query, "start", default.start, problems)
    end = _day(query, "end", default.end, problems)
    if start and end and start > end:
        problems.append(Problem("end", "must be on or after the start"))
    choices = {"line": Line.values, "type": AuditType.values, "method": Method.values}
    values: dict[str, str] = {}
    for name in ("state", "line", "type", "method", "assignee", "vendor", "agency"):
        value = (query.get(name) or "").strip()
        if name in choices and value and value not in choices[name]:
            problems.append(Problem(name, f"must be one of {', '.join(choices[name])}"))
        if name == "state" and value and not (len(value) == 2 and value.isalpha()):
            problems.append(Problem(name, "must be a two-letter state code, like KY"))
        values[name] = value.upper() if name == "state" else value
    if problems:
        raise InvalidInput(problems)
    return Filters(start=start or default.start, end=end or default.end, **values)


def _day(query: Mapping[str, str], name: str, default: date, problems: list[Problem]) -> date:
    text = (query.get(name) or "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, "must be a date as YYYY-MM-DD, like 2026-01-31"))
        return default


def selected(filters: Filters) -> QuerySet[AuditFigures]:
    """The figures of the audits the filters select (the window is applied by each metric)."""
    figures = AuditFigures.objects.all()
    for name, lookup in DIMENSIONS.items():
        value = getattr(filters, name)
        if value:
            figures = figures.filter(**{lookup: value})
    if filters.vendor == IN_HOUSE:
        figures = figures.filter(vendor__isnull=True)
    elif filters.vendor:
        figures = figures.filter(vendor__code=filters.vendor)
    if filters.state:
        # As the worklist does: a period is in a state when it has an estimated exposure there.
        in_state = EstimatedExposure.objects.filter(
            period_id=OuterRef("audit__period_id"), state=filters.state
        )
        figures = figures.filter(Exists(in_state))
    return figures


def compute(filters: Filters, today: date | None = None) -> Dashboard:
    """The dashboard computed now from the latest figures."""
    run = latest_run()
    return sections.dashboard(
        filters,
        selected(filters),
        today or filters.end,
        as_of=run.finished_at if run else None,
    )


def latest_run() -> FiguresRun | None:
    return FiguresRun.objects.filter(status=RunStatus.DONE).first()


def dashboard(filters: Filters, today: date | None = None) -> Dashboard:
    """The dashboard from the latest run's snapshot for these filters, computed and kept the
    first time they are asked for."""
    run = latest_run()
    day = today or filters.end
    if run is None:
        return compute(filters, day)
    key = snapshot_key(filters, day)
    kept = MetricsSnapshot.objects.filter(run=run, key=key).values_list("data", flat=True)
    for data in kept:
        return serialize.dashboard_from_data(data)
    computed = compute(filters, day)
    MetricsSnapshot.objects.get_or_create(
        run=run, key=key, defaults={"data": serialize.dashboard_to_data(computed)}
    )
    return computed


def snapshot_key(filters: Filters, today: date) -> str:
    """The filters and the day the backlog is aged on, as a short stable key."""
    data = {f.name: str(getattr(filters, f.name)) for f in fields(filters)} | {"on": str(today)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:64]


def filters_query(filters: Filters) -> dict[str, str]:
    """The filters as a query (the export links and the API carry the same), empties left out."""
    return {k: str(v) for k, v in asdict(filters).items() if v}
