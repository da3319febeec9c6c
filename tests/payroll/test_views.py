"""The payroll pages of the workbench: upload, preview, commit, filings and reconciliation, and
who may use them."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client

from tests.payroll.test_imports import REGISTER
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.payroll import services
from trueup.payroll.models import ImportStatus, PayrollImport, TaxFiling


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, audit: Audit, data: bytes = REGISTER, name: str = "register.csv"):
    file = BytesIO(data)
    file.name = name
    return client.post(
        f"/audits/{audit.pk}/payroll/", {"file": file, "profile": "", "basis": "check"}
    )


def test_an_auditor_uploads_resolves_the_row_without_a_class_and_commits_a_register(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    answer = upload(client, audit)
    item = PayrollImport.objects.get()
    assert answer["Location"] == f"/audits/{audit.pk}/payroll/{item.pk}/"
    page = client.get(answer["Location"]).content.decode()
    assert 'id="import-gross">$497,750<' in page
    assert "no class for Temp: left out" in page
    # Temp's $3,000.00 has no class: it waits for the auditor, and the import cannot go in.
    assert "Waiting for you: $3,000<" in page
    assert "Commit to the audit" not in page
    resolved = client.post(
        f"/audits/{audit.pk}/payroll/{item.pk}/resolve/",
        {
            "answer_kind": ["employee"],
            "answer_value": ["Temp"],
            "answer_state": [""],
            "answer_class_code": ["8810"],
            "answer_category": [""],
            "answer_reason": [""],
        },
    )
    fresh = PayrollImport.objects.exclude(pk=item.pk).get()
    assert resolved["Location"] == f"/audits/{audit.pk}/payroll/{fresh.pk}/"
    item.refresh_from_db()
    assert item.status == ImportStatus.DISCARDED
    assert fresh.gross_cents == 50_075_000
    assert fresh.unresolved == []
    page = client.get(resolved["Location"]).content.decode()
    assert "Commit to the audit" in page
    assert audit.payroll.count() == 3  # nothing changes before the commit
    done = client.post(f"/audits/{audit.pk}/payroll/{fresh.pk}/commit/")
    assert done["Location"] == f"/audits/{audit.pk}/#worksheet"
    fresh.refresh_from_db()
    assert fresh.status == ImportStatus.COMMITTED
    assert sorted(audit.payroll.values_list("employee", "class_code", "gross")) == [
        ("Framing crew", "5645", Decimal("436500.00")),
        ("Office", "8810", Decimal("61250.00")),
        ("Temp", "8810", Decimal("3000.00")),
    ]
    # The audit page re-rates with the imported payroll at once.
    assert "Working result" in client.get(f"/audits/{audit.pk}/").content.decode()


def test_a_file_no_profile_reads_is_kept_for_its_column_mapping(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    answer = upload(client, audit, b"name,pay\nAna,100\n", "x.csv")
    item = PayrollImport.objects.get()
    assert item.status == ImportStatus.UNREAD
    assert answer["Location"] == f"/audits/{audit.pk}/payroll/{item.pk}/mapping/"
    page = client.get(answer["Location"]).content.decode()
    assert "no mapping profile matches these columns (name, pay)" in page
    assert "<td>Ana</td><td>100</td>" in page


def test_filings_entered_on_the_page_are_reconciled(audit: Audit, auditor: User) -> None:
    client = logged_in(auditor)
    services.employee_class_set(audit=audit, by=auditor, employee="E3", state="", class_code="8810")
    upload(client, audit)
    client.post(f"/audits/{audit.pk}/payroll/{PayrollImport.objects.get().pk}/commit/")
    client.post(
        f"/audits/{audit.pk}/payroll/filings/",
        {"kind": "form_941", "year": "2025", "quarter": "1", "line_2": "276050.00"},
    )
    assert TaxFiling.objects.get().line_2_cents == 27_605_000
    page = client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    assert "= expected $275,050; filed $276,050" in page


@pytest.mark.parametrize("persona", ["reviewer", "underwriter"])
def test_read_only_roles_see_the_payroll_but_may_not_import(
    request: pytest.FixtureRequest, audit: Audit, persona: str
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(f"/audits/{audit.pk}/payroll/").status_code == 200
    assert upload(client, audit).status_code == 403
    filing = client.post(
        f"/audits/{audit.pk}/payroll/filings/", {"kind": "form_941", "year": "2025", "quarter": "1"}
    )
    assert filing.status_code == 403
    assert not PayrollImport.objects.exists()
    assert not TaxFiling.objects.exists()


def test_another_firm_and_anonymous_visitors_see_nothing(
    audit: Audit, auditor: User, vendor_auditor: User
) -> None:
    upload(logged_in(auditor), audit)
    item = PayrollImport.objects.get()
    firm = logged_in(vendor_auditor)
    assert firm.get(f"/audits/{audit.pk}/payroll/").status_code == 404
    assert firm.get(f"/audits/{audit.pk}/payroll/{item.pk}/").status_code == 404
    assert firm.post(f"/audits/{audit.pk}/payroll/{item.pk}/commit/").status_code == 404
    anonymous = Client().get(f"/audits/{audit.pk}/payroll/{item.pk}/")
    assert anonymous["Location"].startswith("/login/")
    item.refresh_from_db()
    assert item.status == ImportStatus.PREVIEWED


def test_an_employees_class_entered_on_the_page_serves_the_next_import(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    client.post(
        f"/audits/{audit.pk}/payroll/employees/",
        {"employee": "E3", "state": "in", "class_code": "8810"},
    )
    assert (
        "<td>E3</td><td>IN</td><td>8810</td>"
        in client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    )
    upload(client, audit)
    assert PayrollImport.objects.get().exception_counts == {"officer": 1, "outside_period": 1}


def test_a_reviewer_may_not_classify_employees(audit: Audit, reviewer: User) -> None:
    answer = logged_in(reviewer).post(
        f"/audits/{audit.pk}/payroll/employees/",
        {"employee": "E3", "state": "IN", "class_code": "8810"},
    )
    assert answer.status_code == 403


def test_the_preview_page_shows_the_row_count_and_what_the_engine_would_refuse_without_a_commit(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    data = b"""employee,employee_id,state,class,check_date,earnings_code,amount
Ann Lee,E1,IN,8810,2025-02-14,regular,1000.00
Ann Lee,E1,IN,8810,2025-02-14,overtime,100.00
Ann Lee,E1,IN,8810,2025-03-14,overtime_premium,150.00
Bob Cruz,E2,IN,5645,2025-02-14
"""
    page = client.get(upload(client, audit, data)["Location"]).content.decode()
    assert '<span id="import-rows">4 rows read = 3 used + 1 in exceptions</span>' in page
    assert (
        "<tr><td>row 4, column amount</td><td>Ann Lee, IN 8810: the overtime premium portion "
        "150.00 is more than the total overtime pay 100.00 it is part of</td></tr>"
    ) in page
    assert "Commit to the audit" not in page
    item = PayrollImport.objects.get()
    answer = client.post(f"/audits/{audit.pk}/payroll/{item.pk}/commit/")
    assert answer["Location"] == f"/audits/{audit.pk}/payroll/{item.pk}/"
    assert audit.payroll.count() == 3


def test_a_completed_audits_filings_and_employee_classes_are_read_only_on_the_page(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    client = logged_in(auditor)
    page = client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    assert (
        '<p class="note" id="facts-closed">The audit is completed: its payroll, tax filings and '
        "employees' classes cannot change here.</p>"
    ) in page
    assert "Enter a quarter's figures" not in page
    assert "Import a payroll register" not in page
    answer = client.post(
        f"/audits/{audit.pk}/payroll/employees/",
        {"employee": "E3", "state": "IN", "class_code": "8810"},
        follow=True,
    )
    assert (
        "The employee was not saved: the audit is completed and its facts cannot change"
        in answer.content.decode()
    )
    assert not audit.employee_classes.exists()
