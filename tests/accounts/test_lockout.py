"""Signing in at /login/ (staff and portal alike) is throttled: after the failure limit, even the
right password is refused until the cool-off ends or an administrator lifts the lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from tests.accounts.conftest import sign_in, with_password
from trueup.accounts.models import AccountEvent, User

pytestmark = pytest.mark.django_db


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_up_to_the_limit_show_the_form_again(client, auditor, settings):
    with_password(auditor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        answer = sign_in(client, "auditor", "not-the-password")
        assert answer.status_code == 200
        assert "Your user name and password didn't match." in answer.content.decode()
    assert sign_in(client, "auditor").status_code == 302
    assert signed_in(client)


def test_after_the_failure_limit_even_the_right_password_is_refused(client, auditor, settings):
    with_password(auditor)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "auditor", "not-the-password")
    answer = sign_in(client, "auditor")
    assert answer.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_says_what_happened_how_long_to_wait_and_whom_to_ask(
    client, auditor, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    with_password(auditor)
    answers = [sign_in(client, "auditor", "not-the-password") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    page = sign_in(client, "auditor").content.decode()
    assert "<h1>Signing in is paused</h1>" in page
    assert (
        "The password was wrong 3 times in a row for this user name, or from this network, so "
        "TrueUp has paused signing in, even with the right password."
    ) in page
    assert "Try again in 30 minutes." in page
    assert "ask a TrueUp administrator to unlock your account" in page


def test_after_the_cool_off_the_right_password_signs_in(client, auditor, settings):
    with_password(auditor)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "auditor", "not-the-password")
    assert sign_in(client, "auditor").status_code == 429
    # The cool-off runs from the last try: move every try back past it.
    later = settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - later)
    assert sign_in(client, "auditor").status_code == 302
    assert signed_in(client)


def test_the_portal_sign_in_is_throttled_too(client, policyholder, settings):
    with_password(policyholder)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "policyholder", "not-the-password")
    assert sign_in(client, "policyholder").status_code == 429
    assert not signed_in(client)


def test_one_address_trying_many_user_names_is_locked_out(client, auditor, settings):
    with_password(auditor)
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"someone{n}", "not-the-password")
    assert sign_in(client, "auditor").status_code == 429


def test_an_administrator_lifts_a_lockout_and_it_is_recorded(client, auditor, settings):
    with_password(auditor)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(REMOTE_ADDR="10.0.0.7"), "auditor", "not-the-password")
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    staff = Client()
    staff.force_login(admin)
    answer = staff.post(
        "/admin/accounts/user/",
        {"action": "lift_lockout", "_selected_action": [auditor.pk]},
        follow=True,
    )
    assert "Signing in unlocked for auditor." in answer.content.decode()
    assert sign_in(client, "auditor").status_code == 302
    event = AccountEvent.objects.get()
    assert (event.user, event.kind, event.by) == (auditor, "lockout_lifted", admin)
