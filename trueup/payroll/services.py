"""Payroll imports: read and preview a register for an audit, then commit it (all or nothing);
saved mappings, employees' classes and tax filings."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits import facts
from trueup.audits import services as audit_services
from trueup.audits.models import Audit
from trueup.audits.services import InvalidFacts
from trueup.audits.worksheet import worksheet_for
from trueup.core.errors import NotAllowed
from trueup.core.money import usd_of_cents
from trueup.payroll.ingest import (
    Ingested,
    Options,
    Profile,
    custom_profile,
    detect_profile,
    ingest,
    ingest_batches,
    profiles,
    read_register_batches,
)
from trueup.payroll.ingest.classification import GROUP_KINDS, group_key
from trueup.payroll.ingest.exports import Export, finish, read_export
from trueup.payroll.ingest.mapping import categories
from trueup.payroll.ingest.readers import MAX_BYTES, RegisterError
from trueup.payroll.models import (
    EmployeeClass,
    ImportStatus,
    MappingProfile,
    PayrollImport,
    PayrollResolution,
    ResolutionKind,
    TaxFiling,
)
from trueup.payroll.reconcile import Comparison, Filing, reconcile
from trueup.policies.models import PolicyPeriod
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


def _profile(audit: Audit, key: str | None, headers: list[str]) -> Profile:
    if not key:
        return _insured_profile(audit.period, headers) or detect_profile(headers)
    if key in profiles():
        return profiles()[key]
    saved = MappingProfile.objects.filter(key=key).first()
    if saved is None:
        raise InvalidFacts([Problem("profile", f"there is no mapping profile {key!r}")])
    return custom_profile(saved.key, saved.data)


def _insured_profile(period: PolicyPeriod, headers: list[str]) -> Profile | None:
    """The mapping saved for this insured whose columns are all in the file (the one naming the
    most, of several): next year's register reads as this year's did."""
    saved = MappingProfile.objects.filter(insured_id=period.policy.insured_id)
    found = [custom_profile(m.key, m.data) for m in saved]
    matching = [p for p in found if p.detect and p.matches(headers)]
    return max(matching, key=lambda p: len(p.detect)) if matching else None


def _class_problem(period: PolicyPeriod, rates: RateTable) -> Any:
    """(state, class) → why the class has no rate for this policy in the rate table, or None."""
    line = period.policy.line

    def problem(state: str, class_code: str) -> str | None:
        if rates.lookup(state, line, class_code, period.effective) is not None:
            return None
        return (
            f"class {class_code} has no {line} rate in {state} in force on {period.effective} "
            f"(rates {rates.version})"
        )

    return problem


def _period_options(
    period: PolicyPeriod, effective: date, expiration: date, basis: str, rates: RateTable
) -> Options:
    """What every read for the period is asked: its states and rated classes, and the insured's
    saved answers (groups of rows, pay codes mapped or excluded)."""
    states = list(period.states)
    answers = PayrollResolution.objects.filter(insured_id=period.policy.insured_id)
    groups = {(a.kind, a.key): (a.state, a.class_code) for a in answers if a.kind in GROUP_KINDS}
    codes = [a for a in answers if a.kind == ResolutionKind.CODE]
    return Options(
        effective=effective,
        expiration=expiration,
        basis="earned" if basis == "earned" else "check",
        default_state=states[0] if len(states) == 1 else None,
        states=tuple(states),
        class_problem=_class_problem(period, rates),
        groups=groups,
        codes={a.key: a.category for a in codes if a.category},
        excluded_codes={a.key: a.excluded_reason for a in codes if a.excluded_reason},
    )


def _options(audit: Audit, basis: str, rates: RateTable) -> Options:
    period = audit.period
    expiration = period.cancellation_date or period.expiration
    employees = list(EmployeeClass.objects.filter(audit=audit))
    return dataclasses.replace(
        _period_options(period, period.effective, expiration, basis, rates),
        employee_classes={
            e.employee: (e.state, e.class_code) for e in employees if not e.excluded_reason
        },
        excluded_employees={e.employee: e.excluded_reason for e in employees if e.excluded_reason},
        officer_names=frozenset(audit.owners.values_list("name", flat=True)),
    )


def register_read(
    *, audit: Audit, data: bytes, filename: str, profile: str | None = None, basis: str = "check"
) -> Ingested:
    """A register read for this audit's period and classes, without keeping anything (the
    portal's self-audit fills its payroll section from it). Rows in a state not on the policy or
    in a class without a rate in the table in use are exceptions. ``RegisterError`` when
    unreadable."""
    export = read_export(data, filename)
    chosen = _profile(audit, profile, _headers(export))
    return _read(audit, export, chosen, basis, rates_in_use())


def period_register_read(
    *, period: PolicyPeriod, data: bytes, filename: str, covers_from: date, covers_to: date
) -> Ingested:
    """A payroll export read for some days of a policy period (``covers_from`` to
    ``covers_to``, both included), without keeping anything: pay earned on those days, a pay
    period straddling either end prorated by its days in them (the earned basis). Checked as an
    audit's register is: rows in a state not on the policy or in a class without a rate are
    exceptions, and so are duplicates, bad dates and amounts. The insured's saved mapping and
    answers are used; employees' classes and officers are an audit's, so none are.
    ``RegisterError`` when unreadable."""
    export = read_export(data, filename)
    if export.report and export.report_period != (covers_from, covers_to):
        # A summary has no checks to filter by date: its amounts are all of its own dates'.
        dates = (
            "shows no dates"
            if export.report_period is None
            else "covers {} to {}".format(*export.report_period)
        )
        raise RegisterError(
            f"the {export.report} {dates}: a report without its checks is read only when run "
            f"for these days, {covers_from} to {covers_to}; run it for them, or export the "
            "payroll journal"
        )
    chosen = _insured_profile(period, _headers(export)) or detect_profile(_headers(export))
    options = _period_options(
        period, covers_from, covers_to + timedelta(days=1), "earned", rates_in_use()
    )
    result = ingest(export.take_frame(), chosen, options)
    # The report's dates were checked above; its notes on the policy period are not these days'.
    result.tables, result.notes = export.tables, list(export.notes)
    return result


def _headers(export: Export) -> list[str]:
    return [c for c in export.frame.columns if not c.startswith("_")]


def _read(audit: Audit, export: Export, chosen: Profile, basis: str, rates: RateTable) -> Ingested:
    """The file's payroll table read with the profile chosen, whatever the file's shape (a
    report, tables beside it): what else the file held is named in the result's tables and
    notes."""
    options = _options(audit, basis, rates)
    return finish(ingest(export.take_frame(), chosen, options), export, options)


def engine_line(line: Mapping[str, Any]) -> ws.PayrollLine:
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
    payroll = tuple(engine_line(line) for line in lines)
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
    keep_unread: bool = False,
) -> PayrollImport:
    """Read the register and keep what it would put on the audit; nothing on the audit changes
    until the import is committed. An unreadable file raises ``RegisterError`` (row, column).
    With ``keep_unread``, a file whose columns no profile or saved mapping reads is kept as an
    import waiting for a column mapping (``ImportStatus.UNREAD``) instead of refused."""
    notes = _preview_allowed(audit, by)
    rates = rates_in_use()
    export = read_export(data, filename)
    try:
        chosen = _profile(audit, profile, _headers(export))
    except RegisterError as error:
        if profile or not keep_unread:
            raise
        return _unread(audit, by, data, filename, basis, error.message)
    result = _read(audit, export, chosen, basis, rates)
    result.notes = [*notes, *result.notes]
    sha256 = hashlib.sha256(data).hexdigest()
    preview = _preview(audit, by, sha256, filename, basis, result, rates)
    preview.file.save(_stored_name(audit, preview.sha256, filename), ContentFile(data))
    return preview


def payroll_import_preview_file(
    *,
    audit: Audit,
    by: User,
    path: Path,
    filename: str | None = None,
    profile: str | None = None,
    basis: str = "check",
) -> PayrollImport:
    """``payroll_import_preview`` for a register on disk, read and imported a batch of rows at
    a time (``read_register_batches``, ``ingest_batches``): a register larger than an upload may
    be (``MAX_BYTES``), delivered as a file, in the memory of a batch. Its rows are a register's
    own table: a report-shaped export (a QuickBooks report) is read only as an upload. The file
    is kept as the import's, as an upload is."""
    notes = _preview_allowed(audit, by)
    rates = rates_in_use()
    name = filename or path.name
    batches = read_register_batches(path)
    chosen = _profile(audit, profile, [c for c in batches.columns if not c.startswith("_")])
    result = ingest_batches(batches, chosen, _options(audit, basis, rates))
    result.notes = [*notes, *result.notes]
    with path.open("rb") as file:
        sha256 = hashlib.file_digest(file, "sha256").hexdigest()
    preview = _preview(audit, by, sha256, name, basis, result, rates)
    with path.open("rb") as file:
        preview.file.save(_stored_name(audit, preview.sha256, name), File(file))
    return preview


