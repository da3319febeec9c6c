"""Putting an audit's policy period on premium reporting (pay-as-you-go): the department's
managers choose how often the insured reports and the deposit held against the term. Once on
reporting, the page shows the plan and its schedule of reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trueup.audits.access import staff_user, visible_audit
from trueup.audits.services import may
from trueup.core.errors import TrueUpError
from trueup.premium_reports.models import Frequency, ReportingPlan
from trueup.premium_reports.services import plan_start
from trueup.web.forms import MoneyField


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
        {"audit": audit, "plan": plan, "reports": reports, "form": form},
    )
