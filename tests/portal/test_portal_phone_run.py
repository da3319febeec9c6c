"""The whole portal on a 390 px phone, as the policyholder and as the agent: every page reachable
from the portal's home is walked in a real browser, and none scrolls sideways, none has a serious
or critical accessibility problem, none shows the team's internal notes, and none promises a
completion date that has already passed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser import assert_accessible
from tests.portal.conftest import GOOD_PASSWORD
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.clock import today
from trueup.portal.selfaudit import STEPS

PHONE: ViewportSize = {"width": 390, "height": 844}
INTERNAL = ("WORKFLOW.md", "RULES.md", "DATA-FORMATS.md", "ANCHORS.md", "METRICS.md", "seed 0")
PROMISE = re.compile(r"We aim to complete the audit by (\w+ \d{1,2}, \d{4})")
# Files and PDFs are downloads, not pages; signing out would end the walk.
NOT_PAGES = re.compile(r"(\.pdf$|/files/\d+/|/logout/)")


def log_in(page: Page, base: str, user: User) -> None:
    user.set_password(GOOD_PASSWORD)
    user.save()
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", GOOD_PASSWORD)
    page.click("button:has-text('Log in')")


def portal_links(page: Page, base: str) -> set[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = set()
    for href in hrefs:
        parts = urlsplit(href)
        url = f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith("/portal/") and not NOT_PAGES.search(parts.path):
            found.add(url)
    return found


def check_page(page: Page, name: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 390px screen"
    text = page.inner_text("body")
    for note in INTERNAL:
        assert note not in text, f"{name}: shows {note!r}"
    for promised in PROMISE.findall(text):
        promised_day = datetime.strptime(promised, "%B %d, %Y").replace(tzinfo=UTC).date()
        assert promised_day >= today(), f"{name}: promises {promised}, already past"
    assert_accessible(page, name)


def walk(page: Page, base: str, start: list[str], limit: int = 30) -> list[str]:
    """Every portal page reachable by links from ``start``, breadth first."""
    seen: list[str] = []
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        answer = page.goto(url)
        assert answer is not None and answer.status < 400, f"{url}: {answer and answer.status}"
        seen.append(url)
        check_page(page, url.removeprefix(base))
        queue += sorted(portal_links(page, base) - set(seen))
    return seen


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_fits_a_phone_for_the_policyholder_and_the_agent(
    browser: Browser, live_server: object, requested: Audit, policyholder: User, agent_user: User
) -> None:
    base = str(live_server)
    # The self-audit's steps are reached by its Next buttons (form posts), so each is named here.
    steps = [f"{base}/portal/audits/{requested.pk}/self-audit/?step={s.key}" for s in STEPS]
    walked = {}
    for user in (policyholder, agent_user):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        log_in(page, base, user)
        start = [f"{base}/portal/"] + (steps if user == policyholder else [])
        walked[user.username] = walk(page, base, start)
        context.close()

    # the walk reached the audit's own page, its self-audit steps and the glossary
    insured_pages = " ".join(walked[policyholder.username])
    assert f"/portal/audits/{requested.pk}/" in insured_pages
    assert all(step in walked[policyholder.username] for step in steps)
    assert "/portal/glossary/" in insured_pages
    assert f"/portal/audits/{requested.pk}/" in " ".join(walked[agent_user.username])
