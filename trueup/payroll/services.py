"""Payroll imports: read and preview a register for an audit, then commit it (all or nothing);
saved mappings, employees' classes and tax filings."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits import facts
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.audits.services import InvalidFacts
from trueup.audits.worksheet import worksheet_for
from trueup.core.errors import NotAllowed
from trueup.payroll.ingest import (
    Ingested,
    Options,
    Profile,
    custom_profile,
    detect_profile,
    ingest,
    profiles,
    read_register,
)
from trueup.payroll.ingest.readers import RegisterError
from trueup.payroll.models import (
    EmployeeClass,
    ImportStatus,
    MappingProfile,
    PayrollImport,
    TaxFiling,
)
from trueup.payroll.reconcile import Comparison, Filing, reconcile
from trueup.rating import RateTable, default_rulebook
from trueup.rating import worksheet as ws
from trueup.rating.errors import Problem
from trueup.rating.validate import validate
from trueup.reference.selectors import rates_in_use

EXCEPTIONS_KEPT = 1000  # the preview shows these; the counts cover them all
# The most a payroll amount holds (the audit's money columns: 14 digits, 2 decimal places).
LARGEST_AMOUNT = Decimal("999999999999.99")
EMPLOYEE_LENGTH = 200  # the audit's payroll line keeps this many characters of a name
LINE_PATH = re.compile(r"^\$\.audited\.payroll\[(\d+)\](?:\.(\w+))?")


def _profile(key: str | None, headers: list[str]) -> Profile:
    if not key:
        return detect_profile(headers)
    if key in profiles():
        return profiles()[key]
    saved = MappingProfile.objects.filter(key=key).first()
    if saved is None:
        raise InvalidFacts([Problem("profile", f"there is no mapping profile {key!r}")])
    return custom_profile(saved.key, saved.data)


def _class_problem(audit: Audit, rates: RateTable) -> Any:
    """(state, class) → why the class has no rate for this policy in the rate table, or None."""
    period = audit.period
    line = period.policy.line

    def problem(state: str, class_code: str) -> str | None:
        if rates.lookup(state, line, class_code, period.effective) is not None:
            return None
        return (
            f"class {class_code} has no {line} rate in {state} in force on {period.effective} "
            f"(rates {rates.version})"
        )

    return problem


def _options(audit: Audit, basis: str, rates: RateTable) -> Options:
    period = audit.period
    states = list(period.states)
    return Options(
        effective=period.effective,
        expiration=period.cancellation_date or period.expiration,
        basis="earned" if basis == "earned" else "check",
        employee_classes={
            e.employee: (e.state, e.class_code) for e in EmployeeClass.objects.filter(audit=audit)
        },
        officer_names=frozenset(audit.owners.values_list("name", flat=True)),
        default_state=states[0] if len(states) == 1 else None,
        states=tuple(states),
        class_problem=_class_problem(audit, rates),
    )


def register_read(
    *, audit: Audit, data: bytes, filename: str, profile: str | None = None, basis: str = "check"
) -> Ingested:
    """A register read for this audit's period and classes, without keeping anything (the
    portal's self-audit fills its payroll section from it). Rows in a state not on the policy or
    in a class without a rate in the table in use are exceptions. ``RegisterError`` when
    unreadable."""
    return _read(audit, data, filename, profile, basis, rates_in_use())


def _read(
    audit: Audit, data: bytes, filename: str, profile: str | None, basis: str, rates: RateTable
) -> Ingested:
    frame = read_register(data, filename)
    chosen = _profile(profile, [c for c in frame.columns if not c.startswith("_")])
    return ingest(frame, chosen, _options(audit, basis, rates))


def _engine_line(line: Mapping[str, Any]) -> ws.PayrollLine:
    amounts: dict[str, Any] = {
        key: Decimal(str(value))
        for key, value in line.items()
        if key in ws.PAYROLL_PARTS or key == "gross"
    }
    return ws.PayrollLine(
        state=str(line["state"]),
        class_code=str(line["class_code"]),
        employee=str(line["employee"]),
        **amounts,
    )


def _line_problems(
    audit: Audit, lines: Sequence[Mapping[str, Any]], rates: RateTable
) -> list[tuple[int | None, str, str]]:
    """What the engine (and the audit's payroll columns) would refuse in these lines, as (line
    index or None for the lines as a whole, field, reason): the audit's worksheet with these lines
    as its payroll, checked as the engine checks it before rating."""
    found: list[tuple[int | None, str, str]] = []
    payroll = tuple(_engine_line(line) for line in lines)
    for index, line in enumerate(payroll):
        for name in ("gross", *ws.PAYROLL_PARTS):
            value = getattr(line, name)
            if abs(value) > LARGEST_AMOUNT:
                found.append(
                    (index, name, f"{value} is more than a payroll line holds ({LARGEST_AMOUNT})")
                )
        if line.employee is not None and len(line.employee) > EMPLOYEE_LENGTH:
            found.append(
                (index, "employee", f"the name is longer than {EMPLOYEE_LENGTH} characters")
            )
    worksheet = worksheet_for(audit)
    worksheet = dataclasses.replace(
        worksheet, audited=dataclasses.replace(worksheet.audited, payroll=payroll)
    )
    for problem in validate(worksheet, default_rulebook(), rates):
        match = LINE_PATH.match(problem.path)
        if match is not None:
            found.append((int(match.group(1)), match.group(2) or "", problem.reason))
        elif problem.path == "$.audited" and payroll:
            found.append((None, "", problem.reason))
    return found


def _cells(cells: Sequence[Sequence[Any]]) -> tuple[list[int], str]:
    """The rows and the column(s) of a line's cells, and those words: "rows 4 and 7, column
    amount"."""
    rows = sorted({int(row) for row, _ in cells})
    columns = sorted({str(column) for _, column in cells if column})
    shown = [str(row) for row in rows[:10]] + (["…"] if len(rows) > 10 else [])
    where = ("row " if len(rows) == 1 else "rows ") + (
        shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    )
    if columns:
        where += (", column " if len(columns) == 1 else ", columns ") + ", ".join(columns)
    return rows, where


