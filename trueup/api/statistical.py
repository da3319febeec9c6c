"""Unit statistical reports in the JSON API: the reports with their status, and each report's
file as it was generated and sent. Managers, reviewers and administrators only."""

# No `from __future__ import annotations`: Django Ninja reads the query parameters' types.
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from trueup.api.common import Page, answers
from trueup.core.errors import NotAllowed
from trueup.reporting.access import may_report_statistics
from trueup.reporting.models import StatReport, StatStatus
from trueup.reporting.statistical import selectors

router = Router(tags=["statistical reports"])

FILE = {
    "description": "The report's fixed-length file, as generated and sent (its SHA-256 digest "
    "in the Digest header)",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


class StatReportOut(Schema):
    id: int
    policy_number: str
    period_effective: date
    state: str
    bureau: str
    report_level: int
    correction_sequence: str
    correction_type: str
    replacement_code: str
    replaces: int | None
    estimated: bool
    reason: str
    status: str
    bureau_note: str
    valued_on: date
    due_on: date
    records: int
    digest: str
    layout: str
    generated_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_policy_number(obj: StatReport) -> str:
        return obj.period.policy.number

    @staticmethod
    def resolve_period_effective(obj: StatReport) -> date:
        return obj.period.effective

    @staticmethod
    def resolve_replaces(obj: StatReport) -> int | None:
        return obj.replaces_id


def _check(request: HttpRequest) -> None:
    if not may_report_statistics(request.user):
        raise NotAllowed(
            "only audit managers, reviewers and administrators see the statistical reports"
        )


@router.get("/stat-reports", response=answers(list[StatReportOut]))
@paginate(Page)
def stat_reports(request: HttpRequest, status: str = "", state: str = "", bureau: str = "") -> Any:
    """Unit statistical reports, newest first, by status (generated, sent, accepted,
    accepted_warnings, rejected), state or bureau."""
    _check(request)
    found = selectors.reports(status if status in StatStatus.values else None)
    if status and status not in StatStatus.values:
        found = found.none()
    if state:
        found = found.filter(state=state.upper())
    if bureau:
        found = found.filter(bureau=bureau.upper())
    return found


@router.get(
    "/stat-reports/{report_id}/file",
    response=answers(None),
    openapi_extra={"responses": {200: FILE}},
)
def stat_report_file(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report's file exactly as kept."""
    _check(request)
    report = get_object_or_404(StatReport.objects.select_related("period__policy"), pk=report_id)
    response = HttpResponse(bytes(report.content), content_type="text/plain; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Digest"] = f"sha-256={report.digest}"
    return response
