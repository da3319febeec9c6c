"""Unit statistical reports: the first example's policy (one state, Indiana, one mod), audited
and completed by the audit manager, for a carrier whose code is 12345. Today is 2026-09-15: the
policy took effect on 2025-01-01, so its first report is valued on 2026-07-01 and due by
2026-09-30."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from django.test import override_settings

from tests.audits.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.core import clock

CARRIER = "12345"
NOW = datetime(2026, 9, 15, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def carrier() -> Iterator[None]:
    with override_settings(TRUEUP_CARRIER_CODE=CARRIER):
        yield


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    """The clock the reports read (patched, not frozen: freezegun's dates upset the API's
    schema)."""
    with (
        patch.object(clock, "now", lambda: NOW),
        patch.object(clock, "today", lambda: NOW.date()),
    ):
        yield


@pytest.fixture
def completed(audit: Audit, manager: User) -> Audit:
    """The first example's audit, submitted by the manager within authority: completed, its
    result pinned. The insured has a FEIN and a mailing address."""
    insured = audit.period.policy.insured
    insured.fein = "35-1234567"
    insured.mailing_address = "120 Monument Circle\nIndianapolis, IN 46204"
    insured.save()
    return audit_services.audit_submit(audit=audit, by=manager)
