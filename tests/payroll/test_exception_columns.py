"""An import's exception names the column the problem is in, by the register's own header as the
profile found it: a missing class at the class column, a check date outside the policy period at
the check date column, once a row however many amounts the row has. The policy runs from
2025-01-01 to 2026-01-01."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.payroll.ingest import Ingested, Options, detect_profile, ingest, read_register

EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)
GUSTO = (
    "Employee,Employee ID,Work State,WC Class,Check Date,Pay Period Start,Pay Period End,"
    "Regular Earnings,Overtime Earnings,Bonus,Gross Earnings"
)
ADP = (
    "Employee ID,Employee Name,Work State,WC Code,Pay Date,Period Begin,Period End,"
    "Earnings Code,Earnings Amount,Officer"
)


def run(text: str, **options: Any) -> Ingested:
    frame = read_register(text.strip().encode(), "register.csv")
    return ingest(frame, detect_profile(frame.columns), Options(EFFECTIVE, EXPIRATION, **options))


def exceptions(result: Ingested) -> list[tuple[int, str, str, str]]:
    return [
        (row, column, kind, message) for row, column, kind, message in result.exceptions.iter_rows()
    ]


def test_a_row_without_a_class_is_named_at_the_registers_class_column_once() -> None:
    result = run(
        f"""
{GUSTO}
Ann Lee,E1,IN,8810,01/15/2025,01/01/2025,01/14/2025,1000.00,200.00,50.00,1250.00
Bob Cruz,E2,IN,,01/15/2025,01/01/2025,01/14/2025,900.00,100.00,25.00,1025.00
"""
    )
    assert exceptions(result) == [
        (3, "WC Class", "no_class", "no class for Bob Cruz: left out"),
    ]


def test_a_check_date_outside_the_period_is_named_at_the_check_date_column_once() -> None:
    result = run(
        f"""
{GUSTO}
Ann Lee,E1,IN,8810,12/31/2024,12/18/2024,12/31/2024,1000.00,200.00,50.00,1250.00
Ann Lee,E1,IN,8810,01/15/2025,01/01/2025,01/14/2025,1000.00,,,1000.00
"""
    )
    assert exceptions(result) == [
        (2, "Check Date", "outside_period", "check date 2024-12-31 is outside the period"),
    ]


def test_a_long_register_names_its_own_pay_date_and_class_headers() -> None:
    result = run(
        f"""
{ADP}
E1,Ann Lee,IN,8810,01/01/2026,12/18/2025,12/31/2025,REG,1300.00,N
E2,Bob Cruz,IN,,01/15/2025,01/01/2025,01/14/2025,REG,900.00,N
"""
    )
    assert exceptions(result) == [
        (2, "Pay Date", "outside_period", "check date 2026-01-01 is outside the period"),
        (3, "WC Code", "no_class", "no class for Bob Cruz: left out"),
    ]


def test_a_header_written_in_other_case_is_named_as_the_file_writes_it() -> None:
    result = run(
        """
EMPLOYEE,employee id,work state,wc class,CHECK DATE,Regular Earnings
Ann Lee,E1,IN,,01/15/2025,1000.00
Bob Cruz,E2,IN,8810,02/01/2026,900.00
"""
    )
    assert exceptions(result) == [
        (2, "wc class", "no_class", "no class for Ann Lee: left out"),
        (3, "CHECK DATE", "outside_period", "check date 2026-02-01 is outside the period"),
    ]


def test_a_state_missing_where_the_register_has_no_state_column_names_no_column() -> None:
    result = run(
        """
employee,class,check_date,earnings_code,amount
Ann Lee,8810,2025-01-15,regular,1000.00
"""
    )
    assert exceptions(result) == [(2, "", "no_state", "no state for Ann Lee: left out")]


def test_the_command_names_the_column_and_leaves_it_out_where_the_register_has_none(
    tmp_path: Path, audit: Audit, auditor: User
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "Employee,Employee ID,Work State,WC Class,Check Date,Regular Earnings\n"
        "Ann Lee,E1,IN,8810,02/01/2026,1000.00\n"
        "Bob Cruz,E2,IN,,03/14/2025,900.00\n"
    )
    out = StringIO()
    with pytest.raises(CommandError, match="wait for an answer"):
        call_command("import_payroll", str(path), audit=audit.pk, user="auditor", stdout=out)
    assert "  row 2, column Check Date: check date 2026-02-01 is outside the period\n" in (
        out.getvalue()
    )
    assert "  row 3, column WC Class: no class for Bob Cruz: left out\n" in out.getvalue()
    without_class = tmp_path / "no_class_column.csv"
    without_class.write_text(
        "employee,state,check_date,earnings_code,amount\nAnn Lee,IN,2025-03-14,regular,1000.00\n"
    )
    out = StringIO()
    with pytest.raises(CommandError, match="wait for an answer"):
        call_command(
            "import_payroll", str(without_class), audit=audit.pk, user="auditor", stdout=out
        )
    assert "  row 2: no class for Ann Lee: left out\n" in out.getvalue()
