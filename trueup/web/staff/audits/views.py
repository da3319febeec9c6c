"""The staff workbench: the worklist and the audit page. Plain function views; every write goes
through the services, and every view checks that the user may see the audit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import Role, User
from trueup.anomalies.selectors import flag_probes
from trueup.audits import facts, fieldwork, services
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.explanations import explain
from trueup.audits.models import (
    Audit,
    AuditEdit,
    AuditType,
    InterviewNote,
    Method,
    RecordsItem,
    StatusChange,
)
from trueup.audits.selectors import (
    WorklistRow,
    audits_filtered,
    audits_visible_to,
    status_counts,
    working_rating,
    worklist_rows,
)
from trueup.audits.workflow import ACTIONS_BY_NAME, CLOSED, FACTS_EDITABLE, Status
from trueup.audits.worksheet import WORKSHEET_PREFETCH
from trueup.billing.selectors import in_billing_stage
from trueup.core import clock
from trueup.core.errors import NotAllowed, Problem
from trueup.core.presence import (
    Probe,
    holding,
    probed,
    read_as_empty,
    read_now,
    related,
    rows_if,
    rows_of,
)
from trueup.core.spreadsheet import EXPORT_TYPES, csv_bytes, xlsx_bytes
from trueup.core.written import values_written
from trueup.flows import results
from trueup.portal.models import RecordUpload
from trueup.rating.errors import TrueUpError
from trueup.reference.selectors import rates_in_use
from trueup.web.staff.audits.classes import lookup_context
from trueup.web.staff.audits.drawn import (
    RecordsShown,
    blank_forms,
    filters_html,
    history_html,
    line_html,
    records_html,
    result_html,
)
from trueup.web.staff.audits.endorsements import endorsement_probes, endorsements_panel
from trueup.web.staff.audits.flags import flags_panel
from trueup.web.staff.audits.forms import (
    ENUMERATIONS,
    FACT_FORMS,
    OPEN,
    SORTS,
    ActionForm,
    AssignForm,
    FindingForm,
    InterviewForm,
    RecordsMarkForm,
    WorklistFilters,
)
from trueup.web.staff.audits.interim import interim_panel
from trueup.web.staff.billing.views import billing_panel, billing_panel_probes
from trueup.web.staff.portal.views import portal_panel, portal_probes
from trueup.web.staff.practices.views import practice_notes_panel
from trueup.web.templatetags.trueup import amount

PAGE_SIZE = 50
NOT_SAVED = "the line was not saved: see the fields marked below"
FACT_TITLES = {
    "payroll": "Payroll",
    "owners": "Officers, owners, partners and members",
    "subcontractors": "Subcontractors",
    "gl_exposures": "General liability exposures",
}


class Worklist(NamedTuple):
    """The audits the worklist shows for the user and the filters, in its order."""

    form: WorklistFilters
    audits: QuerySet[Audit]  # filtered and in the worklist's order
    counts: dict[str, int]
    matching: int

    @property
    def rows(self) -> QuerySet[Audit, WorklistRow]:
        return worklist_rows(self.audits)


def _worklist(request: HttpRequest, user: User) -> Worklist:
    """The worklist's audits as its filters choose them: the page and its exports share this, so
    an export holds exactly the audits the page lists, across all its pages."""
    form = WorklistFilters(request.GET or None)
    # A filter with a bad value is reported on the page; the other filters still apply.
    form.is_valid()
    filters: dict[str, Any] = getattr(form, "cleaned_data", {})
    audits = in_billing_stage(audits_filtered(user, filters, clock.today()), filters.get("billing"))
    # Counts by status for the other filters, so the user sees where the work is.
    scope = {
        "user": user.pk,
        **{k: str(v) for k, v in filters.items() if v and k not in ("status", "sort")},
    }
    counts = status_counts(audits, scope)
    status = filters.get("status")
    if status == OPEN:
        audits = audits.exclude(status__in=CLOSED)
        matching = sum(n for s, n in counts.items() if s not in CLOSED)
    elif status:
        audits = audits.filter(status=status)
        matching = counts.get(status, 0)
    else:
        matching = sum(counts.values())
    ordered = audits.order_by(*SORTS.get(filters.get("sort") or "due", SORTS["due"]))
    return Worklist(form, ordered, counts, matching)


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form, ordered, counts, matching = _worklist(request, user)
    # The page's ids are found first, in the worklist's order (an index read), and only those
    # rows are joined to their policies and results: a deep page then joins 50 rows, not every
    # row before it.
    paginator = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = matching  # known from the counts: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    on_page = Audit.objects.filter(pk__in=page.object_list).order_by(*ordered.query.order_by)
    today = clock.today()
    listed = list(map(WorklistRow._make, worklist_rows(on_page)))
    rows = [
        line_html(row, bool(row.due_date and row.due_date < today and row.status not in CLOSED))
        for row in listed
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audits/worklist.html",
        {
            "form": form,
            "filters": filters_html(request.GET),
            "page": page,
            "listed": listed,
            "rows": rows,
            "query": query.urlencode(),
            "status_counts": [
                (value, label, counts.get(value, 0)) for value, label in Status.choices
            ],
            "total": sum(counts.values()),
        },
    )


EXPORT_COLUMNS = (
    "Audit",
    "Policy",
    "Insured",
    "Period start",
    "Period end",
    "Type",
    "Method",
    "Status",
    "Rush",
    "Assignee",
    "Vendor firm",
    "Due",
    "Overdue",
    "Adjustment",
)


def _export_rows(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[object, ...]]:
    """The worklist's lines as the page shows them: enumerations in words, figures as figures."""
    today = clock.today()
    types, methods = dict(AuditType.choices), dict(Method.choices)
    statuses = dict(Status.choices)
    for row in map(WorklistRow._make, rows):
        overdue = bool(row.due_date and row.due_date < today and row.status not in CLOSED)
        yield (
            row.id,
            row.policy,
            row.insured,
            row.effective,
            row.expiration,
            types.get(row.type, row.type),
            methods.get(row.method, row.method),
            statuses.get(row.status, row.status),
            row.rush,
            row.assignee,
            row.vendor,
            row.due_date,
            overdue,
            row.adjustment,
        )