def _preview_allowed(audit: Audit, by: User) -> list[str]:
    """Whether ``by`` may preview a register for the audit now (refused if not), and the notes
    of the employee table it starts from."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not import payroll")
    # A preview is there to be committed: on an audit whose facts are closed it never could be.
    audit_services.check_facts_open(audit)
    return _prefill_employee_classes(audit, by)


def waiting_problems(payroll_import: PayrollImport) -> list[Problem]:
    """What waits for the auditor's answers, each with its rows and dollars: an import with any
    is not committed."""
    found = [
        Problem(
            f"code {item['code']}",
            f"{usd_of_cents(int(item['cents']))} in {item['rows']} row(s) (first row "
            f"{item['first_row']}) is in a code no mapping names: map it or exclude it with a "
            "reason",
        )
        for item in payroll_import.unmapped
    ]
    for item in payroll_import.unresolved:
        who = ", ".join(
            f"{name} {item[name]}" for name in ("department", "job", "location") if item.get(name)
        )
        found.append(
            Problem(
                f"row {item['first_row']}",
                f"{item['employee']}{f' ({who})' if who else ''}: "
                f"{usd_of_cents(int(item['cents']))} in {item['rows']} row(s) has no "
                f"{item['missing']}: assign it",
            )
        )
    return found


def _stored_name(audit: Audit, sha256: str, filename: str) -> str:
    return f"{audit.pk}-{sha256[:12]}-{filename[-80:]}"


def _unread(
    audit: Audit, by: User, data: bytes, filename: str, basis: str, why: str
) -> PayrollImport:
    """The file kept for its column mapping: nothing read from it yet."""
    unread = PayrollImport(
        audit=audit,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        profile_key="",
        profile_name="",
        basis=basis,
        status=ImportStatus.UNREAD,
        rows_read=0,
        rows_used=0,
        gross_cents=0,
        totals={},
        lines=[],
        employees=[],
        exceptions=[],
        exception_counts={},
        notes=[why],
        created_by=by,
    )
    unread.file.save(_stored_name(audit, unread.sha256, filename), ContentFile(data))
    return unread


def _preview(
    audit: Audit,
    by: User,
    sha256: str,
    filename: str,
    basis: str,
    result: Ingested,
    rates: RateTable,
) -> PayrollImport:
    chosen = result.profile
    counts = {
        kind: int(n)
        for kind, n in result.exceptions.group_by("kind").len().sort("kind").iter_rows()
    }
    quarters: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for state, quarter, category, cents in result.quarters.iter_rows():
        quarters[state][quarter][category] = int(cents)
    return PayrollImport(
        audit=audit,
        filename=filename[:255],
        sha256=sha256,
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
        unresolved=result.unresolved,
        inferred=result.inferred,
        tables=result.tables,
        stated_totals=result.stated_totals,
        left_out=result.left_out,
        notes=result.notes,
        created_by=by,
    )


def _prefill_employee_classes(audit: Audit, by: User) -> list[str]:
    """An audit without an employee table starts from the insured's last audit that has one:
    most employees keep their class from one term to the next. Said in the preview's notes."""
    if EmployeeClass.objects.filter(audit=audit).exists():
        return []
    prior = (
        Audit.objects.filter(
            period__policy__insured_id=audit.period.policy.insured_id,
            period__effective__lt=audit.period.effective,
            employee_classes__isnull=False,
        )
        .select_related("period__policy")
        .order_by("-period__effective", "-pk")
        .first()
    )
    if prior is None:
        return []
    rows = [
        EmployeeClass(
            audit=audit,
            employee=row.employee,
            state=row.state,
            class_code=row.class_code,
            excluded_reason=row.excluded_reason,
            copied_from=prior,
        )
        for row in EmployeeClass.objects.filter(audit=prior)
    ]
    EmployeeClass.objects.bulk_create(rows)
    audit_services.note_edit(
        audit, by, f"took {len(rows)} employee(s)' state and class from audit #{prior.pk}"
    )
    return [
        f"The employee table was empty: {len(rows)} employee(s)' state and class were taken "
        f"from the audit of {prior.period} (audit #{prior.pk}). Change any that moved."
    ]


