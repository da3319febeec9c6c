"""Scheduling: type, method, start and due dates, rush and waivers come from schedule.toml."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from trueup.audits.models import StatusChange
from trueup.audits.scheduling import audit_schedule, periods_to_schedule
from trueup.audits.workflow import Status
from trueup.policies.models import EstimatedExposure, Insured, Policy, PolicyPeriod

pytestmark = pytest.mark.django_db


def period(
    number: str = "WC-1",
    *,
    states: tuple[str, ...] = ("IN",),
    classes: tuple[str, ...] = ("8810",),
    premium: str = "5000",
    line: str = "WC",
    cancelled: date | None = None,
) -> PolicyPeriod:
    insured = Insured.objects.create(name=f"Insured {number}", entity_type="corporation")
    policy = Policy.objects.create(insured=insured, number=number, line=line)
    made = PolicyPeriod.objects.create(
        policy=policy,
        effective=date(2025, 1, 1),
        expiration=date(2026, 1, 1),
        states=list(states),
        deposit_premium=Decimal(premium),
        cancellation_date=cancelled,
        cancellation_basis="pro_rata" if cancelled else "",
    )
    for code in classes:
        EstimatedExposure.objects.create(
            period=made, state=states[0], class_code=code, exposure=Decimal("100000")
        )
    return made


def test_a_final_audit_is_due_60_days_after_expiry_and_is_not_rush() -> None:
    audit = audit_schedule(period=period())
    assert (audit.type, audit.status, audit.rush) == ("final", Status.SCHEDULED, False)
    assert audit.start_date == date(2026, 1, 1)
    assert audit.due_date == date(2026, 3, 2)  # 1 January + 60 days


def test_a_cancellation_audit_is_rush_and_due_30_days_after_the_cancellation() -> None:
    audit = audit_schedule(period=period(cancelled=date(2025, 7, 2)))
    assert (audit.type, audit.rush) == ("cancellation", True)
    assert audit.due_date == date(2025, 8, 1)


def test_a_small_account_gets_a_self_audit_and_a_large_one_a_field_audit() -> None:
    assert audit_schedule(period=period("WC-S", premium="9999.99")).method == "mail"
    assert audit_schedule(period=period("WC-L", premium="10000")).method == "physical"


def test_florida_construction_over_10000_is_audited_on_site_with_the_reason_recorded() -> None:
    audit = audit_schedule(period=period(states=("FL",), classes=("5403",), premium="12000"))
    assert audit.method == "physical"
    reason = StatusChange.objects.get(audit=audit).reason
    assert "FL: on-site annual audit where construction premium is over $10,000" in reason


def test_a_california_roofer_is_audited_in_person_whatever_the_premium() -> None:
    audit = audit_schedule(period=period(states=("CA",), classes=("5553",), premium="2000"))
    assert audit.method == "physical"


def test_a_period_below_the_waiver_threshold_is_waived_with_its_reason() -> None:
    audit = audit_schedule(period=period(premium="500"))
    assert (audit.type, audit.status) == ("waived", Status.WAIVED)
    assert (
        "waived: estimated premium $500 is below $750"
        in StatusChange.objects.get(audit=audit).reason
    )


def test_a_cancelled_period_is_never_waived() -> None:
    audit = audit_schedule(period=period(premium="500", cancelled=date(2025, 5, 1)))
    assert audit.status == Status.SCHEDULED


def test_scheduling_twice_returns_the_same_audit() -> None:
    ended = period()
    assert audit_schedule(period=ended) == audit_schedule(period=ended)
    assert ended.audits.count() == 1


def test_only_ended_periods_without_an_audit_are_scheduled() -> None:
    ended, scheduled = period("WC-A"), period("WC-B")
    audit_schedule(period=scheduled)
    cancelled = period("WC-C", cancelled=date(2025, 6, 1))
    assert periods_to_schedule(date(2025, 12, 31)) == [cancelled]
    assert {p.pk for p in periods_to_schedule(date(2026, 1, 1))} == {ended.pk, cancelled.pk}


def test_the_command_schedules_every_ended_period_and_reports_counts() -> None:
    period("WC-A")
    period("WC-B", premium="100")
    out = StringIO()
    call_command("schedule_audits", "--today", "2026-01-05", stdout=out)
    assert out.getvalue().strip() == "1 audit(s) scheduled, 1 waived"
    call_command("schedule_audits", "--today", "2026-01-05", stdout=out)
    assert out.getvalue().strip().endswith("0 audit(s) scheduled, 0 waived")