@login_required
@require_GET
def worklist_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The worklist with its filters and order, every page of it, as CSV or a workbook."""
    user = staff_user(request)
    if fmt not in EXPORT_TYPES:
        raise Http404("exports are CSV or XLSX")
    rows = _export_rows(_worklist(request, user).rows.iterator(chunk_size=2000))
    if fmt == "csv":
        body = csv_bytes(EXPORT_COLUMNS, rows)
    else:
        body = xlsx_bytes("Worklist", EXPORT_COLUMNS, rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = f"worklist-{clock.today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The engine's path of a fact line's field: ``$.audited.payroll[3].class``.
FACT_PATH = re.compile(r"^\$\.audited\.(\w+)\[(\d+)\]\.(\w+)")
ENGINE_KINDS = {"officers": "owners"}
ENGINE_FIELDS = {"class": "class_code"}


def _on_rows(sections: list[dict[str, Any]], problems: list[Problem]) -> list[str]:
    """Each problem on the row its path names (the row is marked and says why), and the list
    above the result in words: which line, which field, what is wrong."""
    by_kind = {section["kind"]: section for section in sections}
    shown = []
    for problem in problems:
        match = FACT_PATH.match(problem.path)
        section = by_kind.get(ENGINE_KINDS.get(match[1], match[1])) if match else None
        if match is None or section is None or int(match[2]) >= len(section["rows"]):
            shown.append(str(problem))
            continue
        number = int(match[2])
        item = section["rows"][number]
        name = ENGINE_FIELDS.get(match[3], match[3])
        field = FACT_FORMS[section["kind"]].base_fields.get(name)
        what = str(field.label if field is not None and field.label else name.replace("_", " "))
        item["problems"].append(f"{what}: {problem.reason}")
        shown.append(
            f"{section['title']}, line {number + 1} ({item['described']}), {what.lower()}: "
            f"{problem.reason}"
        )
    return shown


def _worksheet_context(
    user: User, audit: Audit, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The editor and the result: what the worksheet partial needs."""
    bound = bound or {}
    editable = audit.status in FACTS_EDITABLE and services.may(user, "edit_facts")
    sections = []
    described = _class_words(audit)
    for kind, form_class in FACT_FORMS.items():
        columns = list(form_class.base_fields)[:6]
        rows = []
        # Edit forms are fetched when opened (``fact_form``); only a form sent back with its
        # errors is drawn here. An audit in progress would otherwise draw some 200 inputs.
        for row in getattr(audit, kind).all():
            rows.append(
                {
                    "row": row,
                    "form": bound.get(f"{kind}-{row.pk}"),
                    "cells": [_cell(row, name, described) for name in columns],
                    "described": facts.describe(row),
                    "problems": [],
                }
            )
        new_form = bound.get(f"{kind}-new")
        sections.append(
            {
                "kind": kind,
                "title": FACT_TITLES[kind],
                "rows": rows,
                "new_form": new_form,
                "columns": columns,
            }
        )
    has_facts = any(section["rows"] for section in sections)
    result, problems, live, rated_sheet = working_rating(audit, has_facts)
    explained = explain(result) if result else None
    return {
        **(lookup_context(audit) if editable else {}),
        "audit": audit,
        "sections": sections,
        "editable": editable,
        "result": explained,
        "result_section": result_html(explained, _on_rows(sections, problems), live),
        "rated": result,  # the engine's result as JSON, for the panels that read its figures
        "rated_sheet": rated_sheet,  # and the worksheet it rated
        "error": bound.get("error"),
    }


