"""The insured's payroll report (pay-as-you-go premium reporting): a short form of the payroll
paid in each state and class over the months the report covers, rated and billed when sent."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.billing.handoff import report_billing_handoff
from trueup.core.errors import InvalidInput
from trueup.portal.access import insureds_for, may_report
from trueup.premium_reports.models import PlanStatus, PremiumReport, ReportSource, ReportStatus
from trueup.premium_reports.services import report_file
from trueup.web.portal.base import portal_view, problems_text


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


def _rows(report: PremiumReport, posted: dict[str, str]) -> list[dict[str, Any]]:
    """One row per state and class on the policy's estimate, with what was typed in."""
    estimates = report.plan.period.estimates.order_by("state", "class_code", "id")
    return [
        {
            "n": n,
            "state": e.state,
            "class_code": e.class_code,
            "value": posted.get(f"exposure-{n}", ""),
        }
        for n, e in enumerate(estimates)
    ]


@require_http_methods(["GET", "POST"])
@portal_view
def premium_report(request: HttpRequest, report: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(reports_due(user), pk=report)
    posted = {k: str(v) for k, v in request.POST.items()}
    rows = _rows(found, posted)
    problems = ""
    if request.method == "POST":
        lines = [
            {
                "state": r["state"],
                "class_code": r["class_code"],
                "exposure": r["value"].replace(",", ""),
            }
            for r in rows
        ]
        try:
            with transaction.atomic():
                filed = report_file(report=found, lines=lines, by=user, source=ReportSource.PORTAL)
                report_billing_handoff(report=filed, by=user)
        except InvalidInput as e:
            problems = problems_text(e)
        else:
            messages.success(
                request,
                f"Thank you: your payroll report is in. The premium for these months is "
                f"${filed.premium:,}, and it will be billed to you.",
            )
            return redirect("portal:home")
    return render(
        request, "portal/premium_report.html", {"report": found, "rows": rows, "problems": problems}
    )
