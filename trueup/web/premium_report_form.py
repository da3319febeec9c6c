"""The premium report's form, as the insured (portal) and the audit department (workbench) fill
it in: a row per state and class with its payroll, typed in or read from a payroll export first.
Reading an export only fills the form; sending it files the report, rated and billed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from trueup.accounts.models import User
from trueup.billing.handoff import report_billing_handoff
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.flows.premium_reports import ExportSummary, report_export_read
from trueup.payroll.ingest import RegisterError
from trueup.premium_reports.models import PremiumReport
from trueup.premium_reports.rating import Line
from trueup.premium_reports.services import report_file
from trueup.web.portal.base import problems_text

READ_EXPORT = "read_export"


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def report_rows(
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
        return None, _("Choose the payroll export (a CSV or Excel file) to upload.")
    name = upload.name or _("the file")
    try:
        return report_export_read(report=report, by=user, data=upload.read(), filename=name), ""
    except RegisterError as e:
        return None, _("%(file)s could not be read: %(reason)s") % {"file": name, "reason": e}
    except (Refused, NotAllowed) as e:
        return None, _sentence(e)


def _file(
    report: PremiumReport, user: User, rows: list[dict[str, Any]], source: str
) -> PremiumReport | str:
    """The report filed with the amounts in the form (and handed to billing), or the problems,
    as words."""
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
            filed = report_file(report=report, lines=lines, by=user, source=source)
            report_billing_handoff(report=filed, by=user)
    except InvalidInput as e:
        return problems_text(e)
    except Refused as e:
        return _sentence(e)
    return filed


@dataclass
class FormAnswer:
    """What the page shows (``context``, ``status``), or the report filed."""

    context: dict[str, Any]
    status: int = 200
    filed: PremiumReport | None = None


def report_form(request: HttpRequest, report: PremiumReport, user: User, source: str) -> FormAnswer:
    """The form shown, an export read into it, or the report filed from it."""
    posted = {k: str(v) for k, v in request.POST.items()}
    summary, problems, status = None, "", 200
    if request.method == "POST" and posted.get("action") == READ_EXPORT:
        # Reading the export fills the form in; nothing is filed until the form is sent.
        summary, problems = _read_export(request, report, user)
        rows = report_rows(report, {}, summary.lines if summary else None)
        status = 422 if problems else 200
    else:
        rows = report_rows(report, posted)
        if request.method == "POST":
            filed = _file(report, user, rows, source)
            if not isinstance(filed, str):
                return FormAnswer({}, filed=filed)
            problems = filed
    context = {"report": report, "rows": rows, "problems": problems, "summary": summary}
    return FormAnswer(context, status)
