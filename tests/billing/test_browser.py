"""The outreach window in a real browser (Debian's chromium driven by Playwright): an auditor
explains an approved result on the phone, logs the call, previews and sends the results letter,
then logs the insured's agreement, which releases the result to billing. The pages are checked
with axe-core for serious and critical accessibility problems."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import assert_accessible
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing import services
from trueup.billing.models import Dispute, PaymentPlan
from trueup.flows import disputes
from trueup.letters.models import Letter

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PASSWORD = "a-long-test-password-7"
RECIPIENTS = ["dana@hoosier.example", "pat@mainstreet.example"]


def log_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Worklist")


def log_attempt(page: Page, outcome: str, next_step: str, notes: str) -> None:
    form = page.locator("#outreach form[aria-label='Log an attempt']")
    form.locator("select[name=channel]").select_option(label="Phone")
    form.locator("input[name=contact]").fill("Dana Hoosier")
    form.locator("select[name=outcome]").select_option(label=outcome)
    form.locator("input[name=next_step]").fill(next_step)
    form.locator("input[name=notes]").fill(notes)
    form.locator("button:has-text('Log the attempt')").click()
    expect(page.locator(".messages")).to_contain_text("The attempt is logged.")


@pytest.mark.django_db(transaction=True)
def test_staff_record_an_outreach_call_and_send_the_results_letter(
    browser: Browser, live_server: object, approved: Audit, auditor: User
) -> None:
    auditor.set_password(PASSWORD)
    auditor.save()
    base = str(live_server)
    audit_url = f"{base}/audits/{approved.pk}/"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, base, auditor)

    # The approved audit is in its outreach window, with a call script from the engine.
    page.goto(audit_url)
    outreach = page.locator("#outreach")
    expect(outreach.locator("h2")).to_contain_text("Outreach before billing")
    expect(outreach.locator(".script-lines")).to_contain_text(
        "The audit is complete: the audited premium is $24,230.00 against $19,655.00 "
        "estimated, which is an additional premium of $4,575.00."
    )
    expect(outreach.locator("tbody")).to_have_text("No attempts yet.")
    # The billing sections only: the worksheet above them is another part's (see the report).
    # The folded forms (record a dispute, write a letter) are opened so that they are checked too.
    page.locator("#outreach details, #disputes details, #letters details").evaluate_all(
        "(all) => all.forEach((details) => { details.open = true; })"
    )
    assert_accessible(page, "audit page", ["#outreach", "#disputes", "#plan", "#letters"])

    # The call is logged and is in the attempts table after the page reloads.
    log_attempt(
        page, "Reached: explained", "send the results letter", "went through the 5645 payroll"
    )
    page.reload()
    row = page.locator("#outreach tbody tr")
    expect(row).to_have_count(1)
    for text in (
        "Phone",
        "Dana Hoosier",
        "Reached: explained",
        "send the results letter",
        "went through the 5645 payroll",
        "auditor",
    ):
        expect(row).to_contain_text(text)

    # Write a letter: the results letter's preview shows what will be sent, and to whom.
    letters = page.locator("#letters")
    letters.locator("summary:has-text('Write a letter')").click()
    letters.locator("a:has-text('Results and premium adjustment summary')").click()
    expect(page).to_have_url(f"{audit_url}letters/results/preview/")
    expect(page.locator("h1")).to_have_text("Results and premium adjustment summary")
    expect(page.locator("dd").first).to_contain_text("Premium audit results: policy")
    expect(page.locator("dd").nth(1)).to_have_text(", ".join(RECIPIENTS))
    frame = page.locator("iframe[title='The letter']")
    expect(frame).to_be_visible()
    expect(page.frame_locator("iframe[title='The letter']").locator("body")).to_contain_text(
        "$4,575"
    )
    assert_accessible(page, "letter preview")
    assert not Letter.objects.exists()  # the preview sent nothing

    # Sending it: back on the audit page, told whom it went to, and listed under Letters.
    mail.outbox.clear()
    page.click("button:has-text('Send this letter')")
    expect(page).to_have_url(f"{audit_url}#letters")
    expect(page.locator(".messages")).to_contain_text(
        "Results and premium adjustment summary is on its way to "
        "dana@hoosier.example, pat@mainstreet.example."
    )
    sent = page.locator("#letters > ul > li")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Results and premium adjustment summary")
    expect(sent).to_contain_text(", ".join(RECIPIENTS))
    letter = Letter.objects.get()
    assert letter.kind == "results"
    assert letter.recipients == RECIPIENTS
    expect(sent.locator("a")).to_have_attribute(
        "href", f"/audits/{approved.pk}/letters/{letter.pk}.pdf"
    )
    # The live server runs in a thread of this process, so its locmem outbox is this one.
    [message] = mail.outbox
    assert message.to == RECIPIENTS
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename.endswith(".pdf")
    assert content[:5] == b"%PDF-"
    assert_accessible(page, "audit page after the letter", ["#outreach", "#letters"])

    # The insured agrees on a second call: the result is released to billing.
    log_attempt(page, "Agreed", "", "agrees with the result")
    expect(outreach.locator("h2")).to_contain_text("Released")
    expect(outreach).to_contain_text("Released to billing on")
    expect(outreach.locator("tbody tr")).to_have_count(2)
    expect(outreach.locator("form[aria-label='Log an attempt']")).to_have_count(0)
    # The workbench writes whole dollars without cents ($4,575.00 is shown as $4,575).
    expect(page.locator("#billing thead th").nth(7)).to_have_text("Now")
    instruction = page.locator("#billing tbody tr")
    expect(instruction).to_have_count(1)
    expect(instruction.locator("td").nth(3)).to_have_text("Invoice additional premium")
    expect(instruction.locator("td").nth(4)).to_have_text("$4,575")
    expect(instruction.locator("td").nth(7)).to_have_text("$4,575")
    assert_accessible(page, "audit page after release", ["#outreach", "#billing", "#letters"])
    context.close()


PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_on_a_phone_upholds_a_dispute_and_approves_a_plan_above_the_auditors_authority(
    browser: Browser, live_server: object, approved: Audit, auditor: User, reviewer: User
) -> None:
    disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645", "disputed": "1,000.00"}],
        statement="We think 5645 is overstated by about $1,000 of premium.",
    )
    services.payment_plan_agree(audit=approved, by=auditor, instalments=4)
    reviewer.set_password(PASSWORD)
    reviewer.save()
    base = str(live_server)
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, base, reviewer)
    page.goto(f"{base}/audits/{approved.pk}/")
    assert_accessible(page, "audit page with a dispute and a plan", ["#disputes", "#plan"])
    expect(page.locator("#plan")).to_contain_text("Waiting for a reviewer")
    page.locator("#plan button:has-text('Approve the plan')").click()
    expect(page.locator(".messages")).to_contain_text("The payment plan is approved")
    form = page.locator("#disputes form.resolve")
    form.locator("textarea[name=resolution]").fill("The payroll records support the audit.")
    form.locator("button:has-text('Uphold the audit')").click()
    expect(page.locator(".messages")).to_contain_text("The audit is upheld")
    assert Dispute.objects.get().status == "upheld"
    assert PaymentPlan.objects.get().status == "agreed"
