"""State wage reports (California DE 9C, Rhode Island TX-17) read into the audit's tax filings:
each employee's wages with only the last four digits of the social security number, the pages
checked against the grand total, and the employees set against the committed register's. The
service, the payroll page and the API, and who may use them.

The fixtures in ``exports/`` are invented people, numbers and amounts in the forms' layouts;
every expected figure is summed here from the amounts as they are printed.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.payroll.test_report_shapes import workbook
from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits.models import Audit
from trueup.audits.services import AuditClosed
from trueup.audits.workflow import Status
from trueup.core.errors import NotAllowed
from trueup.payroll import services, state_wages
from trueup.payroll.ingest import RegisterError
from trueup.payroll.ingest.wage_reports import read_wage_report
from trueup.payroll.models import FilingKind, PayrollImport, TaxFiling

EXPORTS = Path(__file__).parent / "exports"
DE9C, TX17 = "ca_de9c_2025q1.csv", "ri_tx17_2025q2.csv"
# As printed on the DE 9C: (name as read, SSN, total subject wages, page).
DE9C_EMPLOYEES = [
    ("ANA M RUIZ", "900-12-6781", "13,552.63", 1),
    ("CARA NGUYEN", "900-12-4410", "10,400.00", 1),
    ("DAVID K LEE", "900-12-3057", "7,215.37", 2),
]
# A register committed on the audit (Indiana): Ana Ruiz and Ben Okafor.
REGISTER = b"""employee,employee_id,state,class,check_date,earnings_code,amount
Ana Ruiz,E1,IN,5645,2025-02-14,regular,"12,000.00"
Ben Okafor,E2,IN,8810,2025-02-14,regular,"9,500.00"
"""


def cents(amount: str) -> int:
    return int(Decimal(amount.replace(",", "")) * 100)


def data(name: str) -> bytes:
    return (EXPORTS / name).read_bytes()


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, url: str, content: bytes, name: str, **fields: str) -> Any:
    file = BytesIO(content)
    file.name = name
    return client.post(url, {"file": file, **fields})


def api(user: User) -> Client:
    _, key = api_token_create(user=user, name="wage reports")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def commit_register(audit: Audit, auditor: User) -> None:
    item = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    services.payroll_import_commit(payroll_import=item, by=auditor)


# Reading the reports


def test_a_de9c_gives_each_employees_wages_the_quarter_and_the_checked_grand_total() -> None:
    report = read_wage_report(data(DE9C), DE9C)
    assert (report.state, report.year, report.quarter) == ("CA", 2025, 1)
    assert report.employees == [
        {"employee": name, "ssn_last4": ssn[-4:], "total_wages_cents": cents(wages), "page": page}
        for name, ssn, wages, page in DE9C_EMPLOYEES
    ]
    assert report.total_wages_cents == sum(cents(w) for _, _, w, _ in DE9C_EMPLOYEES)
    assert report.pages == [
        {"page": 1, "row": 10, "total_cents": cents("13,552.63") + cents("10,400.00")},
        {"page": 2, "row": 15, "total_cents": cents("7,215.37")},
    ]


def test_a_full_social_security_number_is_never_kept() -> None:
    report = read_wage_report(data(DE9C), DE9C)
    kept = repr(report)
    for _, ssn, _, _ in DE9C_EMPLOYEES:
        assert ssn not in kept
        assert ssn.replace("-", "") not in kept
        assert ssn[:6] not in kept


def test_a_tx17_gives_rhode_islands_quarter_and_total() -> None:
    report = read_wage_report(data(TX17), TX17)
    assert (report.state, report.year, report.quarter) == ("RI", 2025, 2)
    assert [(e["employee"], e["ssn_last4"], e["total_wages_cents"]) for e in report.employees] == [
        ("OKAFOR, BEN", "1111", cents("11,970.00")),
        ("RUIZ, ANA", "2222", cents("13,552.63")),
    ]
    assert report.total_wages_cents == cents("11,970.00") + cents("13,552.63")


def test_a_grand_total_the_pages_do_not_add_up_to_is_refused_naming_the_pages() -> None:
    with pytest.raises(RegisterError) as refused:
        read_wage_report(data("ca_de9c_grand_total_off.csv"), "ca_de9c_grand_total_off.csv")
    assert refused.value.message == (
        "row 16: the grand total says $31,268.00 but the pages add up to $31,168.00 "
        "(page 1 $23,952.63, page 2 $7,215.37)"
    )


def test_a_page_whose_employees_do_not_add_up_to_its_total_is_refused_naming_the_page() -> None:
    wrong = data(DE9C).replace(
        b'H. TOTAL SUBJECT WAGES THIS PAGE,,,,"7,215.37"',
        b'H. TOTAL SUBJECT WAGES THIS PAGE,,,,"7,251.37"',
    )
    with pytest.raises(RegisterError, match=r"^page 2 \(row 15\): its employees' wages add up"):
        read_wage_report(wrong, DE9C)


@pytest.mark.parametrize("name", [DE9C, TX17])
def test_a_report_saved_as_a_workbook_reads_as_its_csv(name: str) -> None:
    as_xlsx = read_wage_report(workbook(name), name.replace(".csv", ".xlsx"))
    assert as_xlsx == read_wage_report(data(name), name)


def test_a_pdf_is_refused() -> None:
    with pytest.raises(RegisterError, match="the file is a PDF"):
        read_wage_report(b"%PDF-1.7\n...", "de9c.pdf")


# The service


def test_the_report_is_saved_as_the_quarters_state_filing_with_its_employees(
    audit: Audit, auditor: User
) -> None:
    filing = state_wages.state_wage_report_save(
        audit=audit, by=auditor, data=data(DE9C), filename=DE9C
    )
    assert (filing.kind, filing.state, filing.year, filing.quarter) == (
        FilingKind.STATE_UI,
        "CA",
        2025,
        1,
    )
    assert filing.total_wages_cents == sum(cents(w) for _, _, w, _ in DE9C_EMPLOYEES)
    assert filing.source == DE9C
    assert [e["ssn_last4"] for e in filing.employees] == ["6781", "4410", "3057"]
    # Read again, the same quarter's filing is replaced, not doubled.
    state_wages.state_wage_report_save(
        audit=audit, by=auditor, data=data(DE9C), filename="again.csv"
    )
    assert TaxFiling.objects.get().source == "again.csv"


def test_the_filings_employees_are_set_against_the_committed_registers(
    audit: Audit, auditor: User
) -> None:
    commit_register(audit, auditor)
    state_wages.state_wage_report_save(audit=audit, by=auditor, data=data(TX17), filename=TX17)
    state_wages.state_wage_report_save(audit=audit, by=auditor, data=data(DE9C), filename=DE9C)
    by_filing = {c.filing: c for c in state_wages.filing_employees(audit)}
    ri = by_filing[f"RI 2025 Q2, from {TX17}"]
    assert ri.on_both == 2  # "RUIZ, ANA" is Ana Ruiz, "OKAFOR, BEN" Ben Okafor
    assert ri.only_on_filing == ri.only_on_register == ()
    ca = by_filing[f"CA 2025 Q1, from {DE9C}"]
    assert ca.on_both == 1  # ANA M RUIZ: the initial is not compared
    assert [(p.name, p.cents) for p in ca.only_on_filing] == [
        ("CARA NGUYEN", cents("10,400.00")),
        ("DAVID K LEE", cents("7,215.37")),
    ]
    assert [(p.name, p.cents) for p in ca.only_on_register] == [("Ben Okafor", cents("9,500.00"))]


def test_a_role_that_may_not_enter_filings_is_refused(audit: Audit, reviewer: User) -> None:
    with pytest.raises(NotAllowed):
        state_wages.state_wage_report_save(audit=audit, by=reviewer, data=data(DE9C), filename=DE9C)
    assert not TaxFiling.objects.exists()


def test_a_final_audits_filings_cannot_change(audit: Audit, auditor: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    audit.refresh_from_db()
    with pytest.raises(AuditClosed):
        state_wages.state_wage_report_save(audit=audit, by=auditor, data=data(DE9C), filename=DE9C)
    assert not TaxFiling.objects.exists()


# The payroll page


def test_an_auditor_reads_a_wage_report_on_the_payroll_page_and_sees_who_differs(
    audit: Audit, auditor: User
) -> None:
    commit_register(audit, auditor)
    client = logged_in(auditor)
    answer = upload(client, f"/audits/{audit.pk}/payroll/state-wage-reports/", data(DE9C), DE9C)
    assert answer["Location"] == f"/audits/{audit.pk}/payroll/#reconciliation"
    assert TaxFiling.objects.get().total_wages_cents == 3_116_800
    page = client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    assert "CA 2025 Q1, 3 employee(s), total wages $31,168.00." in page
    assert "<td>CARA NGUYEN</td><td>the wage report only</td>" in page
    assert "<td>Ben Okafor</td><td>the register only</td>" in page
    assert f"(from {DE9C})" in page


def test_a_wage_report_uploaded_as_a_register_is_sent_to_the_tax_filings(
    audit: Audit, auditor: User
) -> None:
    answer = upload(
        logged_in(auditor), f"/audits/{audit.pk}/payroll/", data(DE9C), DE9C, basis="check"
    )
    assert answer.status_code == 200
    assert "upload it in the tax filings and reconciliation section" in answer.content.decode()
    assert not PayrollImport.objects.exists()


def test_a_wage_report_that_does_not_add_up_is_explained_on_the_page(
    audit: Audit, auditor: User
) -> None:
    client = logged_in(auditor)
    name = "ca_de9c_grand_total_off.csv"
    upload(client, f"/audits/{audit.pk}/payroll/state-wage-reports/", data(name), name)
    page = client.get(f"/audits/{audit.pk}/payroll/").content.decode()
    assert "The wage report was not read: row 16: the grand total says $31,268.00" in page
    assert not TaxFiling.objects.exists()


def test_a_reviewer_may_not_upload_a_wage_report_on_the_page(audit: Audit, reviewer: User) -> None:
    url = f"/audits/{audit.pk}/payroll/state-wage-reports/"
    assert upload(logged_in(reviewer), url, data(DE9C), DE9C).status_code == 403
    assert not TaxFiling.objects.exists()


# The API


def test_the_api_reads_a_wage_report_and_answers_who_differs(audit: Audit, auditor: User) -> None:
    commit_register(audit, auditor)
    answer = upload(api(auditor), f"/api/audits/{audit.pk}/state-wage-reports", data(DE9C), DE9C)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["state"], body["year"], body["quarter"]) == ("CA", 2025, 1)
    assert body["total_wages_cents"] == sum(cents(w) for _, _, w, _ in DE9C_EMPLOYEES)
    assert body["source"] == DE9C
    assert [e["ssn_last4"] for e in body["employees"]] == ["6781", "4410", "3057"]
    assert body["only_on_report"] == [
        {"employee": "CARA NGUYEN", "cents": cents("10,400.00")},
        {"employee": "DAVID K LEE", "cents": cents("7,215.37")},
    ]
    assert body["only_on_register"] == [{"employee": "Ben Okafor", "cents": cents("9,500.00")}]
    assert "900-12" not in answer.content.decode()


def test_the_api_refuses_a_report_that_does_not_add_up_naming_the_row(
    audit: Audit, auditor: User
) -> None:
    name = "ca_de9c_grand_total_off.csv"
    answer = upload(api(auditor), f"/api/audits/{audit.pk}/state-wage-reports", data(name), name)
    assert answer.status_code == 422
    assert "row 16: the grand total says $31,268.00" in answer.content.decode()


def test_the_api_refuses_a_final_audit(audit: Audit, auditor: User) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    answer = upload(api(auditor), f"/api/audits/{audit.pk}/state-wage-reports", data(DE9C), DE9C)
    assert answer.status_code == 409
    assert not TaxFiling.objects.exists()


def test_another_firms_auditor_sees_no_such_audit(audit: Audit, vendor_auditor: User) -> None:
    url = f"/api/audits/{audit.pk}/state-wage-reports"
    assert upload(api(vendor_auditor), url, data(DE9C), DE9C).status_code == 404
    assert (
        upload(
            logged_in(vendor_auditor),
            f"/audits/{audit.pk}/payroll/state-wage-reports/",
            data(DE9C),
            DE9C,
        ).status_code
        == 404
    )
    assert not TaxFiling.objects.exists()


def test_the_policyholder_may_not_upload_a_wage_report(audit: Audit, policyholder: User) -> None:
    # A portal login holds no API key (none may be made for it), and a session is no key.
    url = f"/api/audits/{audit.pk}/state-wage-reports"
    assert upload(logged_in(policyholder), url, data(DE9C), DE9C).status_code == 401
    page = upload(
        logged_in(policyholder), f"/audits/{audit.pk}/payroll/state-wage-reports/", data(DE9C), DE9C
    )
    assert page.status_code == 403
    assert not TaxFiling.objects.exists()
