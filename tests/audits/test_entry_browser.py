"""Worksheet entry in a real browser (Debian's chromium driven by Playwright): an auditor adds a
payroll line by choosing its class from the lookup, with the amount typed as people write it,
and sees the premium re-rated; the audit page passes axe-core."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from tests.audits.test_browser import PASSWORD, log_in
from tests.browser import assert_accessible
from trueup.accounts.models import User
from trueup.audits.models import Audit


@pytest.mark.django_db(transaction=True)
def test_an_auditor_adds_a_payroll_line_choosing_its_class_from_the_lookup(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    auditor.set_password(PASSWORD)
    auditor.save()
    base = str(live_server)
    page = browser.new_page()
    log_in(page, base, auditor)
    page.goto(f"{base}/audits/{audit.pk}/")
    expect(page.locator("#audited-premium")).to_have_text("$24,230")
    assert_accessible(page, "the audit page")

    page.click("details.add summary:has-text('Add payroll line')")
    form = page.locator("details.add[open] form")
    state = form.locator("select[name='payroll-new-state']")
    expect(state).to_have_value("IN")
    expect(state.locator("option:checked")).to_have_text("IN (Indiana)")
    form.locator("input[name='payroll-new-employee']").fill("Summer help")
    form.locator("select[name='payroll-new-class_code']").select_option(
        label="8810: Office and clerical staff"
    )
    expect(form.locator("select[name='payroll-new-labor_source'] option:checked")).to_have_text(
        "Employee"
    )
    form.locator("input[name='payroll-new-gross']").fill("20,000.00")
    assert_accessible(page, "the audit page with the add form open", ["#worksheet"])
    form.locator("button:has-text('Add and re-rate')").click()

    # $20,000 of clerical payroll at 0.138 per $100, through the mod and the premium discount.
    expect(page.locator("#audited-premium")).to_have_text("$24,257")
    added = audit.payroll.get(employee="Summer help")
    assert (added.class_code, added.gross, added.labor_source) == (
        "8810",
        Decimal("20000.00"),
        "employee",
    )
    expect(page.locator(f"#payroll-{added.pk}")).to_contain_text("8810: Office and clerical staff")
    assert_accessible(page, "the audit page after adding a line")
    page.close()
