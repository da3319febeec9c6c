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


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_classes")
def test_an_auditor_finds_a_class_and_adds_it_by_endorsement_from_the_same_page(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    auditor.set_password(PASSWORD)
    auditor.save()
    base = str(live_server)
    page = browser.new_page()
    log_in(page, base, auditor)
    page.goto(f"{base}/audits/{audit.pk}/")
    page.get_by_role("link", name="Add or remove a class, or change its estimated exposure").click()
    lookup = page.locator("#class-lookup")
    lookup.get_by_label("What is the work done?").fill("we install drywall")
    lookup.get_by_role("button", name="Find classes").click()
    expect(page.locator("#class-suggestions li").first).to_contain_text("5445: Drywall")
    expect(page.locator("h1")).to_contain_text("Change the period's classes")
    assert_accessible(page, "the endorsement form with the class lookup")

    form = page.locator("form[method=post]").last
    form.get_by_label("Class code").fill("5445")
    form.get_by_label("Estimated annual exposure").fill("25,000")
    form.get_by_label("Reason for the change").fill("the insured began hanging drywall")
    form.get_by_role("button", name="Ask for the endorsement").click()
    # The demo rate table has no Indiana rate for drywall: said on the field, the input kept.
    expect(page.get_by_role("alert").first).to_contain_text(
        "Class 5445 has no IN WC rate in the rate table."
    )
    form = page.locator("form[method=post]").last
    expect(form.get_by_label("Reason for the change")).to_have_value(
        "the insured began hanging drywall"
    )
    form.get_by_label("Class code").fill("5403")
    form.get_by_role("button", name="Ask for the endorsement").click()
    expect(page.locator("h1")).to_contain_text(f"Audit #{audit.pk}")
    expect(page.locator("#endorsements")).to_contain_text("Class added")
    page.close()
