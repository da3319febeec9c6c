"""Payroll imports in the JSON API: upload a register for an audit (a preview), read it, commit
it; enter tax filings (or upload a state's wage report) and read the reconciliation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Path, Router, Schema
from ninja.files import UploadedFile

from trueup.accounts.models import User
from trueup.api.common import Cents, Input, answers
from trueup.audits import services as audit_services
from trueup.audits.selectors import audits_visible_to
from trueup.core.errors import NotAllowed
from trueup.payroll import services, state_wages
from trueup.payroll.models import PayrollImport

router = Router(tags=["payroll"])


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class ImportOut(Schema):
    id: int
    audit: int
    filename: str
    profile: str
    basis: str
    status: str
    rows_read: int
    rows_used: int
    rows_excepted: int
    gross_cents: int
    totals: dict[str, int]
    lines: list[dict[str, Any]]
    exception_counts: dict[str, int]
    exceptions: list[dict[str, Any]]
    refusals: list[dict[str, Any]]
    committable: bool
    # What waits for the auditor before a commit, and what the file says about itself.
    unmapped: list[dict[str, Any]]
    excluded: list[dict[str, Any]]
    unresolved: list[dict[str, Any]]
    inferred: list[dict[str, Any]]
    tables: dict[str, Any]
    stated_totals: list[dict[str, Any]]
    left_out: dict[str, dict[str, int]]
    notes: list[str]


def _out(item: PayrollImport) -> ImportOut:
    return ImportOut(
        id=item.pk,
        audit=item.audit_id,
        filename=item.filename,
        profile=item.profile_key,
        basis=item.basis,
        status=item.status,
        rows_read=item.rows_read,
        rows_used=item.rows_used,
        rows_excepted=item.rows_excepted,
        gross_cents=item.gross_cents,
        totals=item.totals,
        lines=item.lines,
        exception_counts=item.exception_counts,
        exceptions=item.exceptions,
        refusals=item.refusals,
        committable=item.committable,
        unmapped=item.unmapped,
        excluded=item.excluded,
        unresolved=item.unresolved,
        inferred=item.inferred,
        tables=item.tables,
        stated_totals=item.stated_totals,
        left_out=item.left_out,
        notes=item.notes,
    )


def _import(user: User, import_id: int) -> PayrollImport:
    return get_object_or_404(
        PayrollImport.objects.filter(audit__in=audits_visible_to(user)), pk=import_id
    )


@router.post("/audits/{audit_id}/payroll-imports", response=answers(ImportOut))
def upload(
    request: HttpRequest,
    audit_id: int,
    file: File[UploadedFile],
    profile: Annotated[str, Form(max_length=40)] = "",
    basis: Form[Literal["check", "earned"]] = "check",
    keep_unread: Form[bool] = False,
) -> ImportOut:
    """Read a register (CSV or XLSX) for the audit: a preview of its lines, totals and
    exceptions. Every row read is used or named in an exception (rows_read = rows_used +
    rows_excepted); refusals are what the rating engine would refuse in the lines, by row and
    column. Nothing on the audit changes until the import is committed. An unreadable file
    answers 422 naming the row and column; with ``keep_unread``, a file whose columns no profile
    or saved mapping reads is kept instead (status ``unread``, the reason in ``notes``) for its
    column mapping (``POST /api/payroll-imports/{id}/mapping``)."""
    user = _user(request)
    audit = get_object_or_404(audits_visible_to(user), pk=audit_id)
    preview = services.payroll_import_preview(
        audit=audit,
        by=user,
        data=file.read(),
        filename=file.name or "register.csv",
        profile=profile or None,
        basis=basis,
        keep_unread=keep_unread,
    )
    return _out(preview)


@router.get("/payroll-imports/{import_id}", response=answers(ImportOut))
def read(request: HttpRequest, import_id: int) -> ImportOut:
    return _out(_import(_user(request), import_id))


@router.post("/payroll-imports/{import_id}/commit", response=answers(ImportOut))
def commit(request: HttpRequest, import_id: int) -> ImportOut:
    """Put the previewed lines on the audit in place of its payroll (409 if already done or the
    audit's facts are closed; 422, naming the register's rows and columns, when the engine would
    refuse the lines, and when the register gave no lines)."""
    user = _user(request)
    if not audit_services.may(user, "edit_facts"):
        raise NotAllowed("this account may not import payroll")
    return _out(services.payroll_import_commit(payroll_import=_import(user, import_id), by=user))


class AnswerIn(Input):
    kind: Literal["department", "job", "location", "code", "employee"]
    value: str = Field(min_length=1, max_length=200)
    state: str = Field("", max_length=2)
    class_code: str = Field("", max_length=6)
    category: str = Field("", max_length=40)
    excluded_reason: str = Field("", max_length=300)


class AnswersIn(Input):
    answers: list[AnswerIn] = Field(min_length=1, max_length=5000)


@router.post("/payroll-imports/{import_id}/resolve", response=answers(ImportOut))
def resolve(request: HttpRequest, import_id: int, payload: AnswersIn) -> ImportOut:
    """Answer the preview's questions and read the register again: the new preview (the old
    one is discarded). Departments, jobs, work locations (→ state and class) and earnings codes
    (→ category, or excluded with a reason) are kept for the insured's next registers; employees
    (→ state and class) go in this audit's employee table. All or nothing: 422 naming each
    answer refused (a state not on the policy, a class without a rate, a code without a category
    or reason); 409 when the import is no longer a preview or the audit's facts are closed."""
    user = _user(request)
    answers_given = [services.Resolution(**a.model_dump()) for a in payload.answers]
    fresh = services.payroll_import_resolve(
        payroll_import=_import(user, import_id), by=user, answers=answers_given
    )
    return _out(fresh)


