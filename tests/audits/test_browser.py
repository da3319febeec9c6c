"""The workbench in a real browser (Debian's chromium driven by Playwright): an auditor edits a
payroll line, sees the re-rated premium and submits; a reviewer approves. Two people save one
line from forms opened together: the second sees the first one's values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status

PASSWORD = "a-long-test-password-7"


def log_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Worklist")


@pytest.mark.django_db(transaction=True)
def test_an_auditor_edits_payroll_sees_the_new_premium_and_submits_then_a_reviewer_approves(
    browser: Browser, live_server: object, audit: Audit, auditor: User, reviewer: User
) -> None:
    for user in (auditor, reviewer):
        user.set_password(PASSWORD)
        user.save()
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    line = audit.payroll.get(employee="Framing crew")
    base = str(live_server)
    page = browser.new_page()

    log_in(page, base, auditor)
    page.click(f"a[href='/audits/{audit.pk}/']")
    expect(page.locator("#audited-premium")).to_have_text("$24,230")
    expect(page.locator("#adjustment")).to_have_text("$4,575")

    # Edit the framing crew's gross pay: the worksheet comes back re-rated, without a reload.
    page.click(f"#payroll-{line.pk} summary")
    page.fill(f"input[name='payroll-{line.pk}-gross']", "400000")
    page.click(f"#payroll-{line.pk} button:has-text('Save and re-rate')")
    expect(page.locator("#audited-premium")).to_have_text("$22,301")
    expect(page.locator("#adjustment")).to_have_text("$2,646")
    page.click("#adjustment + details summary")
    expect(page.locator("#result")).to_contain_text(
        "audited premium $22,301 − estimated premium $19,655 = $2,646: additional premium"
    )

    # $2,646 is above the auditor's 10% of the estimate: submitting sends it to review.
    page.click("button[value='submit']")
    expect(page.locator("#status")).to_have_text("In review")
    page.click("button:has-text('Log out')")

    log_in(page, base, reviewer)
    page.goto(f"{base}/audits/{audit.pk}/")
    expect(page.locator("#audited-premium")).to_have_text("$22,301")
    page.click("button[value='approve']")
    expect(page.locator("#status")).to_have_text("Completed")
    expect(page.locator("#history")).to_contain_text("reviewer: In review → Completed")

    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED
    assert str(audit.latest_result.audited_premium) == "22301.00"
    page.close()


@pytest.mark.django_db(transaction=True)
def test_two_people_edit_one_line_and_the_second_sees_the_first_ones_values(
    browser: Browser, live_server: object, audit: Audit, auditor: User, manager: User
) -> None:
    for user in (auditor, manager):
        user.set_password(PASSWORD)
        user.save()
    line = audit.payroll.get(employee="Framing crew")
    base = str(live_server)
    pages = []
    for user in (auditor, manager):
        page = browser.new_context().new_page()
        log_in(page, base, user)
        page.goto(f"{base}/audits/{audit.pk}/")
        # Both open the line's form before either saves.
        page.click(f"#payroll-{line.pk} summary")
        expect(page.locator(f"input[name='payroll-{line.pk}-gross']")).to_have_value("436500.00")
        pages.append(page)
    first, second = pages

    first.fill(f"input[name='payroll-{line.pk}-gross']", "400000")
    first.click(f"#payroll-{line.pk} button:has-text('Save and re-rate')")
    expect(first.locator("#audited-premium")).to_have_text("$22,301")

    # The second save is refused (409) and the worksheet shows the line as it is now.
    second.fill(f"input[name='payroll-{line.pk}-gross']", "410000")
    second.click(f"#payroll-{line.pk} button:has-text('Save and re-rate')")
    expect(second.locator("#worksheet .error[role=alert]")).to_contain_text(
        "someone else changed this line while you were editing it: gross is now 400,000 "
        "(yours: 410,000); here are the current values"
    )
    expect(second.locator(f"input[name='payroll-{line.pk}-gross']")).to_have_value("400000.00")
    expect(second.locator("#audited-premium")).to_have_text("$22,301")
    line.refresh_from_db()
    assert line.gross == Decimal("400000.00")
    for page in pages:
        page.context.close()
