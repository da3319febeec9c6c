"""Every staff page in a real browser (Debian's chromium driven by Playwright), as each persona
who uses it: axe-core finds no serious or critical problem on a desktop screen, and on a 390 px
phone the page itself never scrolls sideways (a wide table scrolls inside its own box)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.billing.conftest import approved, media, released  # noqa: F401  (fixtures)
from tests.browser import assert_accessible
from tests.payroll.test_imports import REGISTER
from tests.payroll.test_resolutions import EXPORTS
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.payroll import services
from trueup.payroll.models import PayrollImport

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# The elements that reach past the right edge, deepest first: what to fix when a page is too wide.
WIDEST = """() => {
    const edge = document.documentElement.clientWidth + 1;
    const clipped = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
    };
    return [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > edge && !clipped(e))
        .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > edge))
        .slice(0, 5)
        .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
            + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


def signed_in(browser: Browser, base: str, user: User) -> BrowserContext:
    """A browser whose session is the user's, as after signing in."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=DESKTOP)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context


def check(page: Page, url: str, name: str) -> None:
    """The page opens, passes axe on a desktop screen and on a phone, and fits the phone."""
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, f"{name}: {answer and answer.status}"
    assert_accessible(page, name)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0, (
        f"{name}: the page scrolls {overflow} px sideways at 390 px: "
        + ", ".join(page.evaluate(WIDEST))
    )
    # The next frame: the page has handled the resize (a table that now scrolls takes focus).
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(null)))")
    assert_accessible(page, f"{name} at 390 px")
    page.set_viewport_size(DESKTOP)


def check_as(browser: Browser, base: str, user: User, pages: list[tuple[str, str]]) -> None:
    context = signed_in(browser, base, user)
    page = context.new_page()
    for path, name in pages:
        check(page, f"{base}{path}", f"{name} ({user.username})")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_worklist_is_accessible_for_every_staff_persona(
    browser: Browser,
    live_server: object,
    audit: Audit,
    auditor: User,
    reviewer: User,
    manager: User,
    underwriter: User,
    billing: User,
    admin_user: User,
    vendor_auditor: User,
) -> None:
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor, rush=True)
    for user in (auditor, reviewer, manager, underwriter, billing, admin_user, vendor_auditor):
        check_as(
            browser,
            str(live_server),
            user,
            [("/audits/", "worklist"), ("/audits/?assignee=me", "my audits")],
        )


@pytest.mark.django_db(transaction=True)
def test_the_audit_page_is_accessible_in_each_status_before_the_result(
    browser: Browser, live_server: object, audit: Audit, auditor: User, manager: User
) -> None:
    base = str(live_server)
    path = f"/audits/{audit.pk}/"
    for status in (Status.SCHEDULED, Status.RECORDS_REQUESTED, Status.IN_PROGRESS):
        Audit.objects.filter(pk=audit.pk).update(status=status, assignee=auditor)
        check_as(browser, base, auditor, [(path, f"audit page, {status.label}")])
    check_as(browser, base, manager, [(path, "audit page, In progress")])


@pytest.mark.django_db(transaction=True)
def test_the_audit_page_is_accessible_in_review_and_after_approval(
    browser: Browser,
    live_server: object,
    approved: Audit,  # noqa: F811
    auditor: User,
    reviewer: User,
    underwriter: User,
) -> None:
    base = str(live_server)
    path = f"/audits/{approved.pk}/"
    check_as(browser, base, auditor, [(path, "audit page, outreach open")])
    check_as(browser, base, underwriter, [(path, "audit page, outreach open")])
    check_as(
        browser,
        base,
        reviewer,
        [
            (path, "audit page, outreach open"),
            (f"/audits/{approved.pk}/letters/results/preview/", "results letter preview"),
        ],
    )
    Audit.objects.filter(pk=approved.pk).update(status=Status.IN_REVIEW)
    check_as(browser, base, reviewer, [(path, "audit page, In review")])


@pytest.mark.django_db(transaction=True)
def test_the_audit_page_is_accessible_once_billing_has_it(
    browser: Browser,
    live_server: object,
    released: Audit,  # noqa: F811
    billing: User,
    manager: User,
) -> None:
    path = f"/audits/{released.pk}/"
    for user in (billing, manager):
        check_as(browser, str(live_server), user, [(path, "audit page, released to billing")])


@pytest.mark.django_db(transaction=True)
def test_the_payroll_import_pages_are_accessible(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    client = Client()
    client.force_login(auditor)
    file = BytesIO(REGISTER)
    file.name = "register.csv"
    client.post(f"/audits/{audit.pk}/payroll/", {"file": file, "profile": "", "basis": "check"})
    item = PayrollImport.objects.get()
    # A journal whose every row waits for its department's class: the questions' form.
    waiting = services.payroll_import_preview(
        audit=audit,
        by=auditor,
        data=(EXPORTS / "gusto_department_journal.csv").read_bytes(),
        filename="journal.csv",
    )
    # A report with its own totals, an exempt row and notes; a register with codes to answer.
    report, codes = (
        services.payroll_import_preview(
            audit=audit, by=auditor, data=(EXPORTS / name).read_bytes(), filename=name
        )
        for name in (
            "quickbooks_desktop_wc_by_code_and_employee.csv",
            "adp_long_earnings_codes.csv",
        )
    )
    unread = services.payroll_import_preview(
        audit=audit,
        by=auditor,
        data=(EXPORTS / "timesheet_export_with_work_site.csv").read_bytes(),
        filename="timesheet.csv",
        keep_unread=True,
    )
    check_as(
        browser,
        str(live_server),
        auditor,
        [
            (f"/audits/{audit.pk}/payroll/", "payroll registers"),
            (f"/audits/{audit.pk}/payroll/{item.pk}/", "payroll import preview"),
            (f"/audits/{audit.pk}/payroll/{waiting.pk}/", "payroll preview with questions"),
            (f"/audits/{audit.pk}/payroll/{report.pk}/", "payroll preview of a report"),
            (f"/audits/{audit.pk}/payroll/{codes.pk}/", "payroll preview with codes to answer"),
            (f"/audits/{audit.pk}/payroll/{unread.pk}/mapping/", "column mapping step"),
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_the_second_factor_page_is_accessible(
    browser: Browser, live_server: object, reviewer: User, settings: pytest.FixtureRequest
) -> None:
    settings.TRUEUP_STAFF_2FA = True  # type: ignore[attr-defined]
    check_as(
        browser, str(live_server), reviewer, [("/account/second-factor/", "second factor setup")]
    )


@pytest.mark.django_db(transaction=True)
def test_the_section_links_move_to_each_section_by_keyboard_and_keep_the_address(
    browser: Browser, live_server: object, audit: Audit, auditor: User
) -> None:
    base = str(live_server)
    context = signed_in(browser, base, auditor)
    page = context.new_page()
    page.goto(f"{base}/audits/{audit.pk}/")
    nav = page.get_by_role("navigation", name="Sections of this audit")
    nav.get_by_role("link", name="Outreach and billing").focus()
    page.keyboard.press("Enter")
    # the jump is the browser's own, done a moment after the key press on a busy machine
    expect(page).to_have_url(f"{base}/audits/{audit.pk}/#outreach-and-billing")
    expect(page.locator("#letters")).to_be_in_viewport()
    # The bar stays in reach after the jump, and a link opened by its address lands there.
    expect(nav).to_be_in_viewport()
    page.goto(f"{base}/audits/{audit.pk}/#history")
    expect(page.locator("#history-title")).to_be_in_viewport()
    context.close()
