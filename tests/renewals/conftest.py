"""Two audited terms of the first example's policy, completed through the services, and its
renewal written.

====  =====================  ==============  ==============  ==================
term  period                 5645 (framing)  8810 (office)   5190 (electrical)
====  =====================  ==============  ==============  ==================
1     2024-01-01–2025-01-01  $350,000        $60,000         —
2     2025-01-01–2026-01-01  $436,500        $61,250         $30,000 (new)
====  =====================  ==============  ==============  ==================

The renewal (2026-01-01–2027-01-01) estimates 5645 at $400,000, 8810 at $62,000 and 8742
(outside salespeople, which no audit found) at $20,000, with a 0.95 experience mod.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.audits.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.workflow import Status
from trueup.flows import results
from trueup.policies.models import Agency, Agent, EstimatedExposure, Insured, PolicyPeriod


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@dataclass
class Terms:
    first: Audit
    second: Audit
    renewal: PolicyPeriod


def _period(policy_period: PolicyPeriod, effective: date, expiration: date) -> PolicyPeriod:
    return PolicyPeriod.objects.create(
        policy=policy_period.policy,
        effective=effective,
        expiration=expiration,
        states=["IN"],
        experience_mods=[{"factor": "0.95", "effective": effective.isoformat()}],
        deposit_premium=policy_period.deposit_premium,
    )


def _estimate(period: PolicyPeriod, class_code: str, exposure: str) -> None:
    EstimatedExposure.objects.create(
        period=period, state="IN", class_code=class_code, exposure=Decimal(exposure)
    )


def _complete(audit: Audit, auditor: User, manager: User) -> Audit:
    audit.assignee = auditor
    audit.save()
    done = results.audit_submit(audit=audit, by=manager)
    assert done.status == Status.COMPLETED
    return Audit.objects.get(pk=done.pk)


@dataclass
class Written:
    """The first term audited; the second's audit in progress with its payroll entered."""

    first: Audit
    second: Audit
    renewal: PolicyPeriod


@pytest.fixture
def written(audit: Audit, auditor: User, manager: User) -> Written:
    agency = Agency.objects.create(code="MSA", name="Main Street Insurance Agency")
    Agent.objects.create(agency=agency, name="Pat Agent", email="pat@mainstreet.example")
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example", agency=agency
    )
    earlier = _period(audit.period, date(2024, 1, 1), date(2025, 1, 1))
    _estimate(earlier, "5645", "350000")
    _estimate(earlier, "8810", "60000")
    first = Audit.objects.create(period=earlier, status=Status.IN_PROGRESS)
    PayrollEntry.objects.create(audit=first, state="IN", class_code="5645", gross=Decimal(350000))
    PayrollEntry.objects.create(audit=first, state="IN", class_code="8810", gross=Decimal(60000))
    PayrollEntry.objects.create(
        audit=audit, state="IN", class_code="5190", employee="Electrician", gross=Decimal(30000)
    )
    renewal = _period(audit.period, date(2026, 1, 1), date(2027, 1, 1))
    _estimate(renewal, "5645", "400000")
    _estimate(renewal, "8810", "62000")
    _estimate(renewal, "8742", "20000")
    return Written(_complete(first, auditor, manager), audit, renewal)


@pytest.fixture
def terms(written: Written, auditor: User, manager: User) -> Terms:
    second = _complete(written.second, auditor, manager)
    return Terms(written.first, second, written.renewal)
