"""The insured's payroll report (pay-as-you-go premium reporting): a short form of the payroll
paid in each state and class over the months the report covers, rated and billed when sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.billing.handoff import report_billing_handoff
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.flows.premium_reports import ExportSummary, report_export_read
from trueup.payroll.ingest import RegisterError
from trueup.portal.access import insureds_for, may_report
from trueup.premium_reports.models import PlanStatus, PremiumReport, ReportSource, ReportStatus
from trueup.premium_reports.rating import Line
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


def _rows(
    report: PremiumReport, posted: dict[str, str], found: tuple[Line, ...] | None = None
) -> list[dict[str, Any]]:
    """One row per state and class on the policy's estimate, then those a payroll export added
    (carried by the form), with what was typed in; or, just read from an export, its amounts
    (0.00 for a class it has no pay in)."""
    estimates = report.plan.period.estimates.order_by("state", "class_code", "id")
    pairs = [(e.state, e.class_code) for e in estimates]
    on_estimate = len(pairs)
    while f"state-{len(pairs)}" in posted:
        n = len(pairs)
        pairs.append((posted[f"state-{n}"][:2], posted.get(f"class_code-{n}", "")[:6]))
    values = [posted.get(f"exposure-{n}", "") for n in range(len(pairs))]
    if found is not None:
        amounts = {(line.state, line.class_code): line.exposure for line in found}
        pairs += [pair for pair in amounts if pair not in pairs]
        values = [f"{amounts.get(pair, Decimal('0.00')):.2f}" for pair in pairs]
    return [
        {
            "n": n,
            "state": state,
            "class_code": class_code,
            "value": values[n],
            "added": n >= on_estimate,
        }
        for n, (state, class_code) in enumerate(pairs)
    ]


def _read_export(
    request: HttpRequest, report: PremiumReport, user: User
) -> tuple[ExportSummary | None, str]:
    """The uploaded export summarised for the report, or why it could not be."""
    upload = request.FILES.get("export")
    if upload is None:
        return None, "Choose your payroll export (a CSV or Excel file) to upload."
    name = upload.name or "the file"
    try:
        return report_export_read(report=report, by=user, data=upload.read(), filename=name), ""
    except RegisterError as e:
        return None, f"{name} could not be read: {e}"
    except (Refused, NotAllowed) as e:
        return None, str(e)[:1].upper() + str(e)[1:] + "."


def _file(report: PremiumReport, user: User, rows: list[dict[str, Any]]) -> PremiumReport | str:
    """The report filed with the amounts in the form, or the problems, as words."""
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
            filed = report_file(report=report, lines=lines, by=user, source=ReportSource.PORTAL)
            report_billing_handoff(report=filed, by=user)
    except InvalidInput as e:
        return problems_text(e)
    except Refused as e:
        return str(e)[:1].upper() + str(e)[1:] + "."
    return filed


@require_http_methods(["GET", "POST"])
@portal_view
def premium_report(request: HttpRequest, report: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(reports_due(user), pk=report)
    posted = {k: str(v) for k, v in request.POST.items()}
    summary, problems, status = None, "", 200
    if request.method == "POST" and posted.get("action") == "read_export":
        # Reading the export fills the form in; nothing is filed until the insured sends it.
        summary, problems = _read_export(request, found, user)
        rows = _rows(found, {}, summary.lines if summary else None)
        status = 422 if problems else 200
    else:
        rows = _rows(found, posted)
    if request.method == "POST" and posted.get("action") != "read_export":
        filed = _file(found, user, rows)
        if not isinstance(filed, str):
            messages.success(
                request,
                f"Thank you: your payroll report is in. The premium for these months is "
                f"${filed.premium:,}, and it will be billed to you.",
            )
            return redirect("portal:home")
        problems, status = filed, 200
    return render(
        request,
        "portal/premium_report.html",
        {"report": found, "rows": rows, "problems": problems, "summary": summary},
        status=status,
    )
