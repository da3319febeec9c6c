"""A premium report's instruction (no audit, no result) is billing's like an audit's: listed,
read, exported and marked delivered through the API and on the billing queue; a vendor firm's
users see it only for a period the firm audits."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from tests.audits.conftest import api_key_for
from tests.premium_reports.conftest import ON_TRACK
from tests.queues.conftest import client_of
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.handoff import report_billing_handoff
from trueup.billing.models import BillingInstruction, OutboxMessage
from trueup.billing.selectors import instructions_visible_to
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import plan_start, report_file


@pytest.fixture
def plan(audit: Audit, manager: User) -> ReportingPlan:
    """The example period on quarterly reporting against a $4,914 deposit."""
    return plan_start(
        period=audit.period, frequency="quarterly", deposit=Decimal("4914"), by=manager
    )


def _first_report_billed(plan: ReportingPlan, by: User) -> BillingInstruction:
    first = plan.reports.first()
    assert first is not None
    filed = report_file(report=first, lines=ON_TRACK, by=by, source="api")
    return report_billing_handoff(report=filed, by=by)[0]


def test_billing_lists_reads_and_marks_delivered_a_reports_instruction_through_the_api(
    plan: ReportingPlan, auditor: User, billing: User
) -> None:
    made = _first_report_billed(plan, auditor)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(billing)}")
    listed = api.get("/api/billing/instructions?undelivered=true").json()["items"]
    assert [
        (i["id"], i["audit_id"], i["result_id"], i["report_id"], i["stage"], i["bill_now"])
        for i in listed
    ] == [(made.pk, None, None, made.report_id, "premium_report", "4910.00")]
    read = api.get(f"/api/billing/instructions/{made.pk}").json()
    assert read["payload"]["premium_report"]["covers_to"] == "2025-03-31"
    answer = api.post(
        f"/api/billing/instructions/{made.pk}/delivered",
        data={"delivered_to": "billing system"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["delivered_at"] is not None
    assert OutboxMessage.objects.get(instruction=made).delivered_to == "billing system"
    assert api.get("/api/billing/instructions?undelivered=true").json()["items"] == []


def test_the_billing_export_has_a_reports_instruction_with_its_report_and_no_audit(
    plan: ReportingPlan, auditor: User, billing: User
) -> None:
    made = _first_report_billed(plan, auditor)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(billing)}")
    answer = api.get("/api/billing/instructions/export")
    [row] = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert (row["policy_number"], row["audit_id"], row["result_id"], row["report_id"]) == (
        "WC-2025-01001",
        "",
        "",
        str(made.report_id),
    )
    assert (row["stage"], row["kind"], row["bill_now"]) == ("premium_report", "invoice", "4910.00")


def test_billing_marks_a_reports_instruction_delivered_on_the_billing_queue(
    plan: ReportingPlan, auditor: User, billing: User
) -> None:
    made = _first_report_billed(plan, auditor)
    client = client_of(billing)
    page = client.get("/queues/billing/").content.decode()
    assert "<td>Premium report Jan 1–Mar 31, 2025</td>" in page
    assert "<td>WC-2025-01001</td>" in page
    assert '<td class="num">$4,910.00</td>' in page
    answer = client.post(f"/queues/billing/{made.pk}/delivered/")
    assert answer.status_code == 302
    delivered = OutboxMessage.objects.get(instruction=made)
    assert delivered.delivered_to == "marked delivered by billing"
    assert "Every billing instruction has been delivered." in (
        client.get("/queues/billing/").content.decode()
    )


def test_a_manager_reads_a_reports_instruction_on_the_billing_queue(
    plan: ReportingPlan, auditor: User, manager: User
) -> None:
    _first_report_billed(plan, auditor)
    page = client_of(manager).get("/queues/billing/").content.decode()
    assert "<td>Premium report Jan 1–Mar 31, 2025</td>" in page
    assert "Mark delivered" not in page


def test_a_vendor_firms_user_sees_a_reports_instruction_only_for_a_period_the_firm_audits(
    audit: Audit, plan: ReportingPlan, auditor: User, vendor_auditor: User
) -> None:
    made = _first_report_billed(plan, auditor)
    assert list(instructions_visible_to(vendor_auditor)) == []
    Audit.objects.filter(pk=audit.pk).update(vendor=vendor_auditor.vendor)
    assert list(instructions_visible_to(vendor_auditor)) == [made]
    assert made.bill_now == Decimal("4910.00")
