"""Imports that say what they did: every row of a register is used or named in an exception, with
its row, column and reason; the lines are checked against the policy's states, the rate table in
use and the engine's own checks before they can be committed; an empty import never wipes the
audit's payroll; tax filings and employee classes are read only once the audit's facts are closed.

The audit is the first example's: Indiana, 2025-01-01 to 2026-01-01, classes 5645 and 8810 in the
demo rates, with three payroll lines entered.
"""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits.models import Audit
from trueup.audits.services import AuditClosed, InvalidFacts
from trueup.audits.workflow import Status
from trueup.audits.worksheet import worksheet_for
from trueup.payroll import services
from trueup.payroll.models import EmployeeClass, ImportStatus, PayrollImport, TaxFiling
from trueup.rating import rate_worksheet
from trueup.reference.models import RateTableStatus, RateTableVersion
from trueup.reference.selectors import rates_in_use

TRUEUP = "employee,employee_id,state,class,check_date,earnings_code,amount"
GUSTO = "Employee,Employee ID,Work State,WC Class,Check Date,Regular Earnings,401(k),Net Pay"


def preview(audit: Audit, by: User, text: str, name: str = "register.csv") -> PayrollImport:
    return services.payroll_import_preview(
        audit=audit, by=by, data=text.lstrip().encode(), filename=name
    )


def named(item: PayrollImport) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["kind"]) for e in item.exceptions]


def message(item: PayrollImport, row: int) -> str:
    return " | ".join(e["message"] for e in item.exceptions if e["row"] == row)


def counts(item: PayrollImport) -> tuple[int, int, int]:
    """(rows read, rows used, rows named in exceptions), which always add up."""
    assert item.rows_read == item.rows_used + item.rows_excepted
    return item.rows_read, item.rows_used, item.rows_excepted


def workbook(rows: list[list[Any]]) -> bytes:
    """An XLSX register as a spreadsheet writes it: strings as text, numbers as numbers, and a
    string starting with '=' as a formula (never calculated, as a program writes it)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Payroll")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, str) and cell.startswith("="):
                sheet.write_formula(r, c, cell)
            elif isinstance(cell, str):
                sheet.write_string(r, c, cell)
            elif cell is not None:
                sheet.write_number(r, c, cell)
    book.close()
    return out.getvalue()


def original_payroll(audit: Audit) -> list[tuple[str, Decimal]]:
    return list(audit.payroll.order_by("id").values_list("employee", "gross"))


# --- Rows cut short, rows of zeros, blank rows ---------------------------------------------------


def test_a_short_row_is_named_at_its_row_and_counted_as_an_exception(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00
Bob Cruz,E2,IN,5645,2025-02-14
""",
    )
    assert named(item) == [(3, "amount", "no_amount")]
    assert message(item, 3) == "no amount on this row (is it cut short?): left out"
    assert counts(item) == (2, 1, 1)
    assert [line["employee"] for line in item.lines] == ["Ann Lee"]


def test_a_register_of_short_rows_cannot_be_committed_and_the_audits_payroll_stays(
    audit: Audit, auditor: User
) -> None:
    before = original_payroll(audit)
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14
Bob Cruz,E2,IN,5645
""",
    )
    assert named(item) == [(2, "amount", "no_amount"), (3, "amount", "no_amount")]
    assert counts(item) == (2, 0, 2)
    assert (item.lines, item.committable) == ([], False)
    with pytest.raises(InvalidFacts, match="the register gave no payroll lines") as refused:
        services.payroll_import_commit(payroll_import=item, by=auditor)
    assert refused.value.problems[0].reason == (
        "the register gave no payroll lines (2 row(s) read, 2 of them exceptions): committing it "
        "would leave the audit without payroll, so the audit's payroll is kept as it is"
    )
    assert original_payroll(audit) == before
    item.refresh_from_db()
    assert item.status == ImportStatus.PREVIEWED


def test_a_workbook_row_of_zeros_is_named_and_not_silently_passed_over(
    audit: Audit, auditor: User
) -> None:
    data = workbook(
        [
            GUSTO.split(","),
            ["Ann Lee", "E1", "IN", "8810", "02/14/2025", 2500, 100, 2000],
            ["Bob Cruz", "E2", "IN", "5645", "02/14/2025", 0, 0, 0],
        ]
    )
    item = services.payroll_import_preview(
        audit=audit, by=auditor, data=data, filename="register.xlsx"
    )
    assert named(item) == [(3, "", "zero_amount")]
    assert message(item, 3) == "every amount on this row is zero: left out"
    assert counts(item) == (2, 1, 1)
    assert item.lines == [
        {
            "state": "IN",
            "class_code": "8810",
            "employee": "Ann Lee",
            "gross": "2500.00",
            "deferred_401k": "100.00",
        }
    ]


def test_blank_rows_are_not_rows_read_and_a_note_below_the_table_is_named(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00
,,,,,,

Prepared by the payroll office,,,,,,
""",
    )
    assert named(item) == [(5, "amount", "no_amount")]
    assert counts(item) == (2, 1, 1)


