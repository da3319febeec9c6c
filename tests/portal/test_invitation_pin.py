"""The invitation's PIN: a wrong PIN says the wait and the tries left at once, a try made during
the wait keeps the form and says how long is left, and the page counts the wait down in a real
browser. The figures are portal.toml's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser import assert_accessible
from tests.portal.conftest import GOOD_PASSWORD
from trueup.portal.access import portal_rules
from trueup.portal.models import Invitation
from trueup.portal.services import IssuedInvitation

FORM = '<form method="post" novalidate>'
SCRIPT = '<script src="/static/trueup/pin-wait.js" defer></script>'


def _wrong(issued: IssuedInvitation) -> str:
    return "000000" if issued.pin != "000000" else "111111"


def _try(client: Client, issued: IssuedInvitation, pin: str) -> Any:
    return client.post(
        f"/portal/invitations/{issued.token}/",
        {
            "pin": pin,
            "username": "dana",
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
        },
    )


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The server's clock stands at the moment (freezegun's dates upset the API's schema)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _wait_text(seconds: int, tries: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return (
        f'Wait <span class="wait-count">{seconds}</span> <span class="wait-unit">{unit}</span> '
        f"before the next try: {tries} tries left before the link locks."
    )


@pytest.mark.django_db
def test_a_wrong_pin_says_the_wait_and_the_tries_left_and_keeps_the_form(
    invited: IssuedInvitation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, timezone.now())
    answer = _try(Client(), invited, _wrong(invited))
    page = answer.content.decode()
    assert answer.status_code == 422
    assert '<p id="pin-error" class="error">That PIN is not right.</p>' in page
    assert _wait_text(30, 4) in page
    assert FORM in page
    assert 'value="dana"' in page
    assert SCRIPT in page


@pytest.mark.django_db
def test_the_right_pin_during_the_wait_keeps_the_form_and_says_how_long_is_left(
    invited: IssuedInvitation, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    start = timezone.now()
    _at(monkeypatch, start)
    _try(client, invited, _wrong(invited))
    _at(monkeypatch, start + timedelta(seconds=18))
    answer = _try(client, invited, invited.pin)
    reloaded = client.get(f"/portal/invitations/{invited.token}/")
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "Please wait before entering the PIN again, as shown below." in page
    assert _wait_text(12, 4) in page
    assert "That PIN is not right." not in page
    assert FORM in page
    # A reload during the wait says the same, with the form.
    assert _wait_text(12, 4) in reloaded.content.decode()
    assert FORM in reloaded.content.decode()
    # The early try did not use up a try.
    assert Invitation.objects.get(pk=invited.invitation.pk).failed_attempts == 1
    _at(monkeypatch, start + timedelta(seconds=30))
    redeemed = _try(client, invited, invited.pin)
    assert redeemed.status_code == 302
    assert redeemed["Location"] == "/portal/"


@pytest.mark.django_db
def test_the_wait_and_the_tries_are_the_rule_books(
    invited: IssuedInvitation, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = portal_rules()["invitation"]
    monkeypatch.setitem(rules, "wait_seconds_per_failure", 45)
    monkeypatch.setitem(rules, "max_failed_attempts", 3)
    client = Client()
    start = timezone.now()
    _at(monkeypatch, start)
    _try(client, invited, _wrong(invited))
    _at(monkeypatch, start + timedelta(seconds=45))
    second = _try(client, invited, _wrong(invited))
    # The second wrong PIN waits twice as long.
    assert (
        'Wait <span class="wait-count">90</span> <span class="wait-unit">seconds</span> '
        "before the next try: 1 try left before the link locks."
    ) in second.content.decode()


@pytest.mark.django_db
def test_a_fresh_invitation_shows_no_wait_and_no_script(invited: IssuedInvitation) -> None:
    page = Client().get(f"/portal/invitations/{invited.token}/").content.decode()
    assert FORM in page
    assert "pin-wait" not in page
    assert "before the next try" not in page


def test_the_countdown_script_is_one_of_the_apps_static_files() -> None:
    found = finders.find("trueup/pin-wait.js")
    assert isinstance(found, str)


@pytest.mark.django_db(transaction=True)
def test_the_pin_page_counts_the_wait_down_and_lets_the_insured_in_when_it_is_over(
    browser: Browser, live_server: object, invited: IssuedInvitation
) -> None:
    # A short wait, so the countdown ends within the test.
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setitem(portal_rules()["invitation"], "wait_seconds_per_failure", 5)
    try:
        context = browser.new_context(viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server}/portal/invitations/{invited.token}/")
        page.fill("#pin", _wrong(invited))
        page.fill("#username", "dana")
        page.fill("#password", GOOD_PASSWORD)
        page.fill("#password_again", GOOD_PASSWORD)
        page.click("button:has-text('Continue')")
        wait = page.locator("#pin-wait")
        expect(wait).to_contain_text("before the next try: 4 tries left before the link locks.")
        expect(page.locator("button:has-text('Continue')")).to_be_disabled()
        # The count goes down each second, then the form may be sent again.
        expect(wait.locator(".wait-count")).to_have_text("4")
        expect(wait.locator(".wait-count")).to_have_text("3")
        expect(wait).to_have_text(
            "You can enter the PIN now: 4 tries left before the link locks.", timeout=8000
        )
        expect(page.locator("#pin-ready")).to_have_text(
            "You can enter the PIN now: 4 tries left before the link locks."
        )
        expect(page.locator("button:has-text('Continue')")).to_be_enabled()
        assert_accessible(page, "invitation after the wait")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.fill("#pin", invited.pin)
        page.fill("#password", GOOD_PASSWORD)
        page.fill("#password_again", GOOD_PASSWORD)
        page.click("button:has-text('Continue')")
        expect(page.locator("h1")).to_have_text("Your premium audits")
        context.close()
    finally:
        monkeypatch.undo()
