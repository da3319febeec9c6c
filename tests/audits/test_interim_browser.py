"""In a real browser: the audit's page with the interim audit form passes axe on a desktop and
at 390 px, and the underwriter asks for an interim audit with it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_staff_accessibility import check_as, signed_in
from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditType
from trueup.reference.models import SchedulePattern


@pytest.mark.django_db(transaction=True)
def test_the_underwriter_asks_for_an_interim_audit_on_an_accessible_page(
    browser: Browser, live_server: object, audit: Audit, underwriter: User
) -> None:
    # A test run in a transaction empties the database when it ends, reference data the
    # migrations wrote included: an earlier one may have, so the interim pattern is put back.
    SchedulePattern.objects.update_or_create(
        audit_type=AuditType.INTERIM,
        defaults={
            "due_after_days": 60,
            "latest_due_after_days": 90,
            "source": "Interim audits: target 60 days after the span audited ends, never past 90",
        },
    )
    base = str(live_server)
    check_as(browser, base, underwriter, [(f"/audits/{audit.pk}/", "the interim audit form")])
    page = signed_in(browser, base, underwriter).new_page()
    page.goto(f"{base}/audits/{audit.pk}/")
    page.get_by_label("Last day covered").fill("2025-03-31")
    page.get_by_label("Why").select_option(label="Bankruptcy filing")
    page.get_by_role("button", name="Ask for an interim audit").click()
    expect(page.locator(".messages")).to_contain_text(
        "asked for, covering 2025-01-01 to 2025-03-31, due 2025-05-30."
    )
    made = Audit.objects.get(type=AuditType.INTERIM)
    assert made.interim_reason == "bankruptcy"
    assert page.url == f"{base}/audits/{made.pk}/"