# --- Bad amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        (
            "=SUM(A1:A3)",
            "'=SUM(A1:A3)' is a formula, not an amount (export the register with values)",
        ),
        ("NaN", "'NaN' is not an amount"),
        ("1e5", "'1e5' is in scientific notation (write the amount in full)"),
        ("12.345", "'12.345' has more than two decimals (amounts are dollars and cents)"),
        (
            "123456789012345.00",
            "'123456789012345.00' is more than the largest amount a payroll line holds "
            "($999,999,999,999.99)",
        ),
    ],
)
def test_a_bad_amount_makes_its_row_an_exception_never_zero_gross_with_deductions(
    audit: Audit, auditor: User, cell: str, why: str
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{GUSTO}
Ann Lee,E1,IN,8810,02/14/2025,2500.00,100.00,2000.00
Bob Cruz,E2,IN,5645,02/14/2025,{cell},150.00,1700.00
""",
    )
    assert named(item) == [(3, "Regular Earnings", "bad_amount")]
    assert message(item, 3) == f"{why}: the row is left out"
    assert counts(item) == (2, 1, 1)
    # Bob Cruz's 401(k) is not kept as a line of $0 gross with a deferral the engine refuses.
    assert [(line["employee"], line["gross"]) for line in item.lines] == [("Ann Lee", "2500.00")]
    assert item.totals == {"deferred_401k": 10_000, "regular": 250_000}
    assert (item.refusals, item.committable) == ([], True)


def test_a_formula_cell_in_a_workbook_makes_its_row_an_exception(
    audit: Audit, auditor: User
) -> None:
    data = workbook(
        [
            GUSTO.split(","),
            ["Ann Lee", "E1", "IN", "8810", "02/14/2025", 2500, 100, 2000],
            ["Bob Cruz", "E2", "IN", "5645", "02/14/2025", "=SUM(A1:A3)", 150, 1700],
        ]
    )
    item = services.payroll_import_preview(
        audit=audit, by=auditor, data=data, filename="register.xlsx"
    )
    assert named(item) == [(3, "Regular Earnings", "bad_amount")]
    assert message(item, 3) == (
        "'=SUM(A1:A3) (not calculated)' is a formula, not an amount (export the register with "
        "values): the row is left out"
    )
    assert counts(item) == (2, 1, 1)
    assert [line["employee"] for line in item.lines] == ["Ann Lee"]


# --- States and classes --------------------------------------------------------------------------


def test_a_state_that_is_no_state_and_one_not_on_the_policy_are_exceptions_at_the_state_column(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00
Bob Cruz,E2,ZZ,5645,2025-02-14,regular,1800.00
Cy Dunn,E3,ky,5645,2025-02-14,regular,1200.00
""",
    )
    assert named(item) == [(3, "state", "bad_state"), (4, "state", "bad_state")]
    assert message(item, 3) == "state 'ZZ' is not one of the policy's states (IN): left out"
    assert message(item, 4) == "state 'KY' is not one of the policy's states (IN): left out"
    assert counts(item) == (3, 1, 2)
    assert [line["employee"] for line in item.lines] == ["Ann Lee"]


def test_a_class_without_a_rate_in_the_table_in_use_and_a_class_written_as_a_decimal_are_exceptions(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00
Bob Cruz,E2,IN,0000,2025-02-14,regular,1800.00
Cy Dunn,E3,IN,8810.0,2025-02-14,regular,1200.00
""",
    )
    assert named(item) == [(3, "class", "bad_class"), (4, "class", "bad_class")]
    version = rates_in_use().version
    assert message(item, 3) == (
        f"class 0000 has no WC rate in IN in force on 2025-01-01 (rates {version}): left out"
    )
    assert message(item, 4) == (
        "class '8810.0' is a number with decimals, not a class code (format the column as "
        "text): left out"
    )
    assert counts(item) == (3, 1, 2)
    assert [(line["employee"], line["class_code"]) for line in item.lines] == [("Ann Lee", "8810")]


def test_a_class_from_the_employee_table_is_checked_against_the_rate_table_too(
    audit: Audit, auditor: User
) -> None:
    EmployeeClass.objects.create(audit=audit, employee="E2", state="IN", class_code="0000")
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Bob Cruz,E2,IN,,2025-02-14,regular,1800.00
""",
    )
    # The class came from the employee table, not a register column: no column is named.
    assert named(item) == [(2, "", "bad_class")]
    assert counts(item) == (1, 0, 1)


# --- Overtime ------------------------------------------------------------------------------------


