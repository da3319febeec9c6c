"""The workbench's personas and the example period (Indiana: 5645 estimated $350,000 and 8810
$60,000 for 2025, mod 0.92), put on quarterly premium reporting against a $4,914 deposit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.billing.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import plan_start


@pytest.fixture
def plan(audit: Audit, manager: User) -> ReportingPlan:
    return plan_start(
        period=audit.period, frequency="quarterly", deposit=Decimal("4914"), by=manager
    )


@pytest.fixture
def monthly(audit: Audit, manager: User) -> ReportingPlan:
    return plan_start(period=audit.period, frequency="monthly", deposit=Decimal("1638"), by=manager)


# A quarter of the estimate: what an insured on track reports each quarter.
ON_TRACK = [
    {"state": "IN", "class_code": "5645", "exposure": "87500"},
    {"state": "IN", "class_code": "8810", "exposure": "15000"},
]
