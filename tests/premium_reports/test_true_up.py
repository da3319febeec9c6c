"""The final audit of a reporting policy against its four quarterly reports, deposit included,
said to the insured in English or Spanish."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import report_file
from trueup.premium_reports.true_up import TrueUp, true_up


def test_the_final_audit_is_trued_up_against_four_quarterly_reports_and_the_deposit(
    audit: Audit, plan: ReportingPlan, approved: Audit, auditor: User
) -> None:
    for report in plan.reports.all():
        report_file(report=report, lines=ON_TRACK, by=auditor, source="api")
    assert approved.final_result is not None
    found = true_up(approved, approved.final_result)
    assert found is not None
    # The audit found $497,750 of payroll ($24,230 of premium) where the reports said $410,000
    # and billed $19,655.00: $4,575.00 more, less the $4,914 deposit: $339.00 back.
    assert found == TrueUp(
        audited_exposure=Decimal("497750.00"),
        reported_exposure=Decimal("410000.00"),
        audited_premium=Decimal("24230.00"),
        reported_premium=Decimal("19655.00"),
        adjustment=Decimal("4575.00"),
        deposit=Decimal("4914.00"),
        balance=Decimal("-339.00"),
    )
    assert found.words() == (
        "Your payroll reports showed $410,000.00 of payroll and were billed $19,655.00. "
        "The audit found $497,750.00, for a premium of $24,230.00. "
        "With your $4,914.00 deposit, $339.00 comes back to you."
    )
    with translation.override("es"):
        assert found.words() == (
            "Sus informes de nómina mostraron $410,000.00 de nómina y se facturaron $19,655.00. "
            "La auditoría encontró $497,750.00, con una prima de $24,230.00. "
            "Con su depósito de $4,914.00, se le devuelven $339.00."
        )


def test_a_period_not_on_reporting_has_no_true_up(approved: Audit) -> None:
    assert approved.final_result is not None
    assert true_up(approved, approved.final_result) is None
