"""The staff page of API keys in a real browser on a 390 px phone: an audit manager makes a key,
sees it once, and revokes it; the page fits the screen, passes axe and nothing is refused by its
Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.accounts.conftest import PASSWORD, with_password
from tests.browser import assert_accessible
from trueup.accounts.models import ApiToken, User

# The live server answers from its own threads: they see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def test_a_manager_makes_and_revokes_a_key_on_a_phone(
    browser: Browser, live_server: object, manager: User, auditor: User
) -> None:
    with_password(manager)
    base = str(live_server)
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844})
    refused: list[str] = []
    context.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.click("a:has-text('API keys')")
    expect(page.locator("h1")).to_have_text("API keys")
    page.select_option("#id_user", label="auditor (Auditor)")
    page.fill("#id_name", "Policy admin")
    page.click("button:has-text('Make the key')")
    key = page.locator("#new-key-value").inner_text()
    assert ApiToken.objects.get().user == auditor
    assert len(key) == 43
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert_accessible(page, "API keys, a key just made")

    page.click("button:has-text('Revoke')")
    expect(page.locator(".messages")).to_contain_text("revoked: it no longer works.")
    expect(page.locator("#new-key-value")).to_have_count(0)
    assert ApiToken.objects.get().revoked
    assert_accessible(page, "API keys, a key revoked")
    context.close()
    assert refused == []
