"""Payroll on the workbench: upload a register to an audit, look at the preview (mapping, totals,
employees, exceptions), commit it; enter tax filings and see the reconciliation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trueup.accounts.models import User
from trueup.audits import services as audit_services
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.audits.workflow import FACTS_EDITABLE
from trueup.core.money import usd_cents
from trueup.payroll import services, state_wages
from trueup.payroll.ingest import categories
from trueup.payroll.models import (
    EmployeeClass,
    ImportStatus,
    PayrollImport,
    PayrollResolution,
    TaxFiling,
)
from trueup.rating.errors import TrueUpError
from trueup.web.staff.payroll.forms import (
    ColumnMappingForm,
    EmployeeClassForm,
    FilingForm,
    StateWageReportForm,
    UploadForm,
)
from trueup.web.staff.payroll.questions import BY, answers_from, questions


def _to_import(item: PayrollImport) -> HttpResponseRedirect:
    """An import's page: its column mapping step while no profile reads it, else its preview."""
    name = "payroll:mapping" if item.status == ImportStatus.UNREAD else "payroll:preview"
    return HttpResponseRedirect(reverse(name, args=[item.audit_id, item.pk]))


def _staff_audit(request: HttpRequest, pk: int) -> tuple[User, Audit]:
    """The staff user and the audit, if they may see it (the workbench's own checks)."""
    user = staff_user(request)
    return user, visible_audit(user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def payroll_home(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit's payroll imports, the upload form, tax filings and the reconciliation."""
    user, audit = _staff_audit(request, pk)
    may_edit = audit_services.may(user, "edit_facts")
    form = UploadForm()
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("this account may not import payroll")
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = services.payroll_import_preview(
                    audit=audit,
                    by=user,
                    data=upload.read(),
                    filename=upload.name,
                    profile=form.cleaned_data["profile"] or None,
                    basis=form.cleaned_data["basis"],
                    keep_unread=True,
                )
            except TrueUpError as error:
                form.add_error("file", error.message)
            else:
                return _to_import(preview)
    comparisons = services.audit_reconciliation(audit)
    return render(
        request,
        "payroll/home.html",
        {
            "audit": audit,
            "form": form,
            "may_edit": may_edit,
            # Final, in review or replaced: filings and employee classes are read only too.
            "facts_open": audit.status in FACTS_EDITABLE,
            "imports": PayrollImport.objects.filter(audit=audit).defer(
                "lines", "employees", "exceptions", "quarters"
            ),
            "filings": TaxFiling.objects.filter(audit=audit),
            "filing_form": FilingForm(),
            "wage_report_form": StateWageReportForm(),
            "filing_employees": state_wages.filing_employees(audit),
            "employee_classes": EmployeeClass.objects.filter(audit=audit)
            .select_related("copied_from__period__policy")
            .order_by("employee"),
            "resolutions": PayrollResolution.objects.filter(
                insured_id=audit.period.policy.insured_id
            ).select_related("audit__period"),
            "employee_form": EmployeeClassForm(),
            "comparisons": comparisons,
        },
    )


@login_required
@require_GET
def preview(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk)
    payroll_import = get_object_or_404(PayrollImport, audit=audit, pk=item)
    if payroll_import.status == ImportStatus.UNREAD:
        return _to_import(payroll_import)
    may_edit = audit_services.may(user, "edit_facts") and audit.status in FACTS_EDITABLE
    return render(
        request,
        "payroll/preview.html",
        {
            "audit": audit,
            "item": payroll_import,
            "totals": [
                (category.replace("_", " "), Decimal(cents).scaleb(-2))
                for category, cents in payroll_import.totals.items()
            ],
            "gross": Decimal(payroll_import.gross_cents).scaleb(-2),
            "employees": [
                {**row, "gross": Decimal(row["gross_cents"]).scaleb(-2)}
                for row in payroll_import.employees[:500]
            ],
            "waiting_cents": sum(int(u["cents"]) for u in payroll_import.unmapped)
            + sum(int(u["cents"]) for u in payroll_import.unresolved),
            "may_resolve": may_edit and payroll_import.status == ImportStatus.PREVIEWED,
            "questions": questions(payroll_import),
            "by": [*BY, ("employee", "Employee")],
            "states": audit.period.states,
            "categories": [key for key in categories() if key != "ignore"],
            "may_commit": may_edit and payroll_import.committable,
        },
    )


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The auditor's answers to the preview's questions (codes, departments, jobs, locations,
    employees), saved, and the register read again with them."""
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not import payroll")
    payroll_import = get_object_or_404(PayrollImport, audit=audit, pk=item)
    try:
        fresh = services.payroll_import_resolve(
            payroll_import=payroll_import, by=user, answers=answers_from(request.POST)
        )
    except TrueUpError as error:
        messages.error(request, f"Nothing was saved: {error.message}")
        return HttpResponseRedirect(reverse("payroll:preview", args=[audit.pk, item]) + "#resolve")
    messages.success(request, "Saved, and the register read again with your answers.")
    return _to_import(fresh)


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The column mapping step, for a file no profile or saved mapping reads: each column named,
    saved as a mapping for this insured, and the file read with it."""
    user, audit = _staff_audit(request, pk)
    payroll_import = get_object_or_404(PayrollImport, audit=audit, pk=item)
    headers, sample = services.import_headers(payroll_import)
    form = ColumnMappingForm(headers, request.POST or None)
    if request.method == "POST":
        if not audit_services.may(user, "edit_facts"):
            raise PermissionDenied("this account may not import payroll")
        if form.is_valid():
            try:
                fresh = services.payroll_import_map_columns(
                    payroll_import=payroll_import,
                    by=user,
                    name=form.cleaned_data["name"],
                    data=form.mapping(),
                )
            except TrueUpError as error:
                form.add_error(None, error.message)
            else:
                return _to_import(fresh)
    return render(
        request,
        "payroll/mapping.html",
        {
            "audit": audit,
            "item": payroll_import,
            "form": form,
            "rows": [[row.get(h, "") for h in headers] for row in sample],
            "headers": headers,
            "may_edit": audit_services.may(user, "edit_facts") and audit.status in FACTS_EDITABLE,
        },
    )


@login_required
@require_POST
def commit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not import payroll")
    payroll_import = get_object_or_404(PayrollImport, audit=audit, pk=item)
    try:
        services.payroll_import_commit(payroll_import=payroll_import, by=user)
    except TrueUpError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("payroll:preview", args=[audit.pk, item]))
    messages.success(
        request,
        f"{len(payroll_import.lines)} payroll line(s) from {payroll_import.filename} "
        "are on the audit.",
    )
    return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + "#worksheet")


