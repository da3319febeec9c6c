"""A small book for the metrics, built through the services on known days.

Every period ends on 2026-01-01 (the first example's); each audit is moved on its own days, so
its cycle time, time in review and outreach are known exactly. Today is 2026-07-20.

====  ==================================================  =====  ======  ==========
audit what happens                                         final  cycle  adjustment
====  ==================================================  =====  ======  ==========
a1    the manager submits on Jan 21 (within authority)     Jan 21     20  +4,575
a2    the auditor submits Jan 31, a reviewer approves      Feb 15     45  +4,575
      Feb 15 (15 days in review)
a3    submitted Feb 20, returned Feb 22, submitted again   Mar 12     70  +4,575
      Mar 2, approved Mar 12 (12 days in review)
a4    a vendor firm's; less payroll; submitted Apr 11       Apr 11    100  return
a5    records asked for Jan 11, estimated May 11           May 11    130  estimate
a6    waived by the manager on Jan 6                       (waived)
a7    in progress, due Jun 30: overdue                      open
a8    scheduled, a vendor firm's, due Aug 30                open
====  ==================================================  =====  ======  ==========

Outreach: a1's result is explained by phone (reached) on Jan 22 and released Jan 26; a2's is
released Feb 20 without a call, after one unanswered attempt; a1 is disputed on Jan 23.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from freezegun import freeze_time

from tests.audits.conftest import *  # noqa: F403
from tests.audits.conftest import make_user
from trueup.accounts.models import Role, User, VendorFirm
from trueup.audits import services as audit_services
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.workflow import Status
from trueup.billing import services as billing_services
from trueup.billing.models import Outreach
from trueup.flows import disputes, results
from trueup.policies.models import Agency, EstimatedExposure, Insured, Policy, PolicyPeriod

PERIOD_END = date(2026, 1, 1)
TODAY = date(2026, 7, 20)


def on(day: date) -> AbstractContextManager[Any]:
    """Noon UTC of the day: the same day in the carrier's time zone."""
    return freeze_time(datetime.combine(day, time(12), tzinfo=UTC))


def day(n: int) -> date:
    return PERIOD_END + timedelta(days=n)


@dataclass
class Book:
    audits: dict[str, Audit]
    auditor: User
    reviewer: User
    manager: User
    agency: Agency
    firm: VendorFirm


def clone(source: Audit, number: str, status: str = Status.IN_PROGRESS, **audit: object) -> Audit:
    """Another policy like the example's: same period, estimates and audited payroll."""
    period = source.period
    policy = Policy.objects.create(insured=period.policy.insured, number=number, line="WC")
    copy = PolicyPeriod.objects.create(
        policy=policy,
        effective=period.effective,
        expiration=period.expiration,
        states=period.states,
        experience_mods=period.experience_mods,
        premium_discount=period.premium_discount,
        deposit_premium=period.deposit_premium,
    )
    for e in period.estimates.all():
        EstimatedExposure.objects.create(
            period=copy, state=e.state, class_code=e.class_code, exposure=e.exposure
        )
    made = Audit.objects.create(period=copy, status=status, **audit)
    for line in source.payroll.all():
        line.pk = None
        line.audit = made
        line.save()
    return made


@pytest.fixture
def book(audit: Audit, auditor: User, reviewer: User, manager: User) -> Iterator[Book]:
    agency = Agency.objects.create(code="MS", name="Main Street Insurance Agency")
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        agency=agency, contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    firm = VendorFirm.objects.create(code="FAC", name="Field Audit Co")
    a = {"a1": audit}
    Audit.objects.filter(pk=audit.pk).update(due_date=day(90))
    for n in range(2, 9):
        a[f"a{n}"] = clone(audit, f"WC-2025-0100{n}", due_date=day(90))
    PayrollEntry.objects.filter(audit=a["a4"], class_code="5645", employee="Framing crew").update(
        gross=Decimal("200000")
    )
    for name in ("a5", "a6", "a8"):
        Audit.objects.filter(pk=a[name].pk).update(status=Status.SCHEDULED)
    Audit.objects.filter(pk=a["a7"].pk).update(due_date=date(2026, 6, 30))
    Audit.objects.filter(pk=a["a8"].pk).update(due_date=date(2026, 8, 30))
    a = {k: Audit.objects.get(pk=v.pk) for k, v in a.items()}
    with on(day(0)):
        for name in ("a1", "a2", "a3", "a5", "a7"):
            audit_services.audit_assign(audit=a[name], by=manager, assignee=auditor)
        for name in ("a4", "a8"):
            audit_services.audit_assign(audit=a[name], by=manager, assignee=None, vendor=firm)
    _close(a, auditor, reviewer, manager)
    _outreach(a, auditor, reviewer)
    yield Book(
        {k: Audit.objects.get(pk=v.pk) for k, v in a.items()},
        auditor,
        reviewer,
        manager,
        agency,
        firm,
    )


def _close(a: dict[str, Audit], auditor: User, reviewer: User, manager: User) -> None:
    with on(day(5)):
        audit_services.audit_waive(audit=a["a6"], by=manager, reason="no exposure")
    with on(day(10)):
        results.audit_request_records(audit=a["a5"], by=auditor)
    with on(day(20)):
        results.audit_submit(audit=a["a1"], by=manager)
    with on(day(30)):
        results.audit_submit(audit=a["a2"], by=auditor)
    with on(day(45)):
        results.audit_approve(audit=a["a2"], by=reviewer)
    with on(day(50)):
        results.audit_submit(audit=a["a3"], by=auditor)
    with on(day(52)):
        audit_services.audit_return(audit=a["a3"], by=reviewer, reason="check the office payroll")
    with on(day(60)):
        results.audit_submit(audit=a["a3"], by=auditor)
    with on(day(70)):
        results.audit_approve(audit=a["a3"], by=reviewer)
    with on(day(100)):
        results.audit_submit(audit=a["a4"], by=manager)
    with on(day(130)):
        results.audit_estimate(audit=a["a5"], by=auditor, reason="no records after two requests")


def _outreach(a: dict[str, Audit], auditor: User, reviewer: User) -> None:
    first = Outreach.objects.get(audit=a["a1"])
    with on(day(21)):
        billing_services.outreach_attempt_add(
            outreach=first, by=auditor, channel="phone", contact="Dana Hoosier", outcome="reached"
        )
    with on(day(22)):
        disputes.dispute_open(
            audit=a["a1"],
            by=auditor,
            lines=[{"state": "IN", "item": "5645", "disputed": "100.00"}],
            statement="The framing payroll includes a bonus paid after the period.",
        )
    with on(day(25)):
        billing_services.outreach_release(outreach=first, by=reviewer, reason="explained by phone")
    second = Outreach.objects.get(audit=a["a2"])
    with on(day(46)):
        billing_services.outreach_attempt_add(
            outreach=second,
            by=auditor,
            channel="phone",
            contact="Dana Hoosier",
            outcome="no_answer",
        )
    with on(day(50)):
        billing_services.outreach_release(outreach=second, by=reviewer, reason="window ended")


@pytest.fixture
def metrics_staff(db: None) -> User:
    return make_user("analyst", Role.MANAGER, "1000000", "1000")
