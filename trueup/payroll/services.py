"""Payroll imports: read and preview a register for an audit, then commit it (all or nothing);
saved mappings, employees' classes and tax filings."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.audits.services import InvalidFacts
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
from trueup.rating.errors import Problem

EXCEPTIONS_KEPT = 1000  # the preview shows these; the counts cover them all


def _profile(key: str | None, headers: list[str]) -> Profile:
    if not key:
        return detect_profile(headers)
    if key in profiles():
        return profiles()[key]
    saved = MappingProfile.objects.filter(key=key).first()
    if saved is None:
        raise InvalidFacts([Problem("profile", f"there is no mapping profile {key!r}")])
    return custom_profile(saved.key, saved.data)


def _options(audit: Audit, basis: str) -> Options:
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
    )


def register_read(
    *, audit: Audit, data: bytes, filename: str, profile: str | None = None, basis: str = "check"
) -> Ingested:
    """A register read for this audit's period and classes, without keeping anything (the
    portal's self-audit fills its payroll section from it). ``RegisterError`` when unreadable."""
    frame = read_register(data, filename)
    chosen = _profile(profile, [c for c in frame.columns if not c.startswith("_")])
    return ingest(frame, chosen, _options(audit, basis))


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
        raise audit_services.NotAllowed("this account may not import payroll")
    result = register_read(audit=audit, data=data, filename=filename, profile=profile, basis=basis)
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
        gross_cents=result.gross_cents,
        totals=result.totals,
        quarters=quarters,
        lines=_jsonable_lines(result),
        employees=result.employees.to_dicts(),
        exceptions=result.exceptions.head(EXCEPTIONS_KEPT).to_dicts(),
        exception_counts=counts,
        created_by=by,
    )
    preview.file.save(f"{audit.pk}-{preview.sha256[:12]}-{filename[-80:]}", ContentFile(data))
    return preview


@transaction.atomic
def payroll_import_commit(*, payroll_import: PayrollImport, by: User) -> PayrollImport:
    """Put the previewed lines on the audit in place of its payroll, all or nothing."""
    locked = PayrollImport.objects.select_for_update().get(pk=payroll_import.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise audit_services.IllegalTransition(
            f"this import is {locked.get_status_display().lower()}: preview the file again"
        )
    audit = locked.audit
    audit_services.check_facts_open(audit)
    audit_services.audit_payroll_replace(audit=audit, by=by, lines=locked.lines)
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
        raise audit_services.NotAllowed("this account may not save payroll mappings")
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
        raise audit_services.NotAllowed("this account may not classify employees")
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
        raise audit_services.NotAllowed("this account may not enter tax filings")
    if not 1 <= quarter <= 4:
        raise InvalidFacts([Problem("quarter", "1 to 4")])
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