def test_total_overtime_and_its_premium_portion_on_one_line_commit_and_rate(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,1000.00
Ann Lee,E1,IN,8810,2025-02-14,overtime,450.00
Ann Lee,E1,IN,8810,2025-02-14,overtime_premium,150.00
""",
    )
    assert item.lines == [
        {
            "state": "IN",
            "class_code": "8810",
            "employee": "Ann Lee",
            "gross": "1450.00",
            "overtime_premium": "150.00",
            "overtime_total": "450.00",
        }
    ]
    assert (counts(item), item.refusals) == ((3, 3, 0), [])
    services.payroll_import_commit(payroll_import=item, by=auditor)
    result = rate_worksheet(worksheet_for(audit), rates=rates_in_use())
    line = next(e for e in result.audited.exposures if e.class_code == "8810")
    # The premium portion given is what comes off: 1,450 - 150 = 1,300.00
    assert line.amount == Decimal("1300.00")
    overtime = [r for r in line.reasons if r.rule == "overtime"]
    assert [(r.amount, r.path) for r in overtime] == [
        (Decimal("-150.00"), "$.audited.payroll[0].overtime_premium")
    ]


def test_a_premium_portion_larger_than_its_total_cannot_be_committed_and_names_the_cells(
    audit: Audit, auditor: User
) -> None:
    before = original_payroll(audit)
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,1000.00
Ann Lee,E1,IN,8810,2025-02-14,overtime,100.00
Ann Lee,E1,IN,8810,2025-03-14,overtime_premium,150.00
""",
    )
    assert item.refusals == [
        {
            "rows": [4],
            "where": "row 4, column amount",
            "field": "overtime_premium",
            "message": "Ann Lee, IN 8810: the overtime premium portion 150.00 is more than the "
            "total overtime pay 100.00 it is part of",
        }
    ]
    assert item.committable is False
    with pytest.raises(InvalidFacts) as refused:
        services.payroll_import_commit(payroll_import=item, by=auditor)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "row 4, column amount",
            "Ann Lee, IN 8810: the overtime premium portion 150.00 is more than the total "
            "overtime pay 100.00 it is part of",
        )
    ]
    assert original_payroll(audit) == before


