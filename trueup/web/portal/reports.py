"""The insured's payroll report (pay-as-you-go premium reporting): a short form of the payroll
paid in each state and class over the months the report covers, typed in or read from a payroll
export, rated and billed when sent."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.portal.access import insureds_for, may_report
from trueup.premium_reports.models import PlanStatus, PremiumReport, ReportSource, ReportStatus
from trueup.web.portal.base import portal_view
from trueup.web.premium_report_form import report_form


def reports_due(user: User) -> QuerySet[PremiumReport]:
    """The reports this policyholder may file: their own insureds', not filed yet. An agent
    follows them but does not file them."""
    if not may_report(user):
        return PremiumReport.objects.none()
    return (
        PremiumReport.objects.filter(
            plan__period__policy__insured__in=insureds_for(user).values("pk"),
            plan__status=PlanStatus.OPEN,
            status=ReportStatus.DUE,
        )
        .select_related("plan__period__policy__insured")
        .order_by("due_on", "id")
    )


@require_http_methods(["GET", "POST"])
@portal_view
def premium_report(request: HttpRequest, report: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(reports_due(user), pk=report)
    answer = report_form(request, found, user, ReportSource.PORTAL)
    if answer.filed is not None:
        messages.success(
            request,
            _(
                "Thank you: your payroll report is in. The premium for these months is "
                "%(premium)s, and it will be billed to you."
            )
            % {"premium": f"${answer.filed.premium:,}"},
        )
        return redirect("portal:home")
    return render(request, "portal/premium_report.html", answer.context, status=answer.status)
