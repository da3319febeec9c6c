"""The portal in a real browser (Debian's chromium driven by Playwright): an insured redeems the
invitation, completes the self-audit, previews the result, submits and uploads records, and the
auditor sees the facts; the pages work on a phone; an agent asks for the worksheet. Every page is
checked with axe-core for serious and critical accessibility problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import assert_accessible
from tests.portal.conftest import GOOD_PASSWORD
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.portal.models import SelfAudit
from trueup.portal.services import IssuedInvitation

PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a temporary folder, never the project's media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def assert_fits_a_phone(page: Page, name: str) -> None:
    """No sideways scrolling, and the portal's buttons are whole on screen and big enough."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 375px screen"
    buttons = page.locator(".portal button:not(.visually-hidden), .portal a.button")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        box = button.bounding_box()
        assert box is not None, f"{name}: {button.inner_text()!r} is not shown"
        assert box["height"] >= 44, f"{name}: {button.inner_text()!r} is {box['height']}px tall"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"{name}: {button.inner_text()!r} does not fit the screen ({box})"
        )


def log_in(page: Page, base: str, user: User, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")


def fill_section_ii(page: Page) -> None:
    """The prefilled rows: IN 5645 by quarter (rows 0-3), then IN 8810 (rows 4-7), each row's
    parts of the gross opened first."""
    for part in page.locator("details.parts").all():
        if part.get_attribute("open") is None:
            part.locator("summary").click()
    for i in range(4):
        page.fill(f"input[name='payroll.{i}.gross']", "110,000")
        page.fill(f"input[name='payroll.{i}.overtime']", "7,500")
        page.fill(f"input[name='payroll.{i}.section_125']", "2,000")
    for i in range(4, 8):
        page.fill(f"input[name='payroll.{i}.gross']", "15000")
        page.fill(f"input[name='payroll.{i}.deferred_401k']", "600")


@pytest.mark.django_db(transaction=True)
def test_an_insured_redeems_the_invitation_completes_the_self_audit_uploads_previews_and_submits_and_the_auditor_sees_the_facts(  # noqa: E501
    browser: Browser, live_server: object, invited: IssuedInvitation, auditor: User, media: Path
) -> None:
    audit = invited.invitation.audit
    base = str(live_server)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()

    # The link from the e-mail and the PIN from the letter set up the insured's access.
    page.goto(f"{base}/portal/invitations/{invited.token}/")
    expect(page.locator("h1")).to_have_text("Set up your access")
    assert_accessible(page, "invitation")
    page.fill("#pin", invited.pin)
    page.fill("#username", "dana")
    page.fill("#password", GOOD_PASSWORD)
    page.fill("#password_again", GOOD_PASSWORD)
    page.click("button:has-text('Continue')")
    expect(page).to_have_url(f"{base}/portal/")
    expect(page.locator(".messages")).to_contain_text("Welcome. You now have access to")
    assert_accessible(page, "home")

    page.click(f"a[href='/portal/audits/{audit.pk}/']")
    expect(page.locator(".stage-text")).to_contain_text("Please complete the self-audit")
    assert_accessible(page, "audit page")
    page.click("a:has-text('Start the self-audit')")
    expect(page.locator("h1")).to_contain_text("Self-audit:")

    # One step at a time, each a plain form post: the business, then payroll by class and
    # quarter, the officer (the button posts the step and adds a row), the subcontractor.
    page.fill("textarea[name='business.operations']", "Residential framing and finish carpentry")
    page.click(".step-actions button[value=next]")
    expect(page.locator("h2.step-title")).to_have_text("Payroll by class")
    fill_section_ii(page)
    page.click(".step-actions button[value=next]")
    expect(page.locator("h2.step-title")).to_have_text("Owners and officers")
    page.click("button:has-text('Add an officer or owner')")
    page.fill("input[name='owners.0.name']", "Dana Hoosier")
    page.fill("input[name='owners.0.title']", "Managing member")
    page.select_option("select[name='owners.0.role']", label="LLC member or manager")
    page.select_option("select[name='owners.0.included']", "included")
    page.select_option("select[name='owners.0.state']", "IN")
    page.fill("input[name='owners.0.class_code']", "8810")
    page.fill("input[name='owners.0.payroll']", "52,000")
    page.fill("input[name='owners.0.ownership_percent']", "100")
    page.click(".step-actions button[value=next]")
    expect(page.locator("h2.step-title")).to_have_text("Subcontractors and temporary labor")
    page.click("button:has-text('Add a contractor or agency')")
    page.fill("input[name='contractors.0.name']", "Ace Drywall")
    page.select_option("select[name='contractors.0.kind']", "subcontractor")
    page.select_option("select[name='contractors.0.state']", "IN")
    page.fill("input[name='contractors.0.class_code']", "5645")
    page.select_option("select[name='contractors.0.contract_type']", "labor_and_materials")
    page.fill("input[name='contractors.0.amount_paid']", "40,000")
    page.fill("input[name='contractors.0.labor_amount']", "25,000")
    page.select_option("select[name='contractors.0.has_certificate']", "no")
    page.click(".step-actions button:has-text('Save draft')")
    expect(page.locator(".messages")).to_contain_text("Your draft is saved.")

    # What was typed is all still there after a reload, on each step.
    url = f"{base}/portal/audits/{audit.pk}/self-audit/"
    page.goto(f"{url}?step=business")
    expect(page.locator("textarea[name='business.operations']")).to_have_value(
        "Residential framing and finish carpentry"
    )
    page.goto(f"{url}?step=owners")
    expect(page.locator("input[name='owners.0.name']")).to_have_value("Dana Hoosier")
    expect(page.locator("select[name='owners.0.role']")).to_have_value("llc_member")
    expect(page.locator("input[name='owners.0.payroll']")).to_have_value("52,000")
    page.goto(f"{url}?step=payroll")
    expect(page.locator("input[name='payroll.0.gross']")).to_have_value("110,000")
    expect(page.locator("input[name='payroll.3.section_125']")).to_have_value("2,000")
    expect(page.locator("input[name='payroll.7.deferred_401k']")).to_have_value("600")
    page.goto(f"{url}?step=contractors")
    expect(page.locator("input[name='contractors.0.name']")).to_have_value("Ace Drywall")
    expect(page.locator("select[name='contractors.0.has_certificate']")).to_have_value("no")
    assert SelfAudit.objects.get(audit=audit).status == "draft"

    # Who completed the form, then the summary with the engine's likely result and why.
    page.click(".step-actions button[value=next]")
    page.fill("input[name='completed_by.name']", "Dana Hoosier")
    page.fill("input[name='completed_by.title']", "Managing member")
    page.fill("input[name='completed_by.phone']", "317-555-0142")
    page.fill("input[name='completed_by.email']", "dana@hoosier.example")
    page.click(".step-actions button[value=next]")
    preview = page.locator("section.preview")
    expect(preview).to_contain_text(
        "your premium would be about $5,622 more than estimated ($25,277 against $19,655 "
        "estimated), because:"
    )
    reasons = preview.locator("li")
    expect(
        reasons.filter(has_text="Ace Drywall (no certificate of insurance)").first
    ).to_be_visible()
    assert_accessible(page, "self-audit's summary with the preview")

    # Submitting without the attestation is refused, each mistake named.
    page.click("button:has-text('Submit to your auditor')")
    expect(page.locator("#problems")).to_contain_text("tick the box to confirm")
    expect(page.locator("#attest-error")).to_be_visible()
    assert_accessible(page, "self-audit with mistakes")

    page.check("#attest")
    page.fill("#signature", "Dana Hoosier")
    page.click("button:has-text('Submit to your auditor')")
    expect(page).to_have_url(f"{base}/portal/audits/{audit.pk}/")
    expect(page.locator(".messages")).to_contain_text(
        "Thank you: your self-audit was submitted and your auditor has been told."
    )
    audit.refresh_from_db()
    assert audit.status == Status.RECORDS_RECEIVED

    # A payroll register with a social security number in it: a redacted copy is kept.
    item = page.locator("li.card", has=page.locator("h3", has_text="Payroll register"))
    item.locator("input[type=file]").set_input_files(
        {
            "name": "payroll.csv",
            "mimeType": "text/csv",
            "buffer": b"employee,ssn,gross\nAnn Smith,123-45-6789,52000\n",
        }
    )
    item.locator("button:has-text('Upload')").click()
    note = "1 social security number found; a redacted copy is shown instead of the original."
    expect(page.locator(".messages")).to_contain_text(f"payroll.csv uploaded. {note}")
    item = page.locator("li.card", has=page.locator("h3", has_text="Payroll register"))
    expect(item).to_contain_text(note)
    assert_accessible(page, "audit page after the upload")
    context.close()

    # The auditor finds the insured's answers as the audit's facts on the workbench.
    auditor.set_password(GOOD_PASSWORD)
    auditor.save()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, base, auditor, GOOD_PASSWORD)
    expect(page.locator("h1")).to_have_text("Worklist")
    page.goto(f"{base}/audits/{audit.pk}/")
    payroll = page.locator("table.facts[data-kind=payroll] tbody tr")
    expect(payroll.filter(has_text="5645")).to_contain_text("440,000")
    expect(payroll.filter(has_text="8810")).to_contain_text("60,000")
    expect(page.locator("table.facts[data-kind=owners]")).to_contain_text("Dana Hoosier")
    expect(page.locator("table.facts[data-kind=subcontractors]")).to_contain_text("Ace Drywall")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_portal_pages_work_on_a_phone(
    browser: Browser, live_server: object, invited: IssuedInvitation, policyholder: User
) -> None:
    audit = invited.invitation.audit
    policyholder.set_password(GOOD_PASSWORD)
    policyholder.save()
    base = str(live_server)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    page.goto(f"{base}/portal/invitations/{invited.token}/")
    expect(page.locator("button:has-text('Continue')")).to_be_visible()
    assert_fits_a_phone(page, "invitation")
    assert_accessible(page, "invitation on a phone")

    page.goto(f"{base}/login/")
    assert_fits_a_phone(page, "login")
    assert_accessible(page, "login on a phone")
    log_in(page, base, policyholder, GOOD_PASSWORD)
    expect(page).to_have_url(f"{base}/portal/")
    expect(page.locator(f"a[href='/portal/audits/{audit.pk}/']")).to_be_visible()
    assert_fits_a_phone(page, "home")
    assert_accessible(page, "home on a phone")

    page.click(f"a[href='/portal/audits/{audit.pk}/']")
    expect(page.locator("a:has-text('Start the self-audit')")).to_be_visible()
    expect(page.locator("button:has-text('Send')")).to_be_visible()
    assert_fits_a_phone(page, "audit page")
    assert_accessible(page, "audit page on a phone")

    page.click("a:has-text('Start the self-audit')")
    expect(page.locator("h1")).to_contain_text("Self-audit:")
    # One step at a time: the rows added on their own steps (no bar pinned over the form).
    page.goto(f"{base}/portal/audits/{audit.pk}/self-audit/?step=owners")
    page.click("button:has-text('Add an officer or owner')")
    page.click(".step-actions button[value=next]")
    page.click("button:has-text('Add a contractor or agency')")
    expect(page.locator("input[name='contractors.0.name']")).to_be_visible()
    assert_fits_a_phone(page, "self-audit")
    assert_accessible(page, "self-audit on a phone")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_agent_sees_the_agencys_audit_and_asks_for_the_worksheet(
    browser: Browser, live_server: object, audit: Audit, agent_user: User
) -> None:
    agent_user.set_password(GOOD_PASSWORD)
    agent_user.save()
    base = str(live_server)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()

    log_in(page, base, agent_user, GOOD_PASSWORD)
    expect(page).to_have_url(f"{base}/portal/")
    expect(page.locator("h1")).to_have_text("Your agency's audits")
    assert_accessible(page, "agent's home")

    page.click(f"a[href='/portal/audits/{audit.pk}/']")
    expect(page.locator("#results")).to_have_text("Results")
    page.click("button:has-text('Request the audit worksheet')")
    expect(page.locator(".messages")).to_contain_text(
        "Your auditor has been told. The worksheet will be here when the audit is completed."
    )
    assert_accessible(page, "agent's audit page")
    assert audit.messages.filter(body__contains="asked for the audit worksheet").exists()
    context.close()