def test_deductions_without_gross_pay_are_refused_at_the_rows_that_make_the_gross(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,1000.00
Bob Cruz,E2,IN,5645,2025-02-14,401k,(40.00)
Bob Cruz,E2,IN,5645,2025-02-28,401k,(40.00)
""",
    )
    assert [(r["where"], r["field"]) for r in item.refusals] == [
        ("rows 3 and 4, column amount", "gross")
    ]
    assert item.refusals[0]["message"] == (
        "Bob Cruz, IN 5645: gross pay 0.00 is less than the amounts it includes (overtime, tips, "
        "severance, military pay, deferrals: 80.00)"
    )


def test_a_class_whose_rate_was_withdrawn_after_the_preview_is_refused_at_commit(
    audit: Audit, auditor: User
) -> None:
    item = preview(audit, auditor, f"{TRUEUP}\nAnn Lee,E1,IN,8810,2025-02-14,regular,2500.00\n")
    assert item.committable is True
    # A rate table without class 8810 is put in use between the preview and the commit.
    RateTableVersion.objects.create(
        name="in-wc-5645-only",
        source="test",
        csv_text="state,line,class,basis,effective,rate,minimum_premium,description,status\n"
        "IN,WC,5645,payroll,2025-01-01,4.00,,Carpentry,illustrative\n",
        status=RateTableStatus.ACTIVE,
        activated_at=timezone.now(),
    )
    with pytest.raises(InvalidFacts) as refused:
        services.payroll_import_commit(payroll_import=item, by=auditor)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "Ann Lee, IN 8810",
            "no WC rate for class 8810 in IN in force on 2025-01-01 (rates "
            f"{rates_in_use().version}) (this changed since the preview: preview the file again)",
        )
    ]
    assert audit.payroll.count() == 3


# --- Everything at once: the reconciliation ------------------------------------------------------


def test_rows_read_are_rows_used_plus_rows_in_exceptions_for_a_register_with_every_defect(
    audit: Audit, auditor: User
) -> None:
    item = preview(
        audit,
        auditor,
        f"""
{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,2500.00
Ann Lee,E1,IN,8810,2025-02-14,401k,-100.00
Bob Cruz,E2,IN,5645
Cy Dunn,E3,IN,5645,2025-02-14,regular,NaN
Di Eng,E4,ZZ,5645,2025-02-14,regular,900.00
Ed Fox,E5,IN,0000,2025-02-14,regular,800.00
Flo Gil,E6,IN,8810.0,2025-02-14,regular,700.00
Gus Hay,E7,IN,5645,2025-02-14,regular,0.00
Hal Ivy,E8,IN,5645,2026-02-14,regular,600.00
Ivo Jax,E9,IN,5645,2025-02-14,regular,1,000.00
""".replace("1,000.00", '"1,000.00"'),
    )
    assert counts(item) == (10, 3, 7)
    assert item.exception_counts == {
        "bad_amount": 1,
        "bad_class": 2,
        "bad_state": 1,
        "no_amount": 1,
        "outside_period": 1,
        "zero_amount": 1,
    }
    assert [(line["employee"], line["gross"]) for line in item.lines] == [
        ("Ivo Jax", "1000.00"),
        ("Ann Lee", "2500.00"),
    ]
    assert (item.gross_cents, item.refusals) == (350_000, [])


# --- The API and the command ---------------------------------------------------------------------


def api(user: User) -> Client:
    _, key = api_token_create(user=user, name="payroll system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_api_shows_the_reconciliation_and_refuses_the_commit_at_the_row_and_column(
    audit: Audit, auditor: User
) -> None:
    client = api(auditor)
    upload = StringIO(
        f"""{TRUEUP}
Ann Lee,E1,IN,8810,2025-02-14,regular,1000.00
Ann Lee,E1,IN,8810,2025-02-14,overtime,100.00
Ann Lee,E1,IN,8810,2025-03-14,overtime_premium,150.00
Bob Cruz,E2,ZZ,5645,2025-02-14,regular,1800.00
"""
    )
    upload.name = "register.csv"
    answer = client.post(f"/api/audits/{audit.pk}/payroll-imports", {"file": upload})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["rows_read"], body["rows_used"], body["rows_excepted"]) == (4, 3, 1)
    assert body["committable"] is False
    assert [(e["row"], e["column"], e["kind"]) for e in body["exceptions"]] == [
        (5, "state", "bad_state")
    ]
    assert [r["where"] for r in body["refusals"]] == ["row 4, column amount"]
    refused = client.post(f"/api/payroll-imports/{body['id']}/commit")
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {
            "path": "row 4, column amount",
            "reason": "Ann Lee, IN 8810: the overtime premium portion 150.00 is more than the "
            "total overtime pay 100.00 it is part of",
        }
    ]
    assert audit.payroll.count() == 3


def test_the_command_refuses_to_commit_a_register_of_short_rows(
    tmp_path: Any, audit: Audit, auditor: User
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(f"{TRUEUP}\nAnn Lee,E1,IN,8810,2025-02-14\n")
    out = StringIO()
    with pytest.raises(CommandError, match="the register gave no payroll lines"):
        call_command(
            "import_payroll", str(path), audit=audit.pk, user="auditor", commit=True, stdout=out
        )
    assert "1 rows read, 0 used, 1 exceptions" in out.getvalue()
    assert "row 2, column amount: no amount on this row (is it cut short?): left out" in (
        out.getvalue()
    )
    assert audit.payroll.count() == 3


# --- Closed audits -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.ESTIMATED, Status.WAIVED])
def test_tax_filings_employee_classes_and_imports_of_a_final_audit_are_refused(
    audit: Audit, auditor: User, status: str
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=status)
    audit.refresh_from_db()
    with pytest.raises(AuditClosed, match="its facts cannot change"):
        services.tax_filing_save(
            audit=audit, by=auditor, kind="form_941", year=2025, quarter=1, line_2_cents=100
        )
    with pytest.raises(AuditClosed, match="its facts cannot change"):
        services.employee_class_set(
            audit=audit, by=auditor, employee="E3", state="IN", class_code="8810"
        )
    with pytest.raises(AuditClosed, match="its facts cannot change"):
        preview(audit, auditor, f"{TRUEUP}\nAnn Lee,E1,IN,8810,2025-02-14,regular,2500.00\n")
    assert not TaxFiling.objects.exists()
    assert not EmployeeClass.objects.exists()
    assert not PayrollImport.objects.exists()


def test_the_api_answers_409_to_a_filing_or_an_employee_class_on_a_completed_audit(
    audit: Audit, auditor: User
) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED)
    client = api(auditor)
    filing = client.put(
        f"/api/audits/{audit.pk}/tax-filings",
        {"kind": "form_941", "year": 2025, "quarter": 1, "line_2_cents": 100},
        "application/json",
    )
    assert filing.status_code == 409
    assert filing.json() == {
        "code": "audit_closed",
        "message": "the audit is completed and its facts cannot change: its result is final; "
        "to change it, an audit manager opens a revision",
    }
    classes = client.put(
        f"/api/audits/{audit.pk}/employee-classes",
        [{"employee": "E3", "state": "IN", "class_code": "8810"}],
        "application/json",
    )
    assert classes.status_code == 409
    assert not TaxFiling.objects.exists()
    assert not EmployeeClass.objects.exists()
