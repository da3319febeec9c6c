"""A premium report from a payroll export: the importer reads it as it reads an audit's register,
its pay is summarised by state and class for the report's days (a pay period straddling them
prorated), refused rows are named, and nothing is filed until the insured confirms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import Browser

from tests.audits.conftest import make_user
from tests.audits.test_staff_accessibility import check_as
from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import Role, User
from trueup.billing.models import BillingInstruction
from trueup.core.errors import NotAllowed, Refused
from trueup.flows.premium_reports import report_export_read
from trueup.payroll.ingest import RegisterError
from trueup.policies.models import Insured
from trueup.portal.models import PortalAccess
from trueup.premium_reports.models import PlanStatus, PremiumReport, ReportingPlan
from trueup.premium_reports.rating import Line
from trueup.premium_reports.services import report_file

EXPORTS = Path(__file__).parent.parent / "payroll" / "exports"

# A Gusto payroll journal around the first report (January 1 to March 31, 2025), row by row:
# 2 Ana's January check; 3 Ben's February check; 4 Ana's March check with $300 of overtime;
# 5 Cara's pay period of March 24 to April 6, paid April 4 (8 of its 14 days in March);
# 6 Dev's amount mistyped; 7 Ben's February check again; 8 Ana's check for April.
EXPORT = b"""Employee,Employee ID,Work State,WC Class,Check Date,Pay Period Start,Pay Period End,\
Regular Earnings,Overtime Earnings
Ana Ruiz,E1,IN,5645,01/17/2025,01/01/2025,01/14/2025,"2,800.00",
Ben Okafor,E2,IN,8810,02/14/2025,02/01/2025,02/14/2025,"1,500.00",
Ana Ruiz,E1,IN,5645,03/14/2025,03/01/2025,03/14/2025,"2,800.00",300.00
Cara Nguyen,E3,IN,5645,04/04/2025,03/24/2025,04/06/2025,"1,400.00",
Dev Patel,E4,IN,5645,03/07/2025,02/22/2025,03/07/2025,12x.00,
Ben Okafor,E2,IN,8810,02/14/2025,02/01/2025,02/14/2025,"1,500.00",
Ana Ruiz,E1,IN,5645,05/02/2025,04/14/2025,04/27/2025,"2,800.00",
"""


def _first(plan: ReportingPlan) -> PremiumReport:
    first = plan.reports.first()
    assert first is not None
    return first


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_export_is_summarised_by_state_and_class_for_the_reports_days(
    plan: ReportingPlan, policyholder: User
) -> None:
    summary = report_export_read(
        report=_first(plan), by=policyholder, data=EXPORT, filename="journal.csv"
    )
    assert summary.lines == (
        # 2,800.00 + 2,800.00 + 200.00 (the $300 of overtime less its premium third, as
        # Indiana's rules take it) + 800.00 (Cara's 1,400.00 × 8/14 days).
        Line("IN", "5645", Decimal("6600.00")),
        # Ben's February check once: its copy is left out.
        Line("IN", "8810", Decimal("1500.00")),
    )
    assert (summary.rows_read, summary.rows_used, summary.rows_other_days) == (7, 4, 1)
    # Read, not filed: the insured confirms the figures first.
    assert _first(plan).status == "due"


def test_a_bad_row_and_a_copy_are_refused_naming_their_rows(
    plan: ReportingPlan, policyholder: User
) -> None:
    summary = report_export_read(
        report=_first(plan), by=policyholder, data=EXPORT, filename="journal.csv"
    )
    assert [(r.where, r.reason) for r in summary.refused] == [
        ("row 6, column Regular Earnings", "'12x.00' is not an amount: the row is left out"),
        ("row 7", "the same check again for Ben Okafor: left out"),
    ]


def test_a_row_in_a_state_not_on_the_policy_is_refused_and_its_pay_left_out(
    plan: ReportingPlan, policyholder: User
) -> None:
    export = EXPORT.replace(b"Cara Nguyen,E3,IN", b"Cara Nguyen,E3,OH")
    summary = report_export_read(
        report=_first(plan), by=policyholder, data=export, filename="journal.csv"
    )
    assert summary.lines[0] == Line("IN", "5645", Decimal("5800.00"))
    assert summary.refused[0].row == 5
    assert "OH" in summary.refused[0].reason


def test_the_summary_confirmed_is_filed_and_rated(plan: ReportingPlan, policyholder: User) -> None:
    report = _first(plan)
    summary = report_export_read(report=report, by=policyholder, data=EXPORT, filename="a.csv")
    lines = [
        {"state": x.state, "class_code": x.class_code, "exposure": str(x.exposure)}
        for x in summary.lines
    ]
    filed = report_file(report=report, lines=lines, by=policyholder, source="portal")
    assert [(x.class_code, x.exposure) for x in filed.lines.all()] == [
        ("5645", Decimal("6600.00")),
        ("8810", Decimal("1500.00")),
    ]


def test_a_report_filed_already_is_final_and_refuses_an_export(
    plan: ReportingPlan, policyholder: User, auditor: User
) -> None:
    report = _first(plan)
    report_file(report=report, lines=ON_TRACK, by=auditor, source="staff")
    with pytest.raises(Refused, match="filed already, and final"):
        report_export_read(report=report, by=policyholder, data=EXPORT, filename="journal.csv")


def test_a_closed_plan_refuses_an_export(plan: ReportingPlan, policyholder: User) -> None:
    ReportingPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(Refused, match="closed"):
        report_export_read(
            report=_first(plan), by=policyholder, data=EXPORT, filename="journal.csv"
        )


def test_another_insureds_login_and_an_agent_may_not_read_an_export_for_the_report(
    plan: ReportingPlan, agent_user: User, underwriter: User
) -> None:
    other = Insured.objects.create(name="Other Co", entity_type="llc")
    stranger = make_user("stranger", Role.INSURED)
    PortalAccess.objects.create(user=stranger, insured=other, kind="owner")
    for user in (stranger, agent_user, underwriter):
        with pytest.raises(NotAllowed):
            report_export_read(report=_first(plan), by=user, data=EXPORT, filename="journal.csv")


def test_a_summary_report_run_for_other_dates_is_refused_with_what_to_do(
    plan: ReportingPlan, policyholder: User
) -> None:
    half_year = (EXPORTS / "quickbooks_desktop_wc_summary_total_off.csv").read_bytes()
    with pytest.raises(RegisterError, match="covers 2025-01-01 to 2025-06-30"):
        report_export_read(report=_first(plan), by=policyholder, data=half_year, filename="wc.csv")


def test_the_insured_uploads_an_export_sees_the_summary_in_the_form_and_files_it(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    client = _client(policyholder)
    upload = SimpleUploadedFile("journal.csv", EXPORT, content_type="text/csv")
    read = client.post(url, {"action": "read_export", "export": upload})
    assert read.status_code == 200
    page = read.content.decode()
    assert "What journal.csv says" in page
    assert "4 of 7 rows are in the figures below; 1 row of pay for other days" in page
    assert 'name="exposure-0" value="6600.00"' in page
    assert 'name="exposure-1" value="1500.00"' in page
    assert "<td>row 6, column Regular Earnings</td>" in page
    assert _first(plan).status == "due"
    assert not BillingInstruction.objects.exists()

    # The insured corrects Dev's mistyped $1,200 into the figures and sends the report.
    sent = client.post(url, {"action": "file", "exposure-0": "7800.00", "exposure-1": "1500.00"})
    assert sent.status_code == 302
    filed = _first(plan)
    assert (filed.status, filed.source) == ("filed", "portal")
    assert [x.exposure for x in filed.lines.all()] == [Decimal("7800.00"), Decimal("1500.00")]


def test_an_unreadable_export_is_said_and_the_form_stays_as_it_was(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    upload = SimpleUploadedFile("notes.csv", b"hello,world\n1,2\n", content_type="text/csv")
    answer = _client(policyholder).post(url, {"action": "read_export", "export": upload})
    assert answer.status_code == 422
    assert "notes.csv could not be read" in answer.content.decode()
    assert _first(plan).status == "due"


def test_a_class_the_estimate_does_not_have_is_added_to_the_form_and_filed(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    client = _client(policyholder)
    export = EXPORT + b'Eve Stone,E5,IN,5606,03/28/2025,03/15/2025,03/28/2025,"3,000.00",\n'
    upload = SimpleUploadedFile("journal.csv", export, content_type="text/csv")
    page = client.post(url, {"action": "read_export", "export": upload}).content.decode()
    assert 'name="state-2" value="IN"' in page
    assert 'name="class_code-2" value="5606"' in page
    assert 'name="exposure-2" value="3000.00"' in page
    sent = client.post(
        url,
        {
            "action": "file",
            "exposure-0": "6600.00",
            "exposure-1": "1500.00",
            "state-2": "IN",
            "class_code-2": "5606",
            "exposure-2": "3000.00",
        },
    )
    assert sent.status_code == 302
    assert [(x.class_code, x.exposure) for x in _first(plan).lines.all()] == [
        ("5645", Decimal("6600.00")),
        ("8810", Decimal("1500.00")),
        ("5606", Decimal("3000.00")),
    ]


def test_staff_read_the_insureds_export_and_file_the_report_from_the_workbench(
    plan: ReportingPlan, auditor: User
) -> None:
    report = _first(plan)
    url = f"/audits/{plan.period.audits.get().pk}/premium-reporting/reports/{report.pk}/"
    client = _client(auditor)
    upload = SimpleUploadedFile("journal.csv", EXPORT, content_type="text/csv")
    read = client.post(url, {"action": "read_export", "export": upload})
    assert read.status_code == 200
    page = read.content.decode()
    assert 'name="exposure-0" value="6600.00"' in page
    assert "<td>row 7</td><td>the same check again for Ben Okafor: left out</td>" in page
    assert _first(plan).status == "due"
    sent = client.post(url, {"action": "file", "exposure-0": "6600.00", "exposure-1": "1500.00"})
    assert sent.status_code == 302
    filed = _first(plan)
    assert (filed.status, filed.source, filed.filed_by) == ("filed", "staff", auditor)
    again = client.get(url)
    assert again.status_code == 409
    assert "This report is filed already, and final" in again.content.decode()


def test_an_underwriter_may_not_open_the_workbenchs_report_form(
    plan: ReportingPlan, underwriter: User
) -> None:
    url = f"/audits/{plan.period.audits.get().pk}/premium-reporting/reports/{_first(plan).pk}/"
    assert _client(underwriter).get(url).status_code in (403, 404)


@pytest.mark.django_db(transaction=True)
def test_the_workbenchs_report_form_is_accessible_and_fits_a_phone(
    browser: Browser, live_server: object, plan: ReportingPlan, auditor: User
) -> None:
    url = f"/audits/{plan.period.audits.get().pk}/premium-reporting/reports/{_first(plan).pk}/"
    check_as(browser, str(live_server), auditor, [(url, "premium report form")])
