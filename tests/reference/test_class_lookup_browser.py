"""The class lookup beside the worksheet in a real browser (Debian's chromium driven by
Playwright): an auditor describes the work, the suggestions come in without a page load, with
the words matched and the cautions, and the lookup passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_browser import PASSWORD, log_in
from tests.browser import assert_accessible
from trueup.accounts.models import User
from trueup.audits.models import Audit


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_classes")
def test_an_auditor_finds_the_class_for_drywall_and_framing_from_the_worksheet(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    auditor.set_password(PASSWORD)
    auditor.save()
    base = str(live_server)
    page = browser.new_page()
    log_in(page, base, auditor)
    page.goto(f"{base}/audits/{audit.pk}/")
    lookup = page.locator("#class-lookup")
    lookup.get_by_label("What is the work done?").fill("we install drywall and do some framing")
    expect(lookup.get_by_label("State")).to_have_value("IN")
    lookup.get_by_role("button", name="Find classes").click()

    first = page.locator("#class-suggestions li").first
    expect(first).to_contain_text("5445: Drywall installation")
    expect(first).to_contain_text("Matched: drywall")
    expect(page.locator("#class-suggestion-5645")).to_contain_text("Matched: framing")
    expect(first).to_contain_text("a business takes one governing class")
    # htmx swapped the suggestions in: the audit page is still the one shown.
    expect(page.locator("h1")).to_contain_text(f"Audit #{audit.pk}")
    assert_accessible(page, "the class lookup with suggestions", ["#class-lookup"])

    lookup.get_by_label("What is the work done?").fill("office staff answering phones")
    lookup.get_by_role("button", name="Find classes").click()
    expect(page.locator("#class-suggestion-8810")).to_contain_text(
        "8810 is a standard exception: only for employees who do no other work"
    )
    page.close()
