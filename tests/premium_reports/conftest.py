"""The workbench's personas and the example period (Indiana: 5645 estimated $350,000 and 8810
$60,000 for 2025, mod 0.92), put on quarterly premium reporting against a $4,914 deposit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from tests.billing.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.scheduling import interim_audit_request
from trueup.audits.workflow import Status
from trueup.flows import results
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


def completed_interim(
    audit: Audit,
    last_day: date,
    found: Sequence[tuple[str, str]],
    *,
    underwriter: User,
    auditor: User,
    reviewer: User | None = None,
) -> Audit:
    """An interim audit of ``audit``'s period from the term's start to ``last_day``: the payroll
    ``found`` ((class, gross) in Indiana), submitted by ``auditor`` and, if it goes to review,
    approved by ``reviewer``; completed."""
    made = interim_audit_request(
        period=audit.period, covers_to=last_day, reason="bankruptcy", by=underwriter
    )
    Audit.objects.filter(pk=made.pk).update(status=Status.IN_PROGRESS, assignee=auditor)
    for class_code, gross in found:
        PayrollEntry.objects.create(
            audit=made, state="IN", class_code=class_code, gross=Decimal(gross)
        )
    done = results.audit_submit(audit=Audit.objects.get(pk=made.pk), by=auditor)
    if done.status == Status.IN_REVIEW and reviewer is not None:
        done = results.audit_approve(audit=done, by=reviewer)
    assert done.status == Status.COMPLETED
    return done
