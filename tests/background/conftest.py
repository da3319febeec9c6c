"""The personas and the example audit of the audits' tests, and helpers to make a book of open
audits and to run real worker processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.audits.conftest import *  # noqa: F403
from tests.billing.conftest import approved  # noqa: F401
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.workflow import Status

ROOT = Path(__file__).resolve().parents[2]


def open_audits_like(audit: Audit, count: int) -> list[Audit]:
    """``count`` more open audits of the example's period, with the example's payroll."""
    lines = list(PayrollEntry.objects.filter(audit=audit).values())
    made = []
    for _ in range(count):
        other = Audit.objects.create(period=audit.period, status=Status.IN_PROGRESS)
        for line in lines:
            fields = {k: v for k, v in line.items() if k not in ("id", "audit_id")}
            PayrollEntry.objects.create(audit=other, **fields)
        made.append(other)
    return made


def needs_shared_database() -> None:
    """Worker processes read the test database from outside this process: only a server
    database lets them (the SQLite test database is in this process's memory)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker processes cannot see the in-memory SQLite test database; run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name>"
        )


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process: this test database, the tests' settings."""
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{settings_dict['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "trueup.settings_tests",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def manage(*args: str, env: dict[str, str], **popen: object) -> subprocess.Popen[bytes]:
    """Start ``trueup <args>`` (a Django management command) as a separate process."""
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "django", *args], env=env, cwd=ROOT, **popen
    )
