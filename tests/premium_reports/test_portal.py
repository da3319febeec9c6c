"""The insured files a payroll report in the portal: the reports to send on their audits page,
a short form of payroll by state and class, rated and billed when sent; nobody else's reports."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import Browser

from tests.audits.conftest import make_user
from tests.audits.test_staff_accessibility import check_as
from trueup.accounts.models import Role, User
from trueup.billing.models import BillingInstruction
from trueup.policies.models import Insured, PolicyPeriod
from trueup.portal.models import PortalAccess
from trueup.premium_reports.models import PremiumReport, ReportingPlan


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _first(plan: ReportingPlan) -> PremiumReport:
    first = plan.reports.first()
    assert first is not None
    return first


def test_the_insured_sees_the_reports_to_send_on_their_audits_page(
    plan: ReportingPlan, policyholder: User
) -> None:
    page = _client(policyholder).get("/portal/").content.decode()
    assert "Payroll reports to send" in page
    assert "WC-2025-01001: payroll from Jan 1 to Mar 31, 2025</a>, due Apr 15, 2025" in page
    assert page.count("/portal/payroll-reports/") == 4


def test_the_insured_files_a_report_which_is_rated_and_billed(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    form = _client(policyholder).get(url).content.decode()
    assert "IN, class 5645" in form and "IN, class 8810" in form
    answer = _client(policyholder).post(url, {"exposure-0": "87,500", "exposure-1": "15000"})
    assert answer.status_code == 302
    report = _first(plan)
    assert (report.status, report.source, report.premium) == ("filed", "portal", Decimal("4910.00"))
    assert report.filed_by == policyholder
    assert BillingInstruction.objects.get().bill_now == Decimal("4910.00")


def test_a_wrong_amount_is_said_and_nothing_is_filed(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    answer = _client(policyholder).post(url, {"exposure-0": "-3", "exposure-1": "15000"})
    assert answer.status_code == 200
    assert "An amount of zero or more, such as 87500.00." in answer.content.decode()
    assert _first(plan).status == "due"
    assert not BillingInstruction.objects.exists()


def test_another_insureds_user_and_an_agent_may_not_file_the_report(
    plan: ReportingPlan, agent_user: User
) -> None:
    other = Insured.objects.create(name="Other Co", entity_type="llc")
    stranger = make_user("stranger", Role.INSURED)
    PortalAccess.objects.create(user=stranger, insured=other, kind="owner")
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    for user in (stranger, agent_user):
        assert _client(user).get(url).status_code == 404
        assert _client(user).post(url, {"exposure-0": "1", "exposure-1": "1"}).status_code == 404
    assert _first(plan).status == "due"


def test_a_report_filed_already_is_not_offered_again(
    plan: ReportingPlan, policyholder: User
) -> None:
    url = f"/portal/payroll-reports/{_first(plan).pk}/"
    _client(policyholder).post(url, {"exposure-0": "87500", "exposure-1": "15000"})
    assert _client(policyholder).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_report_form_is_accessible_and_fits_a_phone(
    browser: Browser, live_server: object, plan: ReportingPlan, policyholder: User
) -> None:
    check_as(
        browser,
        str(live_server),
        policyholder,
        [
            ("/portal/", "audits page with reports"),
            (f"/portal/payroll-reports/{_first(plan).pk}/", "payroll report"),
        ],
    )


def test_a_period_without_reporting_shows_no_reports(policyholder: User) -> None:
    assert not PolicyPeriod.objects.filter(reporting_plan__isnull=False).exists()
    assert "Payroll reports to send" not in _client(policyholder).get("/portal/").content.decode()