def _refusals(audit: Audit, result: Ingested, rates: RateTable) -> list[dict[str, Any]]:
    """The engine's refusals of the previewed lines, each at the register's rows and column."""
    refusals: list[dict[str, Any]] = []
    for index, name, reason in _line_problems(audit, result.lines, rates):
        if index is None:
            refusals.append({"rows": [], "where": "the register", "field": "", "message": reason})
            continue
        line = result.lines[index]
        cells = result.cells_of(index, name)
        rows, where = _cells(cells)
        who = f"{line['employee']}, {line['state']} {line['class_code']}"
        refusals.append(
            {"rows": rows, "where": where, "field": name, "message": f"{who}: {reason}"}
        )
    return refusals


def _jsonable_lines(result: Ingested) -> list[dict[str, Any]]:
    return [
        {key: str(value) for key, value in line.items() if key != "gross_cents"}
        for line in result.lines
    ]


@transaction.atomic
def payroll_import_preview(
    *,
    audit: Audit,
    by: User,
    data: bytes,
    filename: str,
    profile: str | None = None,
    basis: str = "check",
) -> PayrollImport:
    """Read the register and keep what it would put on the audit; nothing on the audit changes
    until the import is committed. An unreadable file raises ``RegisterError`` (row, column)."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not import payroll")
    # A preview is there to be committed: on an audit whose facts are closed it never could be.
    audit_services.check_facts_open(audit)
    rates = rates_in_use()
    result = _read(audit, data, filename, profile, basis, rates)
    chosen = result.profile
    counts = {
        kind: int(n)
        for kind, n in result.exceptions.group_by("kind").len().sort("kind").iter_rows()
    }
    quarters: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for state, quarter, category, cents in result.quarters.iter_rows():
        quarters[state][quarter][category] = int(cents)
    preview = PayrollImport(
        audit=audit,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        profile_key=chosen.key,
        profile_name=chosen.name,
        basis=basis,
        rows_read=result.rows_read,
        rows_used=result.rows_used,
        rows_excepted=result.rows_excepted,
        facts_version=audit.facts_version,
        refusals=_refusals(audit, result, rates),
        gross_cents=result.gross_cents,
        totals=result.totals,
        quarters=quarters,
        lines=_jsonable_lines(result),
        employees=result.employees.to_dicts(),
        exceptions=result.exceptions.head(EXCEPTIONS_KEPT).to_dicts(),
        exception_counts=counts,
        unmapped=result.unmapped,
        excluded=result.excluded,
        created_by=by,
    )
    preview.file.save(f"{audit.pk}-{preview.sha256[:12]}-{filename[-80:]}", ContentFile(data))
    return preview


@transaction.atomic
def payroll_import_commit(*, payroll_import: PayrollImport, by: User) -> PayrollImport:
    """Put the previewed lines on the audit in place of its payroll, all or nothing. Refused
    (each problem at the register's row and column) when the engine would refuse the lines, and
    when the register gave no lines at all: an empty import never wipes the audit's payroll."""
    locked = PayrollImport.objects.select_for_update().get(pk=payroll_import.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise audit_services.IllegalTransition(
            f"this import is {locked.get_status_display().lower()}: preview the file again"
        )
    audit = locked.audit
    audit_services.check_facts_open(audit)
    if locked.refusals:
        raise InvalidFacts([Problem(item["where"], item["message"]) for item in locked.refusals])
    if not locked.lines:
        raise InvalidFacts(
            [
                Problem(
                    "lines",
                    f"the register gave no payroll lines ({locked.rows_read} row(s) read, "
                    f"{locked.rows_excepted} of them exceptions): committing it would leave the "
                    "audit without payroll, so the audit's payroll is kept as it is",
                )
            ]
        )
    # The rate table or the policy may have changed since the preview.
    changed = _line_problems(audit, locked.lines, rates_in_use())
    if changed:
        problems = []
        for index, _, reason in changed:
            where = "the register"
            if index is not None:
                line = locked.lines[index]
                where = f"{line['employee']}, {line['state']} {line['class_code']}"
            problems.append(
                Problem(where, f"{reason} (this changed since the preview: preview the file again)")
            )
        raise InvalidFacts(problems)
    try:
        facts.audit_payroll_replace(
            audit=audit, by=by, lines=locked.lines, expected_facts_version=locked.facts_version
        )
    except audit_services.StaleEdit as stale:
        raise audit_services.StaleEdit(
            "the audit's facts changed after this preview (someone edited them, or another "
            "import was committed): nothing was replaced; preview the file again to see what "
            "the import would replace now",
            current=stale.current,
        ) from stale
    PayrollImport.objects.filter(audit=audit, status=ImportStatus.PREVIEWED).exclude(
        pk=locked.pk
    ).update(status=ImportStatus.DISCARDED)
    locked.status = ImportStatus.COMMITTED
    locked.committed_by = by
    locked.committed_at = timezone.now()
    locked.save(update_fields=["status", "committed_by", "committed_at"])
    return locked


@transaction.atomic
def mapping_profile_save(
    *, by: User, key: str, name: str, data: Mapping[str, Any]
) -> MappingProfile:
    """Save a custom column mapping, checked as a built-in profile is."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not save payroll mappings")
    try:
        custom_profile(key, data)
    except RegisterError as error:
        raise InvalidFacts([Problem("mapping", error.message)]) from error
    saved, _ = MappingProfile.objects.update_or_create(
        key=key, defaults={"name": name, "data": dict(data), "created_by": by}
    )
    return saved


@transaction.atomic
def employee_class_set(
    *, audit: Audit, by: User, employee: str, state: str, class_code: str
) -> EmployeeClass:
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not classify employees")
    audit_services.check_facts_open(audit)
    row, _ = EmployeeClass.objects.update_or_create(
        audit=audit,
        employee=employee.strip(),
        defaults={"state": state.strip().upper(), "class_code": class_code.strip()},
    )
    return row


@transaction.atomic
def tax_filing_save(
    *,
    audit: Audit,
    by: User,
    kind: str,
    year: int,
    quarter: int,
    state: str = "",
    **cents: int | None,
) -> TaxFiling:
    """Enter or correct one quarter's filing figures (cents)."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not enter tax filings")
    audit_services.check_facts_open(audit)
    if not 1 <= quarter <= 4:
        raise InvalidFacts([Problem("quarter", "1 to 4")])
    if all(value is None for value in cents.values()):
        # Saved, a filing without figures would reconcile nothing and hide the quarter's gap.
        raise InvalidFacts(
            [Problem("figures", "the filing has no figures: enter at least one of its amounts")]
        )
    filing, _ = TaxFiling.objects.update_or_create(
        audit=audit,
        kind=kind,
        state=state.upper(),
        year=year,
        quarter=quarter,
        defaults={**cents, "entered_by": by},
    )
    return filing


def audit_reconciliation(audit: Audit) -> list[Comparison]:
    """The latest committed import against the audit's tax filings, quarter by quarter."""
    committed = PayrollImport.objects.filter(audit=audit, status=ImportStatus.COMMITTED).first()
    if committed is None:
        return []
    by_state: dict[str, dict[str, dict[str, int]]] = committed.quarters
    register: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for quarters in by_state.values():
        for quarter, totals in quarters.items():
            for category, cents in totals.items():
                register[quarter][category] += cents
    filings = [
        Filing(
            kind=f.kind,
            quarter=f"{f.year}Q{f.quarter}",
            state=f.state,
            line_2=f.line_2_cents,
            line_5c=f.line_5c_cents,
            total_wages=f.total_wages_cents,
        )
        for f in TaxFiling.objects.filter(audit=audit)
    ]
    return reconcile(register, filings, by_state)
