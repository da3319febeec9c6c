"""Putting an audit's policy period on premium reporting (pay-as-you-go): the department's
managers choose how often the insured reports and the deposit held against the term. Once on
reporting, the page shows the plan and its schedule of reports; staff who enter audit facts file
a due report for the insured (typed in or read from a payroll export)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trueup.audits.access import staff_user, visible_audit
from trueup.audits.services import may
from trueup.core.errors import TrueUpError
from trueup.premium_reports.models import Frequency, PremiumReport, ReportingPlan, ReportSource
from trueup.premium_reports.services import plan_start, report_check_due
from trueup.web.forms import MoneyField
from trueup.web.premium_report_form import report_form


class ReportingForm(forms.Form):
    frequency = forms.ChoiceField(
        label="The insured reports", choices=Frequency.choices, widget=forms.RadioSelect
    )
    deposit = MoneyField(
        label="Deposit premium",
        min_value=0,
        help_text="Held against the term, applied or returned at the final audit.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def premium_reporting(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    # Starting premium reporting is the managers' (the services check it again).
    if not may(user, "assign"):
        raise PermissionDenied("only the audit department's managers put a policy on reporting")
    plan = ReportingPlan.objects.filter(period=audit.period).first()
    form = ReportingForm(request.POST if request.method == "POST" else None)
    if plan is None and request.method == "POST" and form.is_valid():
        try:
            plan_start(
                period=audit.period,
                frequency=form.cleaned_data["frequency"],
                deposit=form.cleaned_data["deposit"],
                by=user,
            )
        except TrueUpError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The period is on premium reporting.")
            return HttpResponseRedirect(reverse("audits:premium_reporting", args=[audit.pk]))
    reports = list(plan.reports.all()) if plan is not None else []
    return render(
        request,
        "audits/premium_reporting.html",
        {
            "audit": audit,
            "plan": plan,
            "reports": reports,
            "form": form,
            "may_file": may(user, "edit_facts"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def premium_report_file(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    """A due report filed by the department for the insured, from the figures the insured sent
    (typed in, or read from their payroll export)."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not may(user, "edit_facts"):
        raise PermissionDenied("premium reports are filed by staff who enter audit facts")
    found = get_object_or_404(
        PremiumReport.objects.select_related("plan__period__policy__insured"),
        plan__period=audit.period,
        pk=report,
    )
    try:
        report_check_due(found)
    except TrueUpError as error:
        context = {"audit": audit, "report": found, "final": error.message}
        return render(request, "audits/premium_report.html", context, status=409)
    answer = report_form(request, found, user, ReportSource.STAFF)
    if answer.filed is not None:
        messages.success(
            request, f"The report is filed: ${answer.filed.premium:,}, billed to the insured."
        )
        back = "audits:premium_reporting" if may(user, "assign") else "audits:audit"
        return HttpResponseRedirect(reverse(back, args=[audit.pk]))
    context = {"audit": audit, **answer.context}
    return render(request, "audits/premium_report.html", context, status=answer.status)
