"""What the dashboard, the definitions and the tables pages show for given figures, and how the
filters chosen on the page reach the figures and their exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from trueup.accounts.models import User, VendorFirm
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.reporting.metrics import default_filters
from trueup.reporting.shapes import Chart, Dashboard, Figure, Filters, Series, Table
from trueup.web.staff.reporting import views
from trueup.web.staff.reporting.forms import DashboardFilters, fields_html

BACKLOG = Table(
    "backlog",
    "Backlog by age",
    "Open audits by days past the period's end.",
    ("Status", "0–30 days", "31–60 days"),
    (("Scheduled", 4, 2), ("=cmd", 1, None)),
)
PREMIUM = Table(
    "premium_by_month",
    "Additional and return premium by month",
    "Premium billed or refunded, by the month of completion.",
    ("Month", "Additional", "Return"),
    (("2026-01", Decimal("12400.00"), Decimal("-3150.50")),),
)
CHART = Chart(
    "premium_by_month",
    "Additional and return premium by month",
    "bar",
    "Month",
    "Premium",
    "usd",
    (
        Series("Additional", (("2026-01", Decimal("12400.00")),)),
        Series("Return", (("2026-01", Decimal("-3150.50")),)),
    ),
    "January brought $12,400 of additional premium and $3,150.50 returned.",
    PREMIUM,
)
CYCLE = Figure(
    "cycle_time_median",
    "Cycle time, median",
    "Days from the period's end to completion; the middle value.",
    45,
    "days",
    "the middle of 3 audits completed in the window",
)


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    definition: str


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[Filters]:
    """The figures the pages get, whatever the book: the filters they asked for are kept."""
    seen: list[Filters] = []

    def figures(filters: Filters) -> Dashboard:
        seen.append(filters)
        at = datetime(2026, 12, 4, 6, 0, tzinfo=UTC) if filters.state != "IN" else None
        return Dashboard(filters.start, filters.end, {}, (CYCLE,), (BACKLOG,), (CHART,), at)

    monkeypatch.setattr(views, "dashboard", figures)
    monkeypatch.setattr(
        views,
        "catalogue",
        lambda: (
            Definition(CYCLE.key, CYCLE.label, CYCLE.definition),
            Definition("backlog", "Backlog by age", BACKLOG.definition),
            Definition("reversal_rate", "Reversal rate", "Results reversed of those final."),
        ),
    )
    return seen


def page(user: User, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_shows_each_figure_with_its_definition_and_its_reason(
    asked: list[Filters], manager: User
) -> None:
    html = page(manager, "/dashboard/")
    assert "<h3>Cycle time, median</h3>" in html
    assert '<p class="figure-value">45 days</p>' in html
    assert "the middle of 3 audits completed in the window" in html
    assert "Days from the period&#x27;s end to completion; the middle value." in html


def test_each_chart_comes_with_its_summary_and_its_data_as_a_table(
    asked: list[Filters], reviewer: User
) -> None:
    html = page(reviewer, "/dashboard/")
    assert 'aria-labelledby="chart-premium_by_month-title chart-premium_by_month-desc"' not in html
    assert 'aria-labelledby="chart-premium-by-month-title chart-premium-by-month-desc"' in html
    assert (
        "<figcaption>January brought $12,400 of additional premium and $3,150.50 returned."
        "</figcaption>"
    ) in html
    assert "<summary>The data as a table" in html
    assert (
        '<th scope="row">2026-01</th><td class="num">12,400</td><td class="num">-3,150.50</td>'
        in html
    )
    assert 'href="/reports/premium_by_month.csv"' in html


def test_the_freshness_of_the_figures_is_shown(
    asked: list[Filters], audit: Audit, manager: User
) -> None:
    assert "Figures as of 4 December 2026, 00:00 CST" in page(manager, "/dashboard/")
    assert "Figures not yet computed" in page(manager, "/dashboard/?state=IN")


def test_the_default_window_is_the_last_twelve_months_of_everything(
    asked: list[Filters], manager: User
) -> None:
    page(manager, "/dashboard/")
    assert asked == [default_filters(clock.today())]


def test_the_filters_chosen_reach_the_figures(
    asked: list[Filters], audit: Audit, manager: User, vendor_auditor: User
) -> None:
    page(
        manager,
        "/dashboard/?start=2026-01-01&end=2026-06-30&state=IN&line=WC&type=final"
        "&method=mail&assignee=vendor&vendor=FAC",
    )
    assert asked == [
        Filters(
            start=date(2026, 1, 1),
            end=date(2026, 6, 30),
            state="IN",
            line="WC",
            type="final",
            method="mail",
            assignee="vendor",
            vendor="FAC",
        )
    ]
    page(manager, "/dashboard/?vendor=in_house")
    assert asked[-1].vendor == "in_house"


def test_a_period_that_ends_before_it_starts_is_refused_with_the_reason(
    asked: list[Filters], manager: User
) -> None:
    html = page(manager, "/dashboard/?start=2026-06-30&end=2026-01-01")
    assert "Period to: must be on or after the start of the period" in html
    assert asked == [default_filters(clock.today())]


def test_the_definitions_page_lists_every_metric_with_its_value(
    asked: list[Filters], manager: User
) -> None:
    html = page(manager, "/metrics/")
    assert "<dt>Cycle time, median</dt>" in html and "<b>45 days</b>" in html
    assert "<dt>Backlog by age</dt>" in html and "Shown as a table" in html
    assert "<dt>Reversal rate</dt>" in html and "Results reversed of those final." in html


def test_the_tables_page_lists_every_table_with_its_exports_and_their_filters(
    asked: list[Filters], manager: User
) -> None:
    html = page(manager, "/reports/?state=IN")
    for key in ("backlog", "premium_by_month"):
        assert f'href="/reports/{key}.csv?state=IN"' in html
        assert f'href="/reports/{key}.xlsx?state=IN"' in html
    assert '<th scope="row">&#x27;=cmd</th>' not in html  # the page shows text as it is
    assert '<th scope="row">=cmd</th><td class="num">1</td><td class="num">no data</td>' in html


def test_a_table_exports_exactly_with_formulas_made_plain_text(
    asked: list[Filters], manager: User
) -> None:
    client = Client()
    client.force_login(manager)
    response = client.get("/reports/backlog.csv?start=2026-01-01&end=2026-06-30")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="backlog-2026-01-01-2026-06-30.csv"'
    )
    assert response.content == (
        "\ufeffStatus,0–30 days,31–60 days\r\nScheduled,4,2\r\n'=cmd,1,\r\n".encode()
    )
    assert asked[-1].start == date(2026, 1, 1)
    workbook = client.get("/reports/premium_by_month.xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert workbook.content[:2] == b"PK"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "state=IN&line=WC",
        "start=2026-01-01&end=2026-06-30&assignee=auditor",
        "start=2026-06-30&end=2026-01-01",
        "start=not-a-date&vendor=%3Cscript%3E",
        "page=2",
    ],
)
def test_the_filter_fields_kept_drawn_are_those_a_fresh_form_draws(
    query: str, auditor: User, vendor_auditor: User
) -> None:
    today = date(2026, 12, 5)
    for language in ("en", "es"):
        with translation.override(language):
            fresh = render_to_string(
                "reporting/_filter_fields.html",
                {"form": DashboardFilters(QueryDict(query) or None, today=today)},
            )
            assert fields_html(DashboardFilters(QueryDict(query) or None, today=today)) == fresh
            # The second time, from what was kept.
            assert fields_html(DashboardFilters(QueryDict(query) or None, today=today)) == fresh
    assert re.search(r'<option value="auditor"( selected)?>auditor</option>', fresh)  # people
    assert f'<option value="{vendor_auditor.vendor.code}">' in fresh  # and the firms
    if "not-a-date" in query:
        assert 'aria-invalid="true"' in fresh  # a mistake is marked on its field


def test_a_firm_added_since_the_filters_were_drawn_is_offered(db: None) -> None:
    today = date(2026, 12, 5)
    before = fields_html(DashboardFilters(None, today=today))
    VendorFirm.objects.create(code="NEWF", name="Newfield Audit Services")
    after = fields_html(DashboardFilters(None, today=today))
    assert "Newfield Audit Services" not in before
    assert '<option value="NEWF">Newfield Audit Services</option>' in after
