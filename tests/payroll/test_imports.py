"""Payroll imports into an audit: preview, commit (all or nothing), the API, the command, and
reconciliation to tax filings."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits import facts
from trueup.audits.models import Audit, AuditEdit
from trueup.audits.services import IllegalTransition, StaleEdit
from trueup.audits.workflow import Status
from trueup.core.errors import NotAllowed
from trueup.payroll import services
from trueup.payroll.ingest import RegisterError, stream
from trueup.payroll.management.commands import import_payroll
from trueup.payroll.models import ImportStatus, PayrollImport

REGISTER = b"""employee,employee_id,state,class,check_date,earnings_code,amount,officer
Framing crew,E1,IN,5645,2025-01-10,regular,"200,000.00",
Framing crew,E1,IN,5645,2025-01-10,overtime,"15,000.00",
Framing crew,E1,IN,5645,2025-07-11,regular,"221,500.00",
Framing crew,E1,IN,5645,2025-07-11,401k,(4000.00),
Office,E2,IN,8810,2025-03-14,regular,"61,250.00",
Office,E2,IN,8810,2025-03-14,section_125,"1,200.00",
Office,E2,IN,8810,2026-01-02,regular,"5,000.00",
Pat Owner,E9,IN,8810,2025-06-13,regular,"90,000.00",Y
Temp,E3,IN,,2025-05-02,regular,"3,000.00",
"""


def test_a_preview_shows_lines_totals_and_exceptions_and_changes_nothing(
    audit: Audit, auditor: User
) -> None:
    before = list(audit.payroll.values_list("employee", "gross"))
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    assert preview.profile_key == "trueup"
    # Every row is used or an exception: the 2026 check, the officer and Temp without a class.
    assert (preview.rows_read, preview.rows_used, preview.rows_excepted) == (9, 6, 3)
    # Framing crew: 200,000 + 15,000 + 221,500; office 61,250 (the 2026 check is outside).
    assert preview.gross_cents == 49_775_000
    assert preview.totals == {
        "deferred_401k": 400_000,
        "overtime_total": 1_500_000,
        "regular": 48_275_000,
        "section_125": 120_000,
    }
    assert preview.lines == [
        {
            "state": "IN",
            "class_code": "5645",
            "employee": "Framing crew",
            "gross": "436500.00",
            "deferred_401k": "4000.00",
            "overtime_total": "15000.00",
        },
        {
            "state": "IN",
            "class_code": "8810",
            "employee": "Office",
            "gross": "61250.00",
            "section_125": "1200.00",
        },
    ]
    assert preview.exception_counts == {"no_class": 1, "officer": 1, "outside_period": 1}
    assert [(e["row"], e["kind"]) for e in preview.exceptions] == [
        (8, "outside_period"),
        (9, "officer"),
        (10, "no_class"),
    ]
    assert preview.refusals == []
    # The officer is recognised and kept out of the payroll lines.
    officer = next(e for e in preview.employees if e["employee"] == "Pat Owner")
    assert officer["officer"] is True
    assert list(audit.payroll.values_list("employee", "gross")) == before
    assert preview.file.read() == REGISTER


def temp_in_the_employee_table(audit: Audit, auditor: User) -> None:
    """Temp, the register's row without a class, answered: the register can then be committed."""
    services.employee_class_set(audit=audit, by=auditor, employee="E3", state="", class_code="8810")


def test_committing_replaces_the_audits_payroll_all_at_once(audit: Audit, auditor: User) -> None:
    temp_in_the_employee_table(audit, auditor)
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    services.payroll_import_commit(payroll_import=preview, by=auditor)
    lines = list(audit.payroll.order_by("id").values_list("employee", "gross", "deferred_401k"))
    assert lines == [
        ("Framing crew", Decimal("436500.00"), Decimal("4000.00")),
        ("Office", Decimal("61250.00"), Decimal("0.00")),
        ("Temp", Decimal("3000.00"), Decimal("0.00")),
    ]
    preview.refresh_from_db()
    assert (preview.status, preview.committed_by) == (ImportStatus.COMMITTED, auditor)
    assert AuditEdit.objects.get(audit=audit).summary == "replaced the payroll with 3 line(s)"
    with pytest.raises(IllegalTransition, match="this import is committed to the audit"):
        services.payroll_import_commit(payroll_import=preview, by=auditor)


