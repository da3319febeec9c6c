"""The workbench's personas and audits (an approved one, with letters), a password for signing in
through the form, and the second factor turned on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.billing.conftest import *  # noqa: F403
from trueup.accounts.models import User

if TYPE_CHECKING:
    # The test client's answer type exists only in django-stubs.
    from django.test.client import _MonkeyPatchedWSGIResponse as Answer

PASSWORD = "a-long-test-password-7"


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Answer:
    return client.post("/login/", {"username": username, "password": password, **extra})


def code_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device``."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def second_factor_on(settings: pytest.FixtureRequest) -> None:
    settings.TRUEUP_STAFF_2FA = True  # type: ignore[attr-defined]


@pytest.fixture
def enrolled_auditor(auditor: User) -> User:
    """The auditor with a password and a confirmed authenticator app."""
    TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)
    return with_password(auditor)
