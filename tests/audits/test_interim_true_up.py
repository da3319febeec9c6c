"""A completed interim audit feeds the final audit's comparison on a reporting policy: the first
quarter audited, the other three reported, against the $4,914 deposit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.premium_reports.conftest import *  # noqa: F403
from tests.premium_reports.conftest import ON_TRACK, completed_interim
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import report_file
from trueup.premium_reports.true_up import TrueUp, true_up


def test_the_final_audit_counts_the_interim_audits_quarter_with_the_three_reports(
    audit: Audit,
    plan: ReportingPlan,
    approved: Audit,
    auditor: User,
    underwriter: User,
    manager: User,
) -> None:
    quarter = [(line["class_code"], line["exposure"]) for line in ON_TRACK]
    interim = completed_interim(
        audit, date(2025, 3, 31), quarter, underwriter=underwriter, auditor=manager
    )
    for report in list(plan.reports.order_by("covers_from"))[1:]:
        report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
    assert approved.final_result is not None
    found = true_up(approved, approved.final_result)
    assert interim.final_result is not None
    # The interim audit rates the quarter exactly as its report would have been: $4,910.
    assert interim.final_result.audited_premium == Decimal("4910.00")
    # $102,500 a quarter: three reported (billed $4,913 + $4,916 + $4,916) and one audited.
    assert found == TrueUp(
        audited_exposure=Decimal("497750.00"),
        reported_exposure=Decimal("410000.00"),
        audited_premium=Decimal("24230.00"),
        reported_premium=Decimal("19655.00"),
        adjustment=Decimal("4575.00"),
        deposit=Decimal("4914.00"),
        balance=Decimal("-339.00"),
        interim_audits=1,
    )