@login_required
@require_POST
def filing(request: HttpRequest, pk: int) -> HttpResponse:
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not enter tax filings")
    form = FilingForm(request.POST)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            services.tax_filing_save(
                audit=audit,
                by=user,
                kind=data["kind"],
                year=data["year"],
                quarter=data["quarter"],
                state=data["state"] or "",
                **form.cents(),
            )
        except TrueUpError as error:
            messages.error(request, f"The filing was not saved: {error.message}")
    else:
        problems = "; ".join(
            f"{form.fields[k].label or k}: {' '.join(str(m) for m in v)}"
            if k in form.fields
            else " ".join(str(m) for m in v)
            for k, v in form.errors.items()
        )
        messages.error(request, f"The filing was not saved: {problems}")
    return HttpResponseRedirect(reverse("payroll:home", args=[audit.pk]) + "#reconciliation")


@login_required
@require_POST
def answer_remove(request: HttpRequest, pk: int, answer: int) -> HttpResponse:
    """Take back one of the answers kept for the insured."""
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not change payroll answers")
    try:
        removed = services.payroll_answer_remove(audit=audit, by=user, pk=answer)
    except TrueUpError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
    else:
        messages.success(
            request,
            f"The answer for {removed.get_kind_display().lower()} {removed.value} was taken "
            "back: the next preview asks it again.",
        )
    return HttpResponseRedirect(reverse("payroll:home", args=[audit.pk]) + "#answers")


@login_required
@require_POST
def state_wage_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a state's wage report into the audit's state unemployment filing for its quarter."""
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not enter tax filings")
    form = StateWageReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "The wage report was not read: choose its CSV or XLSX file.")
    else:
        upload = form.cleaned_data["file"]
        try:
            filing = state_wages.state_wage_report_save(
                audit=audit, by=user, data=upload.read(), filename=upload.name
            )
        except TrueUpError as error:
            messages.error(request, f"The wage report was not read: {error.message}")
        else:
            messages.success(
                request,
                f"{upload.name}: {filing.state} {filing.year} Q{filing.quarter}, "
                f"{len(filing.employees)} employee(s), total wages "
                f"{usd_cents(Decimal(filing.total_wages_cents or 0).scaleb(-2))}.",
            )
    return HttpResponseRedirect(reverse("payroll:home", args=[audit.pk]) + "#reconciliation")


@login_required
@require_POST
def employee_class(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change one employee's state and class, for registers without those columns."""
    user, audit = _staff_audit(request, pk)
    if not audit_services.may(user, "edit_facts"):
        raise PermissionDenied("this account may not classify employees")
    form = EmployeeClassForm(request.POST)
    if form.is_valid():
        try:
            services.employee_class_set(audit=audit, by=user, **form.cleaned_data)
        except TrueUpError as error:
            messages.error(request, f"The employee was not saved: {error.message}")
    else:
        problems = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        messages.error(request, f"The employee was not saved: {problems}")
    return HttpResponseRedirect(reverse("payroll:home", args=[audit.pk]) + "#employees")