def _reread(payroll_import: PayrollImport, by: User, profile: str | None) -> PayrollImport:
    """The import's file read again (after a mapping or resolutions were saved), as a new
    preview; the old one is discarded. A file larger than an upload is read in batches."""
    audit, name, basis = payroll_import.audit, payroll_import.filename, payroll_import.basis
    if payroll_import.file.size > MAX_BYTES:
        path = Path(payroll_import.file.path)
        fresh = payroll_import_preview_file(
            audit=audit, by=by, path=path, filename=name, profile=profile, basis=basis
        )
    else:
        payroll_import.file.open("rb")
        try:
            data = payroll_import.file.read()
        finally:
            payroll_import.file.close()
        fresh = payroll_import_preview(
            audit=audit,
            by=by,
            data=data,
            filename=name,
            profile=profile,
            basis=basis,
            keep_unread=True,
        )
    PayrollImport.objects.filter(pk=payroll_import.pk).update(status=ImportStatus.DISCARDED)
    return fresh


def import_headers(payroll_import: PayrollImport) -> tuple[list[str], list[dict[str, str]]]:
    """The kept file's columns and its first rows, for the column mapping step."""
    payroll_import.file.open("rb")
    try:
        export = read_export(payroll_import.file.read(), payroll_import.filename)
    finally:
        payroll_import.file.close()
    headers = _headers(export)
    return headers, export.frame.select(headers).head(5).fill_null("").to_dicts()


