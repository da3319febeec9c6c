"""The unit statistical reports to the rating bureaus: what is due, generated, sent, waiting for
a correction or rejected; the batch, one report, a correction or a replacement generated from
here; a report marked sent and the bureau's answer entered; each file downloaded as kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user
from trueup.core import clock
from trueup.core.errors import InvalidInput, Problem, TrueUpError
from trueup.core.tasks import enqueue_on_commit
from trueup.policies.models import PolicyPeriod
from trueup.reporting.access import may_report_statistics
from trueup.reporting.models import StatReport, StatStatus
from trueup.reporting.statistical import layout, rules, selectors, services
from trueup.reporting.tasks import generate_stat_reports

ANSWERS = {
    s.value: s.label for s in (StatStatus.ACCEPTED, StatStatus.WARNINGS, StatStatus.REJECTED)
}


# A bureau's answers file: a line per report; far more than any day's submissions.
MAX_ANSWERS_BYTES = 5 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = staff_user(request)
    if not may_report_statistics(user):
        raise PermissionDenied("statistical reporting is for audit managers and reviewers")
    return user


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@login_required
@require_GET
def stat_reports_page(request: HttpRequest) -> HttpResponse:
    _user(request)
    today = clock.today()
    start, end = rules.batch_window(today)
    due_from = _day(request.GET.get("from"), rules.add_months(today, -1))
    due_to = _day(request.GET.get("to"), end)
    due = [d for d in selectors.reports_due(due_from, due_to) if d.report_id is None]
    table = layout.load(today)
    context: dict[str, Any] = {
        "due_from": due_from,
        "due_to": due_to,
        "due": due,
        "generated": selectors.reports(StatStatus.GENERATED)[:200],
        "sent": selectors.reports(StatStatus.SENT)[:200],
        "pending": selectors.corrections_pending(),
        "rejected": [r for r in selectors.reports(StatStatus.REJECTED)[:200] if not _replaced(r)],
        "answered": selectors.reports().filter(
            status__in=[StatStatus.ACCEPTED, StatStatus.WARNINGS]
        )[:50],
        "runs": selectors.latest_batch(),
        "answers": ANSWERS,
        "layout": table,
        "batch_from": start,
        "batch_to": end,
    }
    return render(request, "reporting/statistical.html", context)


def _replaced(report: StatReport) -> bool:
    return StatReport.objects.filter(replaces=report).exists()


@login_required
@require_GET
def stat_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's file exactly as generated and sent (its SHA-256 digest in a header)."""
    _user(request)
    report = get_object_or_404(StatReport.objects.select_related("period__policy"), pk=pk)
    response = HttpResponse(bytes(report.content), content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Digest"] = f"sha-256={report.digest}"
    return response


@login_required
@require_POST
def stat_reports_act(request: HttpRequest) -> HttpResponse:
    """One action of the page: the batch, a first report, a correction, sent, the bureau's
    answer, a replacement."""
    user = _user(request)
    action = request.POST.get("action", "")
    back = reverse("reporting:statistical")
    try:
        if action == "batch":
            enqueue_on_commit(generate_stat_reports)
            messages.success(request, "The reports due are being generated; refresh to see them.")
        elif action == "import":
            upload = request.FILES.get("answers")
            if upload is None:
                raise InvalidInput([Problem("answers", "choose the bureau's CSV of answers")])
            try:
                text = upload.read(MAX_ANSWERS_BYTES + 1).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput([Problem("answers", "the file is not UTF-8 text")]) from None
            done = services.answers_import(text=text, by=user)
            messages.success(request, f"{len(done)} answer(s) recorded.")
        elif action in ("first", "correction"):
            period = get_object_or_404(PolicyPeriod, pk=request.POST.get("period"))
            state = request.POST.get("state", "")
            make = services.report_generate if action == "first" else services.correction_generate
            report = make(period=period, state=state, by=user)
            messages.success(request, f"Generated {report}.")
        else:
            report = get_object_or_404(StatReport, pk=request.POST.get("report"))
            if action == "sent":
                services.report_move(report=report, to=StatStatus.SENT, by=user)
                messages.success(request, f"{report} marked sent.")
            elif action == "answer":
                to = request.POST.get("status", "")
                if to not in ANSWERS:
                    raise Http404("no such answer")
                note = request.POST.get("note", "")
                services.report_move(report=report, to=to, by=user, note=note)
                messages.success(request, f"{report}: {ANSWERS[to].lower()}.")
            elif action == "replace":
                new = services.report_replace(report=report, by=user)
                messages.success(request, f"Generated {new}.")
            else:
                raise Http404("no such action")
    except InvalidInput as error:
        messages.error(
            request,
            "Nothing recorded: " + "; ".join(f"{p.path}: {p.reason}" for p in error.problems),
        )
    except TrueUpError as error:
        messages.error(request, error.message)
    return redirect(back)
