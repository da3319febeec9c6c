"""The daily chase: a late report reminded on each chasing day, then estimated; the trend rule
referring a plan to the underwriter more than 60 days into the term, not before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core import mail

from tests.premium_reports.conftest import ON_TRACK
from trueup import premium_reports
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core import ruledata
from trueup.flows.queues import referral_rows, underwriting_queue
from trueup.policies.models import Insured
from trueup.premium_reports.models import PremiumReport, ReportingPlan
from trueup.premium_reports.rules import rules
from trueup.premium_reports.services import report_file
from trueup.premium_reports.tasks import reports_chase_due


def _first(plan: ReportingPlan) -> PremiumReport:
    first = plan.reports.first()
    assert first is not None
    return first


def test_a_late_report_is_reminded_three_times_then_estimated(
    plan: ReportingPlan, django_capture_on_commit_callbacks: Any
) -> None:
    Insured.objects.filter(pk=plan.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    # Due April 15: nothing on the day itself.
    assert reports_chase_due(date(2025, 4, 15))["reminded"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_chase_due(date(2025, 4, 16))["reminded"] == 1
    assert mail.outbox[0].to == ["dana@hoosier.example"]
    assert "was due on April 15, 2025" in mail.outbox[0].body
    # Run again the same day: no second reminder.
    assert reports_chase_due(date(2025, 4, 16))["reminded"] == 0
    assert reports_chase_due(date(2025, 4, 23))["reminded"] == 1
    assert reports_chase_due(date(2025, 4, 30))["reminded"] == 1
    assert reports_chase_due(date(2025, 5, 6))["estimated"] == 0
    assert reports_chase_due(date(2025, 5, 7)) == {"reminded": 0, "estimated": 1, "referred": 0}
    first = _first(plan)
    assert (first.status, first.reminders_sent, first.premium) == (
        "estimated",
        3,
        Decimal("4847.00"),
    )


def test_a_filed_report_is_not_chased(plan: ReportingPlan, auditor: User) -> None:
    report_file(report=_first(plan), lines=ON_TRACK, by=auditor, source="api")
    assert reports_chase_due(date(2025, 4, 16)) == {"reminded": 0, "estimated": 0, "referred": 0}


# January's report: $40,000 against 31 days of the $410,000 estimate ($34,821.92): 114.87 %.
HIGH_JANUARY = [
    {"state": "IN", "class_code": "5645", "exposure": "35000"},
    {"state": "IN", "class_code": "8810", "exposure": "5000"},
]


def test_the_trend_rule_refers_the_plan_at_day_61_and_not_at_day_59(
    monthly: ReportingPlan, auditor: User, audit: Audit
) -> None:
    report_file(report=_first(monthly), lines=HIGH_JANUARY, by=auditor, source="api")
    # March 1 is day 59 of the term, March 3 day 61.
    assert reports_chase_due(date(2025, 3, 1))["referred"] == 0
    monthly.refresh_from_db()
    assert monthly.referred_on is None
    assert reports_chase_due(date(2025, 3, 3))["referred"] == 1
    monthly.refresh_from_db()
    assert monthly.referred_on == date(2025, 3, 3)
    assert monthly.referral_reason == (
        "reported exposure to date is 114.87 % of the pro-rated estimate, outside the 90–110 % band"
    )
    audit.refresh_from_db()
    assert audit.refer_to_underwriting
    # Referred once.
    assert reports_chase_due(date(2025, 3, 4))["referred"] == 0


def test_reports_within_the_band_are_not_referred(monthly: ReportingPlan, auditor: User) -> None:
    on_track = [
        {"state": "IN", "class_code": "5645", "exposure": "29726.03"},
        {"state": "IN", "class_code": "8810", "exposure": "5095.89"},
    ]
    report_file(report=_first(monthly), lines=on_track, by=auditor, source="api")
    assert reports_chase_due(date(2025, 3, 3))["referred"] == 0


def test_every_rule_of_premium_reports_says_where_it_comes_from() -> None:
    edition = rules(date(2025, 1, 1))
    assert all(table["source"].strip() for table in edition.values())
    assert edition["trend"]["after_days"] == 60
    data = ruledata.load(Path(premium_reports.__file__).parent / "premium_reports.toml")
    assert [e.status for e in data.editions] == ["approved"]


def test_the_underwriter_finds_the_referred_plans_audit_in_the_queue_with_the_reason(
    monthly: ReportingPlan, auditor: User, underwriter: User, audit: Audit
) -> None:
    assert list(underwriting_queue(underwriter)) == []
    report_file(report=_first(monthly), lines=HIGH_JANUARY, by=auditor, source="api")
    reports_chase_due(date(2025, 3, 3))
    [row] = referral_rows(underwriting_queue(underwriter))
    assert row.audit == audit
    assert row.reasons == [
        "premium reports: reported exposure to date is 114.87 % of the pro-rated estimate, "
        "outside the 90–110 % band"
    ]