class HistoryEntry(NamedTuple):
    at: datetime
    by: str | None  # the user name; None for the system
    text: str


def _class_words(audit: Audit) -> Callable[[str, str], str]:
    """A class's description from the rate table in use, for a class of one of the policy's
    states: looked up for the classes on the page, not drawn up for every class of each state."""
    period = audit.period
    rates = rates_in_use()

    def described(state: str, class_code: str) -> str:
        if state not in period.states:
            return ""
        found = rates.lookup(state, period.policy.line, class_code, period.effective)
        return found.description if found is not None else ""

    return described


def _cell(row: Any, name: str, described: Callable[[str, str], str]) -> str:
    """One figure of a fact row as the table shows it: amounts with separators, choices in
    words, a class with its description from the rate table in use."""
    value = getattr(row, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return amount(value)
    if name in ENUMERATIONS:
        return str(dict(ENUMERATIONS[name]).get(value, value))
    if name == "class_code" and value:
        description = described(row.state, value)
        return f"{value}: {description}" if description else str(value)
    inferred = str(getattr(row, "state_inferred_from", None) or "")
    if name == "state" and inferred:
        # The register did not give it: the auditor sees where it came from.
        return f"{value} (inferred: {inferred})"
    return str(value)


@login_required
@require_GET
def audit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk, "revision")
    own: dict[str, Probe] = {
        "notes": (InterviewNote, "audit", audit.pk),
        "uploads": (RecordUpload, "audit", audit.pk),
        **{lookup: related(*_relation(audit, lookup)) for lookup in FACTS_READ},
    }
    # Whether each section's tables hold rows for this audit, asked in one query: the sections'
    # own probes are answered from it.
    sections = (
        own,
        portal_probes(audit),
        billing_panel_probes(audit),
        endorsement_probes(audit),
        flag_probes(audit),
    )
    with probed(probe for probes in sections for probe in probes.values()):
        return _audit_page(request, user, audit, holding(**own))


# The audit's rows the page reads from the audit itself: its facts and the estimate (the editor,
# the live rating and the flags all read them) and its findings.
FACTS_READ = (*WORKSHEET_PREFETCH, "findings")


def _relation(audit: Audit, lookup: str) -> tuple[Any, str]:
    """The record a lookup's last relation starts from, and its name: ``period__estimates`` →
    the audit's period and ``estimates``."""
    *path, name = lookup.split("__")
    record: Any = audit
    for step in path:
        record = getattr(record, step)
    return record, name


def _read_facts(audit: Audit, has: dict[str, bool]) -> None:
    """Read once what ``FACTS_READ`` names; one that holds no rows is set empty with no query
    (most audits have no owners, subcontractors or findings, and a WC audit no GL exposure)."""
    for lookup in FACTS_READ:
        record, name = _relation(audit, lookup)
        if not has[lookup]:
            read_as_empty(record, name)
        elif lookup == "findings":
            read_now(record, name, audit.findings.select_related("by"))
        else:
            read_now(record, name)


