"""The portal's first page: the audits a user may see, with where each stands. An agent's
agency may have hundreds, so theirs are searched, filtered by status, counted and paged."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.audits.selectors import respond_by
from trueup.audits.workflow import Status
from trueup.portal.access import insureds_for, portal_audits, portal_user
from trueup.web.portal.base import portal_view
from trueup.web.portal.reports import reports_due
from trueup.web.portal.stages import audited_period, missing, stage

# Audits on one page of the agent's list: a phone scrolls through it in a few screens.
PER_PAGE = 25


def _row(audit: Audit) -> dict[str, Any]:
    return {
        "audit": audit,
        "stage": stage(audit),
        "term": audited_period(audit.period),
        "missing": len(missing(audit)),
        "respond_by": respond_by(audit) if audit.status == Status.RECORDS_REQUESTED else None,
    }


def _agent_filters(request: HttpRequest, audits: QuerySet[Audit]) -> tuple[QuerySet[Audit], str]:
    q = request.GET.get("q", "").strip()
    if q:
        audits = audits.filter(period__policy__insured__name__icontains=q) | audits.filter(
            period__policy__number__icontains=q
        )
    status = request.GET.get("status", "")
    if status in Status.values:
        audits = audits.filter(status=status)
    return audits, status if status in Status.values else ""


def _agent_page(request: HttpRequest, user: User, audits: QuerySet[Audit]) -> HttpResponse:
    audits, status = _agent_filters(request, audits)
    page = Paginator(audits, PER_PAGE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "portal/home.html",
        {
            "rows": [_row(a) for a in page],
            "page": page,
            "kept": kept.urlencode(),
            "q": request.GET.get("q", "").strip(),
            "status": status,
            "statuses": Status.choices,
            "insureds": insureds_for(user),
            "is_agent": True,
        },
    )


@require_GET
@portal_view
def home(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    audits = (
        portal_audits(user)
        .select_related("period__policy__insured")
        .prefetch_related("records")
        .order_by("-period__expiration", "-id")
    )
    if user.role == Role.AGENT:
        return _agent_page(request, user, audits)
    return render(
        request,
        "portal/home.html",
        {
            "rows": [_row(a) for a in audits[:200]],
            "insureds": insureds_for(user),
            "reports_due": reports_due(user),
        },
    )