@dataclasses.dataclass(frozen=True)
class Resolution:
    """One answer from the preview: a department, job or work location → state and class; an
    earnings code → category or excluded with why; an employee → state and class."""

    kind: str  # "department", "job", "location", "code" or "employee"
    value: str
    state: str = ""
    class_code: str = ""
    category: str = ""
    excluded_reason: str = ""


@transaction.atomic
def payroll_import_resolve(
    *, payroll_import: PayrollImport, by: User, answers: Sequence[Resolution]
) -> PayrollImport:
    """Save the auditor's answers (the insured's for department, job, location and codes, kept
    for its next audits; the audit's for employees) and read the register again with them: the
    new preview, all or nothing. Each answer is checked: a state on the policy, a class with a
    rate there, a category that exists, a reason for an exclusion."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not import payroll")
    locked = PayrollImport.objects.select_for_update().get(pk=payroll_import.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise audit_services.IllegalTransition(
            f"this import is {locked.get_status_display().lower()}: preview the file again"
        )
    audit = locked.audit
    audit_services.check_facts_open(audit)
    if not answers:
        raise InvalidFacts([Problem("answers", "nothing to resolve was given")])
    problems = [p for index, a in enumerate(answers) for p in _answer_problems(audit, index, a)]
    if problems:
        raise InvalidFacts(problems)
    for answer in answers:
        _save_answer(audit, by, answer)
    audit_services.note_edit(audit, by, f"resolved {len(answers)} payroll question(s)")
    return _reread(locked, by, locked.profile_key)


def _answer_problems(audit: Audit, index: int, answer: Resolution) -> list[Problem]:
    where = f"answers[{index}] ({answer.kind} {answer.value!r})"
    kinds = (*GROUP_KINDS, ResolutionKind.CODE, "employee")
    if answer.kind not in kinds:
        return [Problem(where, f"the kind must be one of {', '.join(kinds)}")]
    if not answer.value.strip():
        return [Problem(where, "say which value this answer is for")]
    if answer.kind == ResolutionKind.CODE:
        if bool(answer.category) == bool(answer.excluded_reason.strip()):
            return [Problem(where, "map the code to a category, or exclude it with a reason")]
        if answer.category and answer.category not in categories():
            known = ", ".join(sorted(categories()))
            return [Problem(where, f"{answer.category!r} is not a category ({known})")]
        return []
    state, class_code = _state_of(audit, answer), answer.class_code.strip()
    if answer.kind == "employee" and answer.excluded_reason.strip():
        if answer.class_code.strip() or answer.state.strip():
            return [Problem(where, "give a class or a reason to leave the employee out, not both")]
        return []
    if not (state or class_code):
        return [Problem(where, "give a state, a class or both")]
    period = audit.period
    if state and state not in period.states:
        return [
            Problem(
                where, f"{state} is not one of the policy's states ({', '.join(period.states)})"
            )
        ]
    if class_code:
        rates = rates_in_use()
        line = period.policy.line
        # Without a state, the class must be rated in one of the policy's states.
        candidates = [state] if state else list(period.states)
        if all(rates.lookup(s, line, class_code, period.effective) is None for s in candidates):
            shown = state or " or ".join(candidates)
            return [Problem(where, f"class {class_code} has no {line} rate in {shown}")]
    return []


def _state_of(audit: Audit, answer: Resolution) -> str:
    """The answer's state; an employee's, on a policy of one state, is that state if not given."""
    state = answer.state.strip().upper()
    states = list(audit.period.states)
    if not state and answer.kind == "employee" and len(states) == 1:
        return str(states[0])
    return state


def _save_answer(audit: Audit, by: User, answer: Resolution) -> None:
    if answer.kind == "employee":
        reason = answer.excluded_reason.strip()[:300]
        EmployeeClass.objects.update_or_create(
            audit=audit,
            employee=answer.value.strip(),
            defaults={
                "state": "" if reason else _state_of(audit, answer),
                "class_code": answer.class_code.strip(),
                "excluded_reason": reason,
                "copied_from": None,
            },
        )
        return
    PayrollResolution.objects.update_or_create(
        insured_id=audit.period.policy.insured_id,
        kind=answer.kind,
        key=group_key(answer.value),
        defaults={
            "value": answer.value.strip()[:200],
            "state": answer.state.strip().upper(),
            "class_code": answer.class_code.strip(),
            "category": answer.category,
            "excluded_reason": answer.excluded_reason.strip()[:300],
            "audit": audit,
            "set_by": by,
        },
    )


@transaction.atomic
def payroll_answer_remove(*, audit: Audit, by: User, pk: int) -> PayrollResolution:
    """Take back an answer kept for the audit's insured (a department's class given wrongly):
    the next preview asks it again. Refused once the audit's facts are closed."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not change payroll answers")
    audit_services.check_facts_open(audit)
    answer = PayrollResolution.objects.filter(
        insured_id=audit.period.policy.insured_id, pk=pk
    ).first()
    if answer is None:
        raise InvalidFacts([Problem("answer", "there is no such answer for this insured")])
    answer.delete()
    audit_services.note_edit(
        audit,
        by,
        f"took back the payroll answer for {answer.get_kind_display().lower()} {answer.value}",
    )
    return answer