def test_a_completed_audit_refuses_the_commit_and_keeps_its_payroll(
    audit: Audit, auditor: User
) -> None:
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    with pytest.raises(
        IllegalTransition, match="the audit is completed and its facts cannot change"
    ):
        services.payroll_import_commit(payroll_import=preview, by=auditor)
    assert audit.payroll.count() == 3
    preview.refresh_from_db()
    assert preview.status == ImportStatus.PREVIEWED


def test_a_preview_committed_after_someone_edited_the_payroll_replaces_nothing(
    audit: Audit, auditor: User
) -> None:
    temp_in_the_employee_table(audit, auditor)
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    line = audit.payroll.get(employee="Office")
    facts.audit_fact_save(
        audit=audit,
        by=auditor,
        kind="payroll",
        pk=line.pk,
        version=line.version,
        values={"gross": Decimal("62000")},
    )
    with pytest.raises(StaleEdit, match="preview the file again") as stale:
        services.payroll_import_commit(payroll_import=preview, by=auditor)
    assert stale.value.current == {"facts_version": 1}
    assert audit.payroll.get(pk=line.pk).gross == Decimal("62000.00")
    assert audit.payroll.count() == 3
    preview.refresh_from_db()
    assert preview.status == ImportStatus.PREVIEWED


def test_a_reviewer_may_not_import(audit: Audit, reviewer: User) -> None:
    with pytest.raises(NotAllowed):
        services.payroll_import_preview(
            audit=audit, by=reviewer, data=REGISTER, filename="register.csv"
        )
    assert not PayrollImport.objects.exists()


def test_an_unreadable_register_is_refused_and_nothing_is_kept(audit: Audit, auditor: User) -> None:
    with pytest.raises(RegisterError, match="no mapping profile matches these columns"):
        services.payroll_import_preview(
            audit=audit, by=auditor, data=b"name,pay\nAna,100\n", filename="x.csv"
        )
    assert not PayrollImport.objects.exists()


def test_employees_without_a_class_take_it_from_the_audits_employee_table(
    audit: Audit, auditor: User
) -> None:
    services.employee_class_set(
        audit=audit, by=auditor, employee="E3", state="in", class_code="8810"
    )
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    assert preview.exception_counts == {"officer": 1, "outside_period": 1}
    temp = next(line for line in preview.lines if line["employee"] == "Temp")
    assert (temp["state"], temp["class_code"], temp["gross"]) == ("IN", "8810", "3000.00")


def test_the_api_previews_and_commits_an_upload(audit: Audit, auditor: User) -> None:
    temp_in_the_employee_table(audit, auditor)
    _, key = api_token_create(user=auditor, name="payroll system")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    upload = StringIO(REGISTER.decode())
    upload.name = "register.csv"
    answer = client.post(f"/api/audits/{audit.pk}/payroll-imports", {"file": upload})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["gross_cents"], body["status"]) == (50_075_000, "previewed")
    committed = client.post(f"/api/payroll-imports/{body['id']}/commit")
    assert committed.json()["status"] == "committed"
    assert audit.payroll.count() == 3
    bad = StringIO("just one column\nx\n")
    bad.name = "bad.csv"
    refused = client.post(f"/api/audits/{audit.pk}/payroll-imports", {"file": bad})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_register"


def test_another_firm_cannot_see_or_commit_an_import(
    audit: Audit, auditor: User, vendor_auditor: User
) -> None:
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    _, key = api_token_create(user=vendor_auditor, name="firm")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/payroll-imports/{preview.pk}").status_code == 404
    assert client.post(f"/api/payroll-imports/{preview.pk}/commit").status_code == 404
    assert audit.payroll.count() == 3


def test_the_command_previews_then_commits(tmp_path: object, audit: Audit, auditor: User) -> None:
    path = tmp_path / "register.csv"  # type: ignore[operator]
    path.write_bytes(REGISTER)
    out = StringIO()
    # Temp's row has no class: the preview says so, and the command does not succeed.
    with pytest.raises(CommandError, match="1 question"):
        call_command("import_payroll", str(path), audit=audit.pk, user="auditor", stdout=out)
    assert "gross pay $497,750" in out.getvalue()
    assert "row 10, column class: no class for Temp: left out" in out.getvalue()
    assert audit.payroll.count() == 3  # a preview changes nothing
    temp_in_the_employee_table(audit, auditor)
    out = StringIO()
    call_command(
        "import_payroll", str(path), audit=audit.pk, user="auditor", commit=True, stdout=out
    )
    assert f"committed to audit {audit.pk}" in out.getvalue()
    assert audit.payroll.count() == 3


