"""The notification flow in a real browser (Debian's chromium driven by Playwright): the
policyholder writes to the auditor in the portal, the assigned auditor's header then counts one
unread notification, and opening it leads to the audit and clears the count. The notification
pages pass axe on a desktop screen and on a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_staff_accessibility import check, signed_in
from tests.notifications.conftest import notice
from tests.portal.conftest import GOOD_PASSWORD
from tests.portal.test_browser import log_in
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.notifications.models import Kind, Notification


@pytest.mark.django_db(transaction=True)
def test_a_policyholders_message_shows_in_the_auditors_header_until_it_is_opened(
    browser: Browser, live_server: object, requested: Audit, policyholder: User, auditor: User
) -> None:
    base = str(live_server)
    policyholder.set_password(GOOD_PASSWORD)
    policyholder.save()

    # The policyholder writes to the auditor from the audit's page in the portal.
    insured = browser.new_context()
    page = insured.new_page()
    log_in(page, base, policyholder, GOOD_PASSWORD)
    expect(page).to_have_url(f"{base}/portal/")
    page.goto(f"{base}/portal/audits/{requested.pk}/")
    page.fill("#body", "The payroll register is attached to the checklist.")
    page.click("button:has-text('Send')")
    expect(page.locator(".thread")).to_contain_text("The payroll register is attached")
    expect(page.locator("#notifications-link")).to_have_count(0)
    insured.close()

    # The auditor's header counts it on every page.
    staff = signed_in(browser, base, auditor)
    page = staff.new_page()
    page.goto(f"{base}/audits/")
    expect(page.locator("#notifications-count")).to_have_text("1")

    # The list has it, with a link; opening it leads to the audit's portal section.
    page.click("#notifications-link")
    expect(page).to_have_url(f"{base}/notifications/")
    link = page.locator("#notifications a", has_text="policyholder wrote on WC-2025-01001")
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(f"{base}/audits/{requested.pk}/#portal")
    expect(page.locator("#notifications-link")).to_be_visible()
    expect(page.locator("#notifications-count")).to_have_count(0)
    staff.close()
    row = Notification.objects.get()
    assert (row.user, row.kind) == (auditor, Kind.MESSAGE)
    assert row.read_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_notification_pages_are_accessible_and_fit_a_phone(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    base = str(live_server)
    notice(auditor, audit, "Hoosier Home Builders LLC uploaded payroll-register-2025-q4.csv")
    notice(auditor, audit, "A read one", read_at="2026-12-01T10:00:00Z")
    context = signed_in(browser, base, auditor)
    page = context.new_page()
    check(page, f"{base}/notifications/", "notifications")
    check(page, f"{base}/notifications/email/", "notifications by e-mail")
    context.close()