def _audit_page(
    request: HttpRequest, user: User, audit: Audit, has: dict[str, bool]
) -> HttpResponse:
    _read_facts(audit, has)
    # Only what an entry shows, by whom as a user name: no user is built for each entry.
    changes = values_written("audit page: status changes", _status_changes, audit.pk)
    edits = values_written("audit page: edits", _edits, audit.pk)
    history = sorted(
        [
            *(HistoryEntry(at, by, _status_text(*change)) for at, by, *change in changes),
            *(HistoryEntry(*edit) for edit in edits),
        ],
        key=lambda entry: entry.at,
        reverse=True,
    )
    worksheet = _worksheet_context(user, audit)
    records = (
        list(audit.records.prefetch_related("uploads__uploaded_by"))
        if has["uploads"]
        else rows_of(audit, "records")
    )
    context = {
        **worksheet,
        "estimates": audit.period.estimates.all(),
        "actions": [
            (a, ACTIONS_BY_NAME[a].label, ACTIONS_BY_NAME[a].reason_required)
            for a in services.actions_for(user, audit)
        ],
        "interviews": rows_if(has["notes"], audit.interviews.select_related("by")),
        "records": records,
        "records_lines": records_html(
            RecordsShown(
                audit.pk,
                records,
                uploaded=has["uploads"],
                may_mark=services.may(user, "document"),
                may_see_originals=services.may(user, "edit_facts") or user.role == Role.REVIEWER,
                csrf_token=get_token(request),
            )
        ),
        "findings": audit.findings.all(),
        "history": history_html(history),
        "may_document": services.may(user, "document"),
        "may_assign": services.may(user, "assign"),
        "blank": blank_forms(clock.today()),
        "assign_form": AssignForm(initial={"assignee": audit.assignee, "vendor": audit.vendor}),
        "records_form": RecordsMarkForm(),
        "revision": getattr(audit, "revision", None),
        **portal_panel(audit, user),
        **billing_panel(audit, user),
        **endorsements_panel(audit, user),
        **interim_panel(audit, user),
        **practice_notes_panel(audit, worksheet["result"]),
        **flags_panel(audit, user, worksheet["rated"], worksheet["rated_sheet"]),
    }
    return render(request, "audits/audit.html", context)


def _status_changes(audit: int) -> QuerySet[StatusChange, tuple[Any, ...]]:
    return StatusChange.objects.filter(audit=audit).values_list(
        "at", "by__username", "from_status", "to_status", "reason"
    )


def _edits(audit: int) -> QuerySet[AuditEdit, tuple[Any, ...]]:
    return AuditEdit.objects.filter(audit=audit).values_list("at", "by__username", "summary")


def _status_text(from_status: str, to_status: str, reason: str) -> str:
    text = (
        f"{Status(from_status).label} → {Status(to_status).label}"
        if from_status != to_status
        else str(Status(to_status).label)
    )
    return f"{text}: {reason}" if reason else text


def _back(audit: Audit, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + anchor)


