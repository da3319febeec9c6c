"""The self-audit on a 390 px phone in a real browser (Debian's chromium): every step, the
glossary and who has access fit the screen with no sideways scrolling and no bar over the
content, and each passes axe-core with no serious or critical problem."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.audits.conftest import make_user
from tests.browser import assert_accessible
from tests.portal.conftest import GOOD_PASSWORD
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.portal.models import PortalAccess

PHONE: ViewportSize = {"width": 390, "height": 844}


def assert_fits(page: Page, name: str) -> None:
    """No sideways scrolling, nothing fixed or sticky over the content, and axe finds nothing
    serious."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 390px screen"
    pinned = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((e) => ['fixed', 'sticky'].includes(getComputedStyle(e).position))
            .map((e) => e.outerHTML.slice(0, 80))"""
    )
    assert pinned == [], f"{name}: pinned over the content: {pinned}"
    assert_accessible(page, name)


def next_step(page: Page, title: str) -> None:
    page.click(".step-actions button[value=next]")
    expect(page.locator("h2.step-title")).to_have_text(title)


@pytest.mark.django_db(transaction=True)
def test_a_policyholder_completes_the_self_audit_step_by_step_on_a_390px_phone(
    browser: Browser, live_server: object, requested: Audit, policyholder: User
) -> None:
    policyholder.set_password(GOOD_PASSWORD)
    policyholder.save()
    bookkeeper = make_user("bookkeeper", Role.INSURED)
    bookkeeper.first_name, bookkeeper.last_name = "Robin", "Ledgerworth-Abernathy"
    bookkeeper.email = "robin.ledgerworth-abernathy@hoosier-bookkeeping.example"
    bookkeeper.save()
    PortalAccess.objects.create(
        user=bookkeeper,
        insured=requested.period.policy.insured,
        kind="delegate",
        granted_by=policyholder,
    )
    base = str(live_server)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", policyholder.username)
    page.fill("#id_password", GOOD_PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{base}/portal/")

    page.goto(f"{base}/portal/audits/{requested.pk}/self-audit/")
    expect(page.locator("#progress")).to_have_text("Step 1 of 6 · next: Payroll by class")
    assert_fits(page, "step 1, the business")
    page.fill("#business-operations", "Residential framing and finish carpentry")
    next_step(page, "Payroll by class")

    # A mistake is refused on its step, the field named and marked.
    page.fill("#payroll-0-gross", "lots")
    page.click(".step-actions button[value=next]")
    expect(page.locator("#problems")).to_contain_text(
        "Payroll by class, row 1 (IN 5645, quarter 1): Gross payroll must be an amount in "
        "dollars, like 12,500.00"
    )
    expect(page.locator("#payroll-0-gross-error")).to_be_visible()
    assert_fits(page, "step 2 with a mistake")
    for i in range(4):
        page.fill(f"#payroll-{i}-gross", "110,000")
    page.locator("details.parts").first.locator("summary").click()
    page.fill("#payroll-0-overtime", "30,000")
    for i in range(4, 8):
        page.fill(f"#payroll-{i}-gross", "15000")
    assert_fits(page, "step 2, payroll")
    next_step(page, "Owners and officers")

    page.click("button:has-text('Add an officer or owner')")
    page.fill("input[name='owners.0.name']", "Dana Hoosier")
    page.select_option("select[name='owners.0.role']", label="LLC member or manager")
    page.select_option("select[name='owners.0.included']", label="Covered by the policy")
    page.select_option("select[name='owners.0.state']", "IN")
    page.fill("input[name='owners.0.class_code']", "8810")
    page.fill("input[name='owners.0.payroll']", "52,000")
    assert_fits(page, "step 3, owners")
    next_step(page, "Subcontractors and temporary labor")

    page.click("button:has-text('Add a contractor or agency')")
    page.fill("input[name='contractors.0.name']", "Ace Drywall")
    page.select_option("select[name='contractors.0.kind']", "subcontractor")
    page.select_option("select[name='contractors.0.state']", "IN")
    page.fill("input[name='contractors.0.class_code']", "5645")
    page.select_option("select[name='contractors.0.contract_type']", "labor_and_materials")
    page.fill("input[name='contractors.0.amount_paid']", "40,000")
    page.fill("input[name='contractors.0.labor_amount']", "25,000")
    page.select_option("select[name='contractors.0.has_certificate']", "no")
    assert_fits(page, "step 4, subcontractors")
    next_step(page, "Anything else, and who is completing this form")

    page.fill("input[name='completed_by.name']", "Dana Hoosier")
    page.fill("input[name='completed_by.phone']", "317-555-0142")
    page.fill("input[name='completed_by.email']", "dana@hoosier.example")
    assert_fits(page, "step 5, contact")
    next_step(page, "Check your answers and submit")

    expect(page.locator("section.preview")).to_contain_text("Your likely result")
    expect(page.locator("section.answers").nth(2)).to_contain_text("Dana Hoosier")
    assert_fits(page, "step 6, the summary")
    # Back keeps every answer.
    page.click(".step-actions button[value=back]")
    expect(page.locator("input[name='completed_by.name']")).to_have_value("Dana Hoosier")
    next_step(page, "Check your answers and submit")
    page.check("#attest")
    page.fill("#signature", "Dana Hoosier")
    page.click("button:has-text('Submit to your auditor')")
    expect(page).to_have_url(f"{base}/portal/audits/{requested.pk}/")
    requested.refresh_from_db()
    assert requested.status == Status.RECORDS_RECEIVED

    page.goto(f"{base}/portal/glossary/")
    expect(page.locator("#certificate-of-insurance")).to_have_text("Certificate of insurance")
    assert_fits(page, "glossary")

    page.goto(f"{base}/portal/access/")
    expect(page.locator("table.people")).to_contain_text("Robin Ledgerworth-Abernathy")
    revoke = page.locator("button:has-text('Revoke')")
    box = revoke.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert_fits(page, "who has access")
    context.close()
