"""Settings for every test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic
from playwright.sync_api import Browser

from tests.browser import launch_browser


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts without what another test's rows left in the cache (worklist counts,
    the dashboard's drawn figures)."""
    cache.clear()


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
    # While Playwright's event loop runs in this thread, Django keeps this thread's database
    # connections apart from those it kept before (asgiref's Local: context-local storage where
    # a loop runs). Each set is closed before the other takes over, or a connection left in the
    # set no longer seen would hold the test database open when it is dropped at the end.
    _close_connections()
    launched = launch_browser()
    yield next(launched)
    _close_connections()
    next(launched, None)  # the browser closed, Playwright stopped


def _close_connections() -> None:
    """This thread's database connections closed, but for one a test's transaction holds."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _outside_the_code_under_test(connection: BaseDatabaseWrapper) -> bool:
    """Only the test's own transactions are open: the code under test has committed."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _run_commit_hooks(connection: BaseDatabaseWrapper) -> None:
    pending: list[Any] = connection.run_on_commit
    connection.run_on_commit = []
    for _, hook, robust in pending:
        if not robust:
            hook()
            continue
        try:
            hook()
        except Exception:  # as Django does for a robust hook: logged, the commit stands
            logging.getLogger("django.db.backends").exception("on_commit hook failed")


@pytest.fixture(autouse=True)
def work_after_commit_runs_as_in_production(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test's own transaction never commits, so work queued for after the commit (letters,
    e-mails, tasks) would never run. It runs when the outermost transaction the code under test
    opened ends, as it does after a real commit; a rolled-back transaction drops it, as Django
    does. Tests that look at what was queued (django_capture_on_commit_callbacks) keep Django's
    own behaviour."""
    if "django_capture_on_commit_callbacks" in request.fixturenames:
        return
    exit_atomic = Atomic.__exit__
    on_commit = BaseDatabaseWrapper.on_commit

    def atomic_exit(self: Atomic, exc_type: Any, exc: Any, tb: Any) -> Any:
        answer = exit_atomic(self, exc_type, exc, tb)
        connection = transaction.get_connection(self.using)
        if (
            exc_type is None
            and not getattr(self, "_from_testcase", False)
            and _outside_the_code_under_test(connection)
        ):
            _run_commit_hooks(connection)
        return answer

    def commit_hook(self: BaseDatabaseWrapper, func: Any, robust: bool = False) -> None:
        on_commit(self, func, robust)
        if self.in_atomic_block and _outside_the_code_under_test(self):
            _run_commit_hooks(self)

    monkeypatch.setattr(Atomic, "__exit__", atomic_exit)
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", commit_hook)
