"""Signing in with the second factor in a real browser (Debian's chromium driven by Playwright),
on a phone-sized screen, and the pages under their Content-Security-Policy: nothing the policy
refuses is asked for, on the workbench, the letter preview, the admin, the API's documentation
and the portal. Pages are checked with axe-core."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.accounts.conftest import PASSWORD, with_password
from tests.browser import assert_accessible
from trueup.accounts.models import User
from trueup.audits.models import Audit

# The live server answers from its own threads: they see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def watch_policy(context: BrowserContext) -> list[str]:
    """What the browser refused under the Content-Security-Policy, as it says in the console."""
    refused: list[str] = []
    context.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")


def assert_fits(page: Page, name: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a 390px screen"


@pytest.mark.usefixtures("second_factor_on")
def test_a_new_auditor_sets_up_the_second_factor_on_a_phone_then_signs_in_with_a_recovery_code(
    browser: Browser, live_server: object, auditor: User
) -> None:
    with_password(auditor)
    base = str(live_server)
    context = browser.new_context(viewport=PHONE)
    refused = watch_policy(context)
    page = context.new_page()

    log_in(page, base, "auditor")
    expect(page.locator("h1")).to_have_text("Set up your second factor")
    expect(page.locator("figure.qr svg")).to_be_visible()
    assert_fits(page, "setting up")
    assert_accessible(page, "setting up")
    # What a person types into the app when the camera cannot read the code.
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.fill("#id_code", "123")
    page.click("button:has-text('Confirm')")
    expect(page.locator("#code-error")).to_contain_text("That code did not match.")
    assert_accessible(page, "a wrong code")
    # After a wrong code django-otp checks none for a second; a person takes longer to type.
    page.wait_for_timeout(1100)
    page.fill("#id_code", code)
    page.click("button:has-text('Confirm')")

    expect(page.locator("h1")).to_have_text("Your recovery codes")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    assert_fits(page, "recovery codes")
    assert_accessible(page, "recovery codes")
    page.click("a:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Worklist")

    page.click("button:has-text('Log out')")
    log_in(page, base, "auditor")
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert_fits(page, "entering a code")
    assert_accessible(page, "entering a code")
    page.fill("#id_code", codes[0])
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Worklist")
    expect(page.locator(".messages")).to_contain_text("You signed in with a recovery code; 9 left.")
    assert refused == []


def test_the_lockout_page_reads_well_on_a_phone(
    browser: Browser, live_server: object, auditor: User, settings: object
) -> None:
    with_password(auditor)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        log_in(page, str(live_server), "auditor", "not-the-password")
    expect(page.locator("h1")).to_have_text("Signing in is paused")
    assert_fits(page, "locked out")
    assert_accessible(page, "locked out")
    context.close()


def test_nothing_on_the_pages_is_refused_by_the_content_security_policy(
    browser: Browser, live_server: object, approved: Audit, auditor: User, policyholder: User
) -> None:
    admin = with_password(User.objects.create_superuser("root", "root@example.com", "x"))
    with_password(auditor)
    with_password(policyholder)
    base = str(live_server)
    context = browser.new_context(viewport=DESKTOP)
    refused = watch_policy(context)
    page = context.new_page()

    log_in(page, base, "auditor")
    expect(page.locator("h1")).to_have_text("Worklist")
    page.goto(f"{base}/audits/{approved.pk}/")
    expect(page.locator("#audited-premium")).to_have_text("$24,230")
    # htmx runs (the workbench's browser test edits a worksheet through it under this policy).
    assert page.evaluate("() => typeof htmx.ajax") == "function"

    # The letter is shown in an iframe with the letter's own styles, let through by their hash.
    page.goto(f"{base}/audits/{approved.pk}/letters/results/preview/")
    letterhead = page.frame_locator("iframe.letter-preview").locator(".letterhead .name")
    expect(letterhead).to_have_css("font-weight", "700")

    page.goto(f"{base}/api/docs")
    # Swagger UI's bundle is 1.4 MB of script: on a busy machine it takes more than the default 5 s
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TrueUp", timeout=40_000)

    context.clear_cookies()
    log_in(page, base, admin.username)
    page.goto(f"{base}/admin/accounts/user/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto(f"{base}/admin/accounts/user/{auditor.pk}/change/")
    expect(page.locator("h1")).to_have_text("Change user")

    context.clear_cookies()
    log_in(page, base, "policyholder")
    expect(page.locator("h1")).to_be_visible()
    assert page.url.startswith(f"{base}/portal/")
    assert refused == []

    # The watch does see a refusal: an injected inline handler is refused, not run.
    page.evaluate(
        """() => document.body.insertAdjacentHTML(
            'beforeend', '<img src="/static/none.png" onerror="document.title = 1">')"""
    )
    expect(page).not_to_have_title("1")
    page.wait_for_timeout(300)
    context.close()
    assert any("inline event handler" in message for message in refused), refused
