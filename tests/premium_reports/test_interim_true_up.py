"""Interim audits on a reporting period: each day is charged once. An interim audit is compared
with the reports of its own days (the deposit stays for the term's end); the final audit counts
the completed interim audit for its days and the reports only for the others, a report the
interim audit covers in part pro rata to its days outside it.

The period is 2025 (365 days) on quarterly reports (Q1 90 days, Q2 91), $4,914 deposit; each
report says $87,500 of 5645 and $15,000 of 8810 (Q1 billed $4,910, Q2 $4,913)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.premium_reports.conftest import ON_TRACK, completed_interim
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.selectors import dispute_terms
from trueup.letters.services import letter_render
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import report_file
from trueup.premium_reports.true_up import TrueUp, true_up


def _interim(
    audit: Audit, last_day: date, people: dict[str, User], framing: str = "100000"
) -> Audit:
    """An interim audit from the term's start to ``last_day``, $``framing`` of 5645 and $15,000
    of 8810 found, submitted and approved."""
    return completed_interim(audit, last_day, [("5645", framing), ("8810", "15000")], **people)


@pytest.fixture
def people(underwriter: User, auditor: User, reviewer: User) -> dict[str, User]:
    return {"underwriter": underwriter, "auditor": auditor, "reviewer": reviewer}


def _file(plan: ReportingPlan, quarters: int, auditor: User) -> None:
    for report in list(plan.reports.all())[:quarters]:
        report_file(report=report, lines=ON_TRACK, by=auditor, source="api")


def test_an_interim_audit_of_the_first_quarter_is_set_against_that_quarters_report_only(
    audit: Audit, plan: ReportingPlan, people: dict[str, User]
) -> None:
    _file(plan, 2, people["auditor"])
    interim = _interim(audit, date(2025, 3, 31), people)
    assert interim.final_result is not None
    found = true_up(interim, interim.final_result)
    # Found: manual $6,318.70, mod 0.92 → $5,813.20; the discount graded on a year's $23,575.76,
    # an average of 5.2401 %, $304.62; the expense constant for 90 of 365 days $39.45; terrorism
    # and catastrophe $11.50 each: $5,571.03 → $5,571. The first quarter's report billed $4,910
    # for $102,500; the second quarter is not the interim audit's.
    assert found == TrueUp(
        audited_exposure=Decimal("115000.00"),
        reported_exposure=Decimal("102500.00"),
        audited_premium=Decimal("5571.00"),
        reported_premium=Decimal("4910.00"),
        adjustment=Decimal("661.00"),
        deposit=Decimal("0"),
        balance=Decimal("661.00"),
    )
    assert found.words().endswith(
        "$661.00 is due. Any deposit stays in place until the final audit of the term."
    )


def test_the_final_audit_counts_the_interim_audit_instead_of_the_reports_of_its_days(
    audit: Audit, plan: ReportingPlan, approved: Audit, people: dict[str, User]
) -> None:
    _file(plan, 4, people["auditor"])
    _interim(audit, date(2025, 3, 31), people)
    assert approved.final_result is not None
    found = true_up(approved, approved.final_result)
    assert found is not None
    # The interim audit's $115,000 and $5,571 for January to March, the reports' $102,500 and
    # $4,913 + $4,916 + $4,916 for the rest: $422,500 and $20,316 (not the Q1 report again).
    assert (found.reported_exposure, found.reported_premium) == (
        Decimal("422500.00"),
        Decimal("20316.00"),
    )
    # $24,230 audited less $20,316, less the $4,914 deposit: $1,000 comes back.
    assert (found.adjustment, found.deposit, found.balance) == (
        Decimal("3914.00"),
        Decimal("4914.00"),
        Decimal("-1000.00"),
    )
    assert found.words().startswith(
        "Your payroll reports and interim audits showed $422,500.00 of payroll and were billed "
        "$20,316.00."
    )


def test_a_report_the_interim_audit_covers_in_part_counts_pro_rata_on_each_side(
    audit: Audit, plan: ReportingPlan, approved: Audit, people: dict[str, User]
) -> None:
    _file(plan, 2, people["auditor"])
    interim = _interim(audit, date(2025, 5, 15), people, framing="150000")
    assert interim.final_result is not None and approved.final_result is not None
    inside = true_up(interim, interim.final_result)
    assert inside is not None
    # January 1 to May 15 is 135 days: all of Q1 and 45 of Q2's 91 days. Q2's share inside:
    # $4,913 × 45 / 91 = $2,429.51 and $102,500 × 45 / 91 = $50,686.81.
    assert (inside.reported_exposure, inside.reported_premium) == (
        Decimal("153186.81"),
        Decimal("7339.51"),
    )
    final = true_up(approved, approved.final_result)
    assert final is not None
    # The final audit: the interim's $165,000, then Q2's other 46 days, $4,913 × 46 / 91 =
    # $2,483.49 and $102,500 × 46 / 91 = $51,813.19; Q3 and Q4 are not filed.
    interim_premium = Decimal(interim.final_result.audited_premium)
    assert (final.reported_exposure, final.reported_premium) == (
        Decimal("216813.19"),
        interim_premium + Decimal("2483.49"),
    )


def test_the_interim_audits_letter_bills_against_its_quarters_report_and_leaves_the_deposit(
    audit: Audit, plan: ReportingPlan, people: dict[str, User]
) -> None:
    _file(plan, 1, people["auditor"])
    interim = _interim(audit, date(2025, 3, 31), people)
    html = letter_render(audit=interim, kind="results", extra=dispute_terms(interim)).html
    assert '<th>Billed by your payroll reports</th><td class="num">$4,910</td>' in html
    assert "Your deposit" not in html
    assert '<th>Due after your reports</th><td class="num">$661</td>' in html
    assert "Any deposit stays in place until the final audit of the term." in html
