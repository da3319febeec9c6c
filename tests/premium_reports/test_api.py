"""A payroll service files premium reports through the API: the reports due, a filing rated and
billed at once, every wrong line named, a second filing refused, the roles checked."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.test import Client

from tests.audits.conftest import api_key_for
from tests.premium_reports.conftest import ON_TRACK
from trueup.accounts.models import User
from trueup.billing.models import BillingInstruction
from trueup.premium_reports.models import PremiumReport, ReportingPlan


def client_for(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}")


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _first(plan: ReportingPlan) -> PremiumReport:
    first = plan.reports.first()
    assert first is not None
    return first


def test_a_payroll_service_lists_the_reports_due(plan: ReportingPlan, auditor: User) -> None:
    client = client_for(auditor)
    post(client, f"/api/premium-reports/{_first(plan).pk}", {"lines": ON_TRACK})
    due = client.get("/api/premium-reports?due=true").json()
    assert due["count"] == 3
    assert [r["covers_from"] for r in due["items"]] == ["2025-04-01", "2025-07-01", "2025-10-01"]
    assert client.get("/api/premium-reports").json()["count"] == 4


def test_a_report_filed_through_the_api_is_rated_and_billed(
    plan: ReportingPlan, auditor: User
) -> None:
    answer = post(
        client_for(auditor), f"/api/premium-reports/{_first(plan).pk}", {"lines": ON_TRACK}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["source"], body["premium"]) == ("filed", "api", "4910.00")
    assert body["policy"] == "WC-2025-01001"
    instruction = BillingInstruction.objects.get()
    assert body["billing_instruction"] == instruction.pk
    assert instruction.bill_now == Decimal("4910.00")


def test_a_wrong_line_is_named_and_nothing_is_filed_or_billed(
    plan: ReportingPlan, auditor: User
) -> None:
    lines = [*ON_TRACK, {"state": "IN", "class_code": "5645", "exposure": "-1"}]
    answer = post(client_for(auditor), f"/api/premium-reports/{_first(plan).pk}", {"lines": lines})
    assert answer.status_code == 422
    assert [p["path"] for p in answer.json()["problems"]] == ["lines[2].exposure"]
    assert _first(plan).status == "due"
    assert not BillingInstruction.objects.exists()


def test_a_second_filing_is_refused(plan: ReportingPlan, auditor: User) -> None:
    client = client_for(auditor)
    url = f"/api/premium-reports/{_first(plan).pk}"
    assert post(client, url, {"lines": ON_TRACK}).status_code == 200
    again = post(client, url, {"lines": ON_TRACK})
    assert again.status_code == 409
    assert BillingInstruction.objects.count() == 1


def test_an_underwriter_and_billing_may_not_read_or_file_reports(
    plan: ReportingPlan, underwriter: User, billing: User
) -> None:
    for user in (underwriter, billing):
        client = client_for(user)
        assert client.get("/api/premium-reports").status_code == 403
        url = f"/api/premium-reports/{_first(plan).pk}"
        assert post(client, url, {"lines": ON_TRACK}).status_code == 403
    assert _first(plan).status == "due"


def test_an_outside_firm_sees_no_reports_of_periods_it_does_not_audit(
    plan: ReportingPlan, vendor_auditor: User
) -> None:
    client = client_for(vendor_auditor)
    assert client.get("/api/premium-reports").json()["count"] == 0
    assert (
        post(client, f"/api/premium-reports/{_first(plan).pk}", {"lines": ON_TRACK}).status_code
        == 404
    )
