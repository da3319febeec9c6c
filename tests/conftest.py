"""Settings for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import launch_browser


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # A real hasher costs half a second per password by design; tests that make logins would
    # spend most of their time in it. Only the tests use this one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def staff_second_factor_off(settings: pytest.FixtureRequest) -> None:
    # The settings ask staff for a second factor whenever DEBUG is off, as it is in tests. Most
    # tests sign staff in to test their pages, not signing in; trueup/accounts' tests turn it on.
    settings.TRUEUP_STAFF_2FA = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser(live_server: object) -> Iterator[Browser]:
    """One headless chromium for every browser test. It starts after the live server, so it
    closes before it: chromium's kept-alive connections then end while the server's request
    threads may still close their share of the test database."""
    yield from launch_browser()