def test_a_register_larger_than_an_upload_is_imported_in_batches_as_an_upload_of_it_would_be(
    tmp_path: Path, audit: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp_in_the_employee_table(audit, auditor)
    uploaded = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    # A limit below the register's size, and batches of two rows, parsed 64 bytes at a time.
    for module in (services, import_payroll):
        monkeypatch.setattr(module, "MAX_BYTES", len(REGISTER) - 1)
    monkeypatch.setattr(stream, "BATCH_ROWS", 2)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 64)
    reads = Counted(stream.read_register_batches)
    monkeypatch.setattr(services, "read_register_batches", reads)
    path = tmp_path / "register.csv"
    path.write_bytes(REGISTER)
    out = StringIO()
    call_command("import_payroll", str(path), audit=audit.pk, user="auditor", stdout=out)
    assert reads.calls == 1
    preview = PayrollImport.objects.latest("pk")
    kept = ("rows_read", "rows_used", "rows_excepted", "gross_cents", "totals", "quarters")
    for field in (*kept, "lines", "employees", "exceptions", "sha256", "profile_key"):
        assert getattr(preview, field) == getattr(uploaded, field), field
    assert preview.file.read() == REGISTER
    # Answered again, the stored file is read in batches too, and still commits as the upload.
    fresh = services.payroll_import_resolve(
        payroll_import=preview,
        by=auditor,
        answers=[services.Resolution("employee", "E3", state="IN", class_code="8810")],
    )
    assert reads.calls == 2
    assert fresh.lines == uploaded.lines
    services.payroll_import_commit(payroll_import=fresh, by=auditor)
    assert audit.payroll.count() == 3


class Counted:
    """A function, counting its calls."""

    def __init__(self, function: Any) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.function(*args, **kwargs)


def test_the_register_reconciles_to_the_941_line_by_line(audit: Audit, auditor: User) -> None:
    temp_in_the_employee_table(audit, auditor)
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=REGISTER, filename="register.csv"
    )
    services.payroll_import_commit(payroll_import=preview, by=auditor)
    # Q1 register: 200,000 + 15,000 + 61,250 gross, Section 125 1,200 in it.
    services.tax_filing_save(
        audit=audit,
        by=auditor,
        kind="form_941",
        year=2025,
        quarter=1,
        line_2_cents=27_605_000,  # 276,050.00
        line_5c_cents=26_000_000,  # 260,000.00: 15,050.00 short
    )
    line_2, line_5c = services.audit_reconciliation(audit)
    assert (line_2.expected, line_2.unexplained, line_2.flagged) == (27_505_000, 100_000, False)
    assert line_2.tolerance == 276_050  # 1% of the filed figure
    assert line_2.explain() == [
        "2025Q1 941 line 2 (wages, tips and other compensation): register gross pay $276,250",
        "  − section 125 (not in this figure) $1,200",
        "  = expected $275,050; filed $276,050",
        "  unexplained $1,000, within the tolerance of $2,760.50 (Form 941 line 2 leaves out "
        "pre-tax 401(k) deferrals and Section 125)",
    ]
    assert (line_5c.unexplained, line_5c.flagged) == (-1_505_000, True)
    body = json.dumps([c.explain() for c in (line_2, line_5c)])
    assert "over the tolerance" in body


def test_a_saved_mapping_reads_an_export_no_profile_knows(audit: Audit, auditor: User) -> None:
    _, key = api_token_create(user=auditor, name="payroll system")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    mapping = {
        "name": "Shop payroll",
        "shape": "wide",
        "columns": {"employee": "Worker", "check_date": "Paid", "class_code": "Job"},
        "earnings": {"Straight": "regular", "OT": "overtime_total"},
    }
    saved = client.put("/api/payroll-mappings/shop", json.dumps(mapping), "application/json")
    assert saved.json() == {"key": "shop", "name": "Shop payroll"}
    bad = {**mapping, "earnings": {"Straight": "wages"}}
    refused = client.put("/api/payroll-mappings/bad", json.dumps(bad), "application/json")
    assert refused.status_code == 422
    assert "'Straight' maps to 'wages', which is not a category" in refused.json()["message"]
    data = b"Worker,Paid,Job,Straight,OT\nAna,01/10/2025,5645,1000.00,150.00\n"
    preview = services.payroll_import_preview(
        audit=audit, by=auditor, data=data, filename="shop.csv", profile="shop"
    )
    assert preview.lines == [
        {
            "state": "IN",
            "class_code": "5645",
            "employee": "Ana",
            "state_inferred_from": "the policy's only state",
            "gross": "1150.00",
            "overtime_total": "150.00",
        }
    ]
