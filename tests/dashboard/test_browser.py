"""The dashboard, the definitions and the tables in a real browser: axe finds no serious problem
on a desktop screen or on a 390 px phone, which never scrolls the page sideways."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.audits.test_staff_accessibility import check_as, signed_in
from tests.reporting.conftest import Book
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.reporting import figures


def test_the_department_pages_are_accessible_on_a_desk_and_a_phone(
    browser: Browser, live_server: object, book: Book
) -> None:
    """On the small book of the metrics' tests, every chart drawn."""
    figures.refresh()
    window = "?start=2026-01-01&end=2026-07-20"
    pages = [
        (f"/dashboard/{window}", "dashboard"),
        (f"/metrics/{window}", "definitions"),
        (f"/reports/{window}", "tables and exports"),
    ]
    check_as(browser, str(live_server), book.manager, pages)


def test_the_dashboard_of_an_empty_book_is_accessible(
    browser: Browser, live_server: object, audit: Audit, reviewer: User
) -> None:
    check_as(browser, str(live_server), reviewer, [("/dashboard/", "dashboard, nothing final")])


def test_a_charts_data_opens_as_a_table_beside_it(
    browser: Browser, live_server: object, audit: Audit, reviewer: User
) -> None:
    context = signed_in(browser, str(live_server), reviewer)
    page = context.new_page()
    page.goto(f"{live_server}/dashboard/")
    chart = page.locator("svg.chart").first
    name = chart.get_attribute("aria-labelledby") or ""
    title, desc = name.split()
    assert page.locator(f"#{title}").count() == 1 and page.locator(f"#{desc}").count() == 1
    details = page.locator("details.chart-data").first
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    assert details.locator("table").is_visible()
    context.close()