class ColumnsIn(Input):
    name: str = Field(min_length=1, max_length=200)
    shape: Literal["wide", "long"]
    columns: dict[str, str]
    earnings: dict[str, str] = {}
    codes: dict[str, str] = {}


@router.post("/payroll-imports/{import_id}/mapping", response=answers(ImportOut))
def map_columns(request: HttpRequest, import_id: int, payload: ColumnsIn) -> ImportOut:
    """The column-mapping step for a file no profile read (uploaded with ``keep_unread``: its
    status is ``unread``): the mapping is saved for the audit's insured (found by itself for its
    next registers with these columns) and the kept file is read with it, giving the preview."""
    user = _user(request)
    if not audit_services.may(user, "edit_facts"):
        raise NotAllowed("this account may not import payroll")
    data = payload.model_dump()
    fresh = services.payroll_import_map_columns(
        payroll_import=_import(user, import_id), by=user, name=data.pop("name"), data=data
    )
    return _out(fresh)


class FilingIn(Input):
    kind: Literal["form_941", "state_ui"]
    year: int = Field(ge=1900, le=2999)
    quarter: int = Field(ge=1, le=4)
    state: str = Field("", max_length=2)
    line_2_cents: Cents | None = None
    line_5a_cents: Cents | None = None
    line_5c_cents: Cents | None = None
    total_wages_cents: Cents | None = None
    taxable_wages_cents: Cents | None = None


@router.put("/audits/{audit_id}/tax-filings", response=answers(dict[str, int]))
def put_filing(request: HttpRequest, audit_id: int, payload: FilingIn) -> dict[str, int]:
    user = _user(request)
    audit = get_object_or_404(audits_visible_to(user), pk=audit_id)
    data = payload.model_dump()
    filing = services.tax_filing_save(
        audit=audit,
        by=user,
        kind=data.pop("kind"),
        year=data.pop("year"),
        quarter=data.pop("quarter"),
        state=data.pop("state"),
        **data,
    )
    return {"id": filing.pk}


class StateWageReportOut(Schema):
    id: int
    state: str
    year: int
    quarter: int
    total_wages_cents: int
    source: str
    # Each employee's wages: employee, ssn_last4 (never the full number), total_wages_cents, page.
    employees: list[dict[str, Any]]
    # Against the committed register's employees (empty lists when none is committed): name and
    # cents of those on the report only, and of those on the register only.
    only_on_report: list[dict[str, Any]]
    only_on_register: list[dict[str, Any]]


