"""State wage reports (California DE 9C, Rhode Island TX-17) read into the audit's tax filings,
and each filing's employees set against the committed register's: who is on one and not the
other, with their cents."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.core.errors import NotAllowed
from trueup.payroll.ingest.wage_reports import read_wage_report
from trueup.payroll.models import FilingKind, ImportStatus, PayrollImport, TaxFiling


@transaction.atomic
def state_wage_report_save(*, audit: Audit, by: User, data: bytes, filename: str) -> TaxFiling:
    """Read a state's quarterly wage report (CSV or XLSX text export) and keep it as the audit's
    state unemployment filing for its state and quarter: the grand total as total wages, the
    file's name and each employee's wages (the last four digits of the social security number
    only). A report whose pages do not add up is refused (``RegisterError`` naming the page or
    row); so is a change to an audit whose facts are closed."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not enter tax filings")
    audit_services.check_facts_open(audit)
    report = read_wage_report(data, filename)
    filing, _ = TaxFiling.objects.update_or_create(
        audit=audit,
        kind=FilingKind.STATE_UI,
        state=report.state,
        year=report.year,
        quarter=report.quarter,
        defaults={
            "total_wages_cents": report.total_wages_cents,
            "source": filename[:255],
            "employees": report.employees,
            "entered_by": by,
        },
    )
    return filing


@dataclass(frozen=True)
class Person:
    name: str
    cents: int  # the filing's wages for the quarter, or the register's gross for the period


@dataclass(frozen=True)
class EmployeeComparison:
    filing: str  # "CA 2025 Q1, from de9c.csv"
    only_on_filing: tuple[Person, ...]
    only_on_register: tuple[Person, ...]
    on_both: int
    register: str  # whose employees were compared: "the register's CA employees", …


def name_key(name: str) -> str:
    """A name compared without case, punctuation, order or initials: "RUIZ, ANA M" is
    "Ana Ruiz"."""
    words = "".join(c if c.isalnum() else " " for c in name.casefold()).split()
    return " ".join(sorted(word for word in words if len(word) > 1))


def filing_employees(audit: Audit) -> list[EmployeeComparison]:
    """Each state filing read from a wage report against the committed register's employees in
    its state (all of them when the register has none there)."""
    committed = PayrollImport.objects.filter(audit=audit, status=ImportStatus.COMMITTED).first()
    register = list(committed.employees) if committed is not None else []
    found = []
    for filing in TaxFiling.objects.filter(audit=audit).exclude(employees=[]):
        in_state = [e for e in register if filing.state in str(e.get("state", "")).split(", ")]
        compared = in_state or register
        whose = (
            f"the register's {filing.state} employees"
            if in_state
            else "the register's employees (none in the filing's state)"
        )
        found.append(_compare(filing, compared, whose))
    return found


def _compare(
    filing: TaxFiling, register: list[dict[str, object]], whose: str
) -> EmployeeComparison:
    on_filing = {
        name_key(str(e["employee"])): Person(str(e["employee"]), _int(e["total_wages_cents"]))
        for e in filing.employees
    }
    on_register = {
        name_key(str(e["employee"])): Person(str(e["employee"]), _int(e["gross_cents"]))
        for e in register
    }
    source = f", from {filing.source}" if filing.source else ""
    return EmployeeComparison(
        filing=f"{filing.state} {filing.year} Q{filing.quarter}{source}",
        only_on_filing=tuple(p for k, p in on_filing.items() if k not in on_register),
        only_on_register=tuple(p for k, p in on_register.items() if k not in on_filing),
        on_both=sum(1 for k in on_filing if k in on_register),
        register=whose,
    )


def _int(value: object) -> int:
    return int(str(value))