@transaction.atomic
def payroll_import_map_columns(
    *, payroll_import: PayrollImport, by: User, name: str, data: Mapping[str, Any]
) -> PayrollImport:
    """Save a column mapping for this insured's exports from a file no profile read, and read
    the file with it: the new preview. Next time the insured's register has these columns, the
    mapping is found by itself."""
    if payroll_import.status not in (ImportStatus.UNREAD, ImportStatus.PREVIEWED):
        raise audit_services.IllegalTransition(
            f"this import is {payroll_import.get_status_display().lower()}: upload the file again"
        )
    audit = payroll_import.audit
    insured_id = audit.period.policy.insured_id
    key = f"insured-{insured_id}-{payroll_import.sha256[:8]}"
    columns = [str(h) for h in dict(data.get("columns", {})).values() if h]
    detect = sorted({*columns, *map(str, dict(data.get("earnings", {})))})
    mapping_profile_save(
        by=by, key=key, name=name, data={**data, "detect": detect}, insured_id=insured_id
    )
    return _reread(payroll_import, by, key)


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
    waiting = waiting_problems(locked)
    if waiting:
        raise InvalidFacts(waiting)
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
    *, by: User, key: str, name: str, data: Mapping[str, Any], insured_id: int | None = None
) -> MappingProfile:
    """Save a custom column mapping, checked as a built-in profile is; with ``insured_id``, it
    is that insured's (tried first when its registers are read)."""
    if not audit_services.may(by, "edit_facts"):
        raise NotAllowed("this account may not save payroll mappings")
    try:
        custom_profile(key, data)
    except RegisterError as error:
        raise InvalidFacts([Problem("mapping", error.message)]) from error
    saved, _ = MappingProfile.objects.update_or_create(
        key=key,
        defaults={"name": name, "data": dict(data), "created_by": by, "insured_id": insured_id},
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
