"""The worklist's exports: the audits the worklist lists for the user and the filters, every page
of them, and none the user may not see."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import User, VendorFirm
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.policies.models import Insured, Policy, PolicyPeriod

HEADER = (
    "\ufeffAudit,Policy,Insured,Period start,Period end,Type,Method,Status,Rush,Assignee,"
    "Vendor firm,Due,Overdue,Adjustment"
)


def another_audit(number: str, insured: str, **fields: object) -> Audit:
    owner = Insured.objects.create(name=insured, entity_type="llc")
    policy = Policy.objects.create(insured=owner, number=number, line="WC")
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=date(2025, 1, 1),
        expiration=date(2026, 1, 1),
        states=["IN"],
        deposit_premium=Decimal("1000"),
    )
    return Audit.objects.create(period=period, **fields)


@pytest.fixture
def firms_audit(vendor_auditor: User) -> Audit:
    """An audit assigned to the vendor auditor's firm, due in the past and still scheduled."""
    return another_audit(
        "WC-FIRM-1",
        '=HYPERLINK("http://x")',
        status=Status.SCHEDULED,
        vendor=vendor_auditor.vendor,
        assignee=vendor_auditor,
        due_date=date(2026, 3, 1),
        rush=True,
    )


def export(user: User, fmt: str, query: str = "") -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(f"/audits/worklist.{fmt}{query}")
    assert response.status_code == 200, response.status_code
    return response.content


def lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def test_a_vendor_auditors_export_holds_only_the_firms_audits(
    audit: Audit, firms_audit: Audit, vendor_auditor: User
) -> None:
    assert lines(export(vendor_auditor, "csv")) == [
        HEADER,
        f'{firms_audit.pk},WC-FIRM-1,"\'=HYPERLINK(""http://x"")",2025-01-01,2026-01-01,'
        "Final,Mail / self-audit,Scheduled,yes,vendor,FAC,2026-03-01,yes,",
    ]


def test_a_managers_export_holds_every_audit_in_the_worklists_order(
    audit: Audit, firms_audit: Audit, manager: User
) -> None:
    rows = lines(export(manager, "csv"))
    # Due first, audits without a due date last: the worklist's own order.
    assert [row.split(",")[0] for row in rows[1:]] == [str(firms_audit.pk), str(audit.pk)]


def test_the_export_follows_the_worklists_filters(
    audit: Audit, firms_audit: Audit, manager: User
) -> None:
    assert len(lines(export(manager, "csv", "?status=scheduled"))) == 2
    assert len(lines(export(manager, "csv", "?q=WC-FIRM&status=in_progress"))) == 1
    assert len(lines(export(manager, "csv", "?assignee=none"))) == 2
    assert lines(export(manager, "csv", "?rush=on&page=7"))[1].startswith(f"{firms_audit.pk},")


def test_the_workbook_export_holds_the_same_audits(
    audit: Audit, firms_audit: Audit, vendor_auditor: User
) -> None:
    book = zipfile.ZipFile(io.BytesIO(export(vendor_auditor, "xlsx")))
    xml = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert re.findall(r'<row r="(\d+)"', xml) == ["1", "2"]
    assert "WC-FIRM-1" in strings and audit.period.policy.number not in strings
    assert "'=HYPERLINK" in strings.replace("&apos;", "'") and "<f>" not in xml


def test_the_worklist_links_to_its_exports_with_its_filters(audit: Audit, manager: User) -> None:
    client = Client()
    client.force_login(manager)
    page = client.get("/audits/?status=in_progress&page=1").content.decode()
    assert 'href="/audits/worklist.csv?status=in_progress"' in page
    assert 'href="/audits/worklist.xlsx?status=in_progress"' in page


@pytest.mark.parametrize("persona", ["policyholder", "agent_user"])
def test_portal_users_never_export_the_worklist(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/audits/worklist.{fmt}").status_code == 403


def test_an_export_of_another_kind_is_not_found(manager: User) -> None:
    client = Client()
    client.force_login(manager)
    assert client.get("/audits/worklist.pdf").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get("/audits/worklist.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_firm_without_audits_exports_only_the_header(audit: Audit, vendor_auditor: User) -> None:
    VendorFirm.objects.create(code="OTHER", name="Other firm")
    assert lines(export(vendor_auditor, "csv")) == [HEADER]