@router.post("/audits/{audit_id}/state-wage-reports", response=answers(StateWageReportOut))
def state_wage_report(
    request: HttpRequest, audit_id: int, file: File[UploadedFile]
) -> StateWageReportOut:
    """Read a state's quarterly wage report (California DE 9C, Rhode Island TX-17; a CSV or XLSX
    export, not a PDF) into the audit's state unemployment filing for its quarter: 422 naming the
    page or row when its pages do not add up to its grand total, 409 when the audit's facts are
    closed."""
    user = _user(request)
    audit = get_object_or_404(audits_visible_to(user), pk=audit_id)
    filing = state_wages.state_wage_report_save(
        audit=audit, by=user, data=file.read(), filename=file.name or "wage-report.csv"
    )
    label = f"{filing.state} {filing.year} Q{filing.quarter}"
    found = [c for c in state_wages.filing_employees(audit) if c.filing.startswith(label)]
    return StateWageReportOut(
        id=filing.pk,
        state=filing.state,
        year=filing.year,
        quarter=filing.quarter,
        total_wages_cents=filing.total_wages_cents or 0,
        source=filing.source,
        employees=filing.employees,
        only_on_report=[
            {"employee": p.name, "cents": p.cents} for c in found for p in c.only_on_filing
        ],
        only_on_register=[
            {"employee": p.name, "cents": p.cents} for c in found for p in c.only_on_register
        ],
    )


@router.get("/audits/{audit_id}/reconciliation", response=answers(list[dict[str, Any]]))
def reconciliation(request: HttpRequest, audit_id: int) -> list[dict[str, Any]]:
    """The committed register against the tax filings, quarter by quarter, explained."""
    audit = get_object_or_404(audits_visible_to(_user(request)), pk=audit_id)
    return [
        {
            "quarter": c.quarter,
            "figure": c.figure,
            "register_gross_cents": c.register_gross,
            "expected_cents": c.expected,
            "filed_cents": c.filed,
            "unexplained_cents": c.unexplained,
            "tolerance_cents": c.tolerance,
            "flagged": c.flagged,
            "explanation": c.explain(),
        }
        for c in services.audit_reconciliation(audit)
    ]


class MappingIn(Input):
    name: str = Field(min_length=1, max_length=200)
    shape: Literal["wide", "long"]
    columns: dict[str, str]
    earnings: dict[str, str] = {}
    codes: dict[str, str] = {}
    detect: list[str] = []
    date_formats: list[str] = ["%m/%d/%Y", "%Y-%m-%d"]


# A mapping's key as the model keeps it (a slug of up to 40 characters).
MappingKey = Annotated[str, Path(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


@router.put("/payroll-mappings/{key}", response=answers(dict[str, str]))
def put_mapping(request: HttpRequest, key: MappingKey, payload: MappingIn) -> dict[str, str]:
    """Save a custom column mapping (the fields of a profile in ``ingest/profiles.toml``); it is
    checked as the built-in ones are, and chosen by its key on upload."""
    data = payload.model_dump()
    saved = services.mapping_profile_save(by=_user(request), key=key, name=data["name"], data=data)
    return {"key": saved.key, "name": saved.name}


class EmployeeClassIn(Input):
    employee: str = Field(min_length=1, max_length=200)
    state: str = Field(min_length=2, max_length=2)
    class_code: str = Field(min_length=1, max_length=6)


@router.put("/audits/{audit_id}/employee-classes", response=answers(dict[str, int]))
def put_employee_classes(
    request: HttpRequest, audit_id: int, payload: list[EmployeeClassIn]
) -> dict[str, int]:
    """The audit's employee → state and class table, for registers without those columns."""
    user = _user(request)
    audit = get_object_or_404(audits_visible_to(user), pk=audit_id)
    for row in payload:
        services.employee_class_set(audit=audit, by=user, **row.model_dump())
    return {"employees": len(payload)}