@login_required
@require_GET
def fact_form(request: HttpRequest, pk: int, kind: str, fact: int | None = None) -> HttpResponse:
    """The inputs of one fact's edit form (or the add form), fetched when the auditor opens it."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if kind not in FACT_FORMS or not services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not enter audit facts")
    form_class = FACT_FORMS[kind]
    if fact is None:
        form = form_class(prefix=f"{kind}-new", audit=audit)
    else:
        row = get_object_or_404(form_class._meta.model, audit=audit, pk=fact)
        form = form_class(instance=row, prefix=f"{kind}-{fact}", audit=audit)
    return render(request, "audits/_fact_fields.html", {"form": form})


@login_required
@require_POST
def fact_save(request: HttpRequest, pk: int, kind: str, fact: int | None = None) -> HttpResponse:
    """Add or change one worksheet fact; with htmx, answer the re-rated worksheet at once. A
    change made over someone else's since (409) answers the line's form with its values now."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if kind not in FACT_FORMS:
        raise PermissionDenied("unknown kind of fact")
    prefix = f"{kind}-{fact if fact is not None else 'new'}"
    form_class = FACT_FORMS[kind]
    # A line removed meanwhile is no 404: the services say what happened.
    instance = (
        form_class._meta.model._default_manager.filter(audit=audit, pk=fact).first()
        if fact is not None
        else None
    )
    form = form_class(request.POST, instance=instance, prefix=prefix, audit=audit)
    bound: dict[str, Any] = {}
    status = 200
    if form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            facts.audit_fact_save(
                audit=audit, by=user, kind=kind, pk=fact, version=version, values=values
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except services.StaleEdit as error:
            bound, status = _as_it_is_now(audit, kind, fact, error), 409
        except services.InvalidFacts as error:
            _mark_fields(form, error.problems)
            bound = {prefix: form, "error": NOT_SAVED}
        except TrueUpError as error:
            bound = {prefix: form, "error": error.message}
    else:
        bound = {prefix: form, "error": NOT_SAVED}
    return _worksheet_answer(request, user, audit, bound, status)


@login_required
@require_POST
def fact_delete(request: HttpRequest, pk: int, kind: str, fact: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if kind not in FACT_FORMS:
        raise PermissionDenied("unknown kind of fact")
    posted = request.POST.get("version", "")
    version = int(posted) if posted.isascii() and posted.isdigit() else None
    bound: dict[str, Any] = {}
    status = 200
    try:
        facts.audit_fact_delete(audit=audit, by=user, kind=kind, pk=fact, version=version)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except services.StaleEdit as error:
        bound, status = _as_it_is_now(audit, kind, fact, error), 409
    except TrueUpError as error:
        bound = {"error": error.message}
    return _worksheet_answer(request, user, audit, bound, status)


def _mark_fields(form: Any, problems: Iterable[Problem]) -> None:
    """The services' problems on the fields they name (``payroll[new].class_code``)."""
    for problem in problems:
        name = problem.path.rsplit(".", 1)[-1]
        form.add_error(name if name in form.fields else None, problem.reason)


def _as_it_is_now(
    audit: Audit, kind: str, fact: int | None, error: services.StaleEdit
) -> dict[str, Any]:
    """What happened, and the line's form open with its values and version now (none if the
    line was removed), so the person sees what changed and can make their edit again."""
    bound: dict[str, Any] = {"error": error.message}
    values = error.current.get("values")
    if values is not None:
        initial = {**values, "version": error.current["version"]}
        bound[f"{kind}-{fact}"] = FACT_FORMS[kind](
            initial=initial, prefix=f"{kind}-{fact}", audit=audit
        )
    return bound


def _worksheet_answer(
    request: HttpRequest, user: User, audit: Audit, bound: dict[str, Any], status: int = 200
) -> HttpResponse:
    if getattr(request, "htmx", False):
        audit = visible_audit(user, audit.pk)
        return render(
            request,
            "audits/_worksheet.html",
            _worksheet_context(user, audit, bound),
            status=status,
        )
    if bound.get("error"):
        messages.error(request, bound["error"])
    return _back(audit, "#worksheet")


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    form = ActionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        moved = results.audit_act(audit=audit, by=user, action=action, reason=reason)
    except TrueUpError as error:
        messages.error(request, error.message)
        return _back(audit)
    if moved.pk != audit.pk:
        messages.success(request, f"Revision opened as audit {moved.pk}.")
    else:
        messages.success(request, f"The audit is now {moved.get_status_display().lower()}.")
    # The user may no longer see the audit (e.g. a vendor's); the worklist is always there.
    if not audits_visible_to(user).filter(pk=moved.pk).exists():
        return HttpResponseRedirect(reverse("audits:worklist"))
    return _back(moved)


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an auditor and a vendor firm from the lists.")
        return _back(audit)
    try:
        services.audit_assign(
            audit=audit,
            by=user,
            assignee=form.cleaned_data["assignee"],
            vendor=form.cleaned_data["vendor"],
        )
    except NotAllowed as error:
        if not services.may(user, "assign"):
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    return _back(audit)


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[name].label or name if name in form.fields else 'form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


def _documenter(request: HttpRequest, pk: int, what: str) -> tuple[User, Audit]:
    """The user and audit for interview notes, findings and the checklist, if they may write."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not services.may(user, "document"):
        raise PermissionDenied(f"this account may not {what}")
    return user, audit


@login_required
@require_POST
def interview_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _documenter(request, pk, "add interview notes")
    form = InterviewForm(request.POST)
    if form.is_valid():
        fieldwork.interview_note_add(audit=audit, by=user, **form.cleaned_data)
    else:
        messages.error(request, f"The interview note was not saved: {_form_errors(form)}")
    return _back(audit, "#interviews")


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _documenter(request, pk, "add findings")
    form = FindingForm(request.POST)
    if form.is_valid():
        fieldwork.finding_add(audit=audit, by=user, **form.cleaned_data)
    else:
        messages.error(request, f"The finding was not saved: {_form_errors(form)}")
    return _back(audit, "#findings")


@login_required
@require_POST
def records_mark(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, audit = _documenter(request, pk, "update the records checklist")
    record = get_object_or_404(RecordsItem, audit=audit, pk=item)
    form = RecordsMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The checklist was not updated: {_form_errors(form)}")
        return _back(audit, "#records")
    try:
        fieldwork.records_item_mark(item=record, by=user, **form.cleaned_data)
    except TrueUpError as error:
        messages.error(request, error.message)
    return _back(audit, "#records")


@login_required
@require_POST
def records_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """Build (or complete) the records checklist from the rules."""
    user, audit = _documenter(request, pk, "update the records checklist")
    services.records_checklist_create(audit=audit, by=user)
    return _back(audit, "#records")
