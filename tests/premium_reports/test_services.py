"""Premium reports: the schedule, a filing checked line by line and rated at the reported
exposure, refused twice or on a closed plan, and an estimated report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.premium_reports.models import PlanStatus, ReportingPlan, ReportLine
from trueup.premium_reports.services import (
    plan_start,
    report_estimate,
    report_file,
    reported_to_date,
)


def test_a_quarterly_plan_schedules_four_reports_each_due_fifteen_days_after_its_quarter(
    plan: ReportingPlan,
) -> None:
    assert [(r.covers_from, r.covers_to, r.due_on, r.status) for r in plan.reports.all()] == [
        (date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 15), "due"),
        (date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 15), "due"),
        (date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 15), "due"),
        (date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 15), "due"),
    ]


def test_a_monthly_plan_schedules_twelve_reports(monthly: ReportingPlan) -> None:
    reports = list(monthly.reports.all())
    assert len(reports) == 12
    assert (reports[1].covers_from, reports[1].covers_to, reports[1].due_on) == (
        date(2025, 2, 1),
        date(2025, 2, 28),
        date(2025, 3, 15),
    )


def test_an_auditor_may_not_start_premium_reporting(audit: Audit, auditor: User) -> None:
    with pytest.raises(NotAllowed):
        plan_start(period=audit.period, frequency="monthly", deposit=Decimal(0), by=auditor)


def test_a_report_is_rated_at_the_reported_exposure_pro_rated_to_its_days(
    plan: ReportingPlan, auditor: User
) -> None:
    first = plan.reports.first()
    assert first is not None
    filed = report_file(report=first, lines=ON_TRACK, by=auditor, source="api")
    assert filed.status == "filed"
    assert filed.source == "api"
    assert filed.filed_by == auditor
    # Rated as the first 90 of the term's 365 days: manual $5,531.45, mod 0.92 → $5,088.93; the
    # premium discount graded on a year's standard premium, $238.71; the $160 expense constant
    # earned for 90 days, $39.45; terrorism and catastrophe $10.25 each: $4,909.83 → $4,910.
    assert filed.premium == Decimal("4910.00")
    assert filed.reasons == [
        "IN 5645: $87,500 reported",
        "IN 8810: $15,000 reported",
        "rated for the 90 of the term's 365 days the report covers, the term's annual charges "
        "earned for those days: $4,910",
    ]
    assert [(x.state, x.class_code, x.exposure) for x in filed.lines.all()] == [
        ("IN", "5645", Decimal("87500.00")),
        ("IN", "8810", Decimal("15000.00")),
    ]
    assert filed.rating is not None
    assert filed.rating["audited_premium"] == "4910"
    steps = {s["code"]: s["amount"] for s in filed.rating["audited"]["states"][0]["steps"]}
    assert (steps["premium_discount"], steps["expense_constant"]) == ("-238.71", "39.45")


def test_four_quarters_on_track_add_up_to_the_estimated_premium_within_cents(
    plan: ReportingPlan, auditor: User
) -> None:
    for report in plan.reports.all():
        report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
    # $4,910 + $4,913 + $4,916 + $4,916: the estimate's $19,655 exactly.
    assert reported_to_date(plan.period) == {
        "exposure": Decimal("410000.00"),
        "premium": Decimal("19655.00"),
        "days": Decimal(365),
    }


def test_every_wrong_line_is_named_and_nothing_is_written(
    plan: ReportingPlan, auditor: User
) -> None:
    first = plan.reports.first()
    assert first is not None
    lines = [
        {"state": "IN", "class_code": "5645", "exposure": "87500"},
        {"state": "OH", "class_code": "5645", "exposure": "100"},
        {"state": "IN", "class_code": "9999", "exposure": "-5"},
        {"state": "IN", "class_code": "8810", "exposure": "lots"},
    ]
    with pytest.raises(InvalidInput) as raised:
        report_file(report=first, lines=lines, by=auditor, source="api")
    assert [p.path for p in raised.value.problems] == [
        "lines[1].state",
        "lines[2].class_code",
        "lines[2].exposure",
        "lines[3].exposure",
    ]
    first.refresh_from_db()
    assert first.status == "due"
    assert not ReportLine.objects.exists()


def test_a_report_is_filed_once(plan: ReportingPlan, auditor: User) -> None:
    first = plan.reports.first()
    assert first is not None
    report_file(report=first, lines=ON_TRACK, by=auditor, source="api")
    with pytest.raises(Refused, match="filed already"):
        report_file(report=first, lines=ON_TRACK, by=auditor, source="portal")


def test_no_report_is_filed_on_a_closed_plan(plan: ReportingPlan, auditor: User) -> None:
    ReportingPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    first = plan.reports.first()
    assert first is not None
    with pytest.raises(Refused, match="closed"):
        report_file(report=first, lines=ON_TRACK, by=auditor, source="api")


def test_an_underwriter_may_not_file_a_report(plan: ReportingPlan, underwriter: User) -> None:
    first = plan.reports.first()
    assert first is not None
    with pytest.raises(NotAllowed):
        report_file(report=first, lines=ON_TRACK, by=underwriter, source="api")


def test_an_estimated_report_is_the_estimate_pro_rated_to_its_days(plan: ReportingPlan) -> None:
    first = plan.reports.first()
    assert first is not None
    estimated = report_estimate(report=first)
    assert (estimated.status, estimated.source, estimated.filed_by) == (
        "estimated",
        "estimated",
        None,
    )
    # 350,000 × 90 ÷ 365 and 60,000 × 90 ÷ 365, to the cent; the estimate's $19,655 × 90 ÷ 365.
    assert [(x.class_code, x.exposure) for x in estimated.lines.all()] == [
        ("5645", Decimal("86301.37")),
        ("8810", Decimal("14794.52")),
    ]
    assert estimated.premium == Decimal("4847.00")


def test_an_administrator_reads_the_plan_and_its_reports_in_the_admin(
    plan: ReportingPlan, admin_user: User
) -> None:
    User.objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/premium_reports/premiumreport/").content.decode()
    assert page.count('<td class="field-covers_from nowrap">') == 4
    assert '<td class="field-covers_to nowrap">March 31, 2025</td>' in page
    assert client.get("/admin/premium_reports/reportingplan/").status_code == 200


def test_a_plan_needs_a_known_frequency_and_a_deposit_of_zero_or_more(
    audit: Audit, manager: User
) -> None:
    with pytest.raises(InvalidInput) as raised:
        plan_start(period=audit.period, frequency="weekly", deposit=Decimal(-1), by=manager)
    assert [p.path for p in raised.value.problems] == ["frequency", "deposit"]
    assert not ReportingPlan.objects.exists()
