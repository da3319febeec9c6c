"""The pages on the small book of the metrics' tests (tests/reporting/conftest.py), whose answers
were worked out by hand there: the figures, charts and exports a manager gets are those."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from tests.reporting.conftest import TODAY, Book, on
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.reporting import figures

WINDOW = "?start=2026-01-01&end=2026-07-20"


@pytest.fixture
def manager_client(book: Book) -> Iterator[Client]:
    """The manager, on the book's today, after the figures' rebuild."""
    client = Client()
    client.force_login(book.manager)
    client.get("/healthz")  # the URLs (and the API's schema) are loaded before the clock stops
    with on(TODAY):
        figures.refresh()
        yield client


def text(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_shows_the_books_figures_with_their_reasons(
    manager_client: Client,
) -> None:
    html = text(manager_client, f"/dashboard/{WINDOW}")
    cards = dict(re.findall(r'<h3>([^<]+)</h3>\s*<p class="figure-value">([^<]+)</p>', html))
    assert cards["Cycle time, median"] == "70 days"
    assert cards["Cycle time, 90th percentile"] == "130 days"
    assert cards["Completed within 60 days"] == "40%"
    assert cards["Return premium: dollars"] == "-$7,928"
    assert "2 of 5 audits that became final in the window" in html
    assert "Figures as of " in html and "not yet computed" not in html


def test_the_dashboard_draws_the_books_charts(manager_client: Client) -> None:
    html = text(manager_client, f"/dashboard/{WINDOW}")
    assert "<title>Median, Mar 2026: 70 days</title>" in html
    assert "<title>Median, Jun 2026: no data</title>" in html
    assert '<g class="negative"><title>Return premium, Apr 2026: -$7,928' in html
    assert "<title>In-house, Field Audit Co" not in html
    assert "<title>Median, Field Audit Co: 100 days</title>" in html


def test_a_filter_narrows_the_figures_on_the_page(manager_client: Client) -> None:
    html = text(manager_client, f"/dashboard/{WINDOW}&vendor=FAC")
    cards = dict(re.findall(r'<h3>([^<]+)</h3>\s*<p class="figure-value">([^<]+)</p>', html))
    assert cards["Cycle time, median"] == "100 days"


def test_the_vendor_table_exports_the_books_figures(manager_client: Client) -> None:
    data = manager_client.get(f"/reports/vendors.csv{WINDOW}").content.decode("utf-8-sig")
    rows = [line.split(",")[:4] for line in data.splitlines()[1:]]
    assert rows == [["In-house", "4", "57.50", "130"], ["Field Audit Co", "1", "100", "100"]]
    book = zipfile.ZipFile(io.BytesIO(manager_client.get(f"/reports/vendors.xlsx{WINDOW}").content))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<row r="(\d+)"', sheet) == ["1", "2", "3"]
    assert re.search(r'<c r="C2" s="\d+"><v>57.5</v></c>', sheet)  # a number, shown as 57.50


def test_the_definitions_page_gives_every_metric_its_current_value(
    manager_client: Client,
) -> None:
    html = text(manager_client, f"/metrics/{WINDOW}")
    assert "<dt>Cycle time, median</dt>" in html and "<b>70 days</b>" in html
    assert "The department&#x27;s target is 60 days." in html


def test_the_tables_page_lists_the_books_tables_with_their_exports(
    manager_client: Client,
) -> None:
    html = text(manager_client, f"/reports/{WINDOW}")
    for key in ("backlog", "premium_by_month", "vendors", "auditors"):
        assert f'href="/reports/{key}.csv?start=2026-01-01&amp;end=2026-07-20"' in html
        assert f'href="/reports/{key}.xlsx?start=2026-01-01&amp;end=2026-07-20"' in html


def board_of(html: str) -> str:
    """The page's figures and charts (the header and the filters around them change with the
    request: the form's token, the date shown)."""
    return html.split('<h2 id="figures">', 1)[1].split("</main>", 1)[0]


def test_the_drawing_kept_for_a_set_of_figures_is_the_fresh_one_and_new_figures_are_drawn_anew(
    book: Book, manager_client: Client
) -> None:
    first = board_of(text(manager_client, f"/dashboard/{WINDOW}"))
    assert "2 audits are open" in first
    assert board_of(text(manager_client, f"/dashboard/{WINDOW}")) == first
    cache.clear()
    assert board_of(text(manager_client, f"/dashboard/{WINDOW}")) == first
    # A rebuild at the same moment (the clock is stopped) with other figures: drawn anew.
    Audit.objects.filter(pk=book.audits["a8"].pk).update(status=Status.WAIVED)
    figures.refresh()
    after = board_of(text(manager_client, f"/dashboard/{WINDOW}"))
    assert "1 audit is open;" in after and "audits are open" not in after
    cache.clear()
    assert board_of(text(manager_client, f"/dashboard/{WINDOW}")) == after
