"""Premium reports in the JSON API, for a payroll service that reports on the insured's behalf:
the reports due, and a report filed with its lines, rated and handed to billing at once."""

# No `from __future__ import annotations`: Django Ninja reads the query parameters' types.
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from trueup.accounts.models import User
from trueup.api.common import Input, Money, Page, answers
from trueup.audits.selectors import audits_visible_to
from trueup.audits.services import may
from trueup.billing.handoff import report_billing_handoff
from trueup.core.errors import NotAllowed
from trueup.premium_reports.models import PremiumReport, ReportSource, ReportStatus
from trueup.premium_reports.services import report_file

router = Router(tags=["premium reports"])


class LineIn(Input):
    state: str = Field(max_length=2)
    class_code: str = Field(max_length=6)
    # Checked by the filing (zero or more), which names the line: lines[2].exposure.
    exposure: Money


class ReportIn(Input):
    lines: list[LineIn]


class LineOut(Schema):
    state: str
    class_code: str
    exposure: Money


class ReportOut(Schema):
    id: int
    policy: str
    covers_from: date
    covers_to: date
    due_on: date
    status: str
    source: str
    premium: Money | None
    lines: list[LineOut]
    reasons: list[str]
    billing_instruction: int | None

    @staticmethod
    def resolve_policy(report: PremiumReport) -> str:
        return report.plan.period.policy.number

    @staticmethod
    def resolve_lines(report: PremiumReport) -> list[Any]:
        return list(report.lines.all())

    @staticmethod
    def resolve_billing_instruction(report: PremiumReport) -> int | None:
        instruction = getattr(report, "billing_instruction", None)
        return None if instruction is None else int(instruction.pk)


def _user(request: HttpRequest) -> User:
    """Staff whose role enters an audit's facts: the accounts payroll services report with."""
    user = request.user
    assert isinstance(user, User)
    if not may(user, "edit_facts"):
        raise NotAllowed("this account may not read or file premium reports")
    return user


def _visible(user: User) -> QuerySet[PremiumReport]:
    """Every report for the department's staff; an outside firm's account sees the reports of
    the periods whose audits the firm has."""
    reports = PremiumReport.objects.select_related("plan__period__policy", "billing_instruction")
    if user.vendor_id is not None:
        reports = reports.filter(plan__period__in=audits_visible_to(user).values("period"))
    return reports.prefetch_related("lines").order_by("due_on", "id")


@router.get("/premium-reports", response=answers(list[ReportOut]))
@paginate(Page)  # slices the queryset: only one page is read
def list_reports(request: HttpRequest, due: bool = False) -> QuerySet[PremiumReport]:
    """Premium reports by due date; with ``due=true``, only those waiting to be filed."""
    reports = _visible(_user(request))
    return reports.filter(status=ReportStatus.DUE) if due else reports


@router.post("/premium-reports/{report_id}", response=answers(ReportOut))
def file_report(request: HttpRequest, report_id: int, payload: ReportIn) -> PremiumReport:
    """File the report: each line a state of the policy, a class rated there and the exposure
    (zero or more). Every wrong line is named (422) and nothing is written; a report filed
    already, or of a closed plan, is refused (409). The report is rated and billed at once."""
    user = _user(request)
    report = get_object_or_404(_visible(user), pk=report_id)
    lines = [line.dict() for line in payload.lines]
    with transaction.atomic():
        filed = report_file(report=report, lines=lines, by=user, source=ReportSource.API)
        report_billing_handoff(report=filed, by=user)
    return get_object_or_404(_visible(user), pk=filed.pk)
