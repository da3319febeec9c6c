"""The portal's first page: the audits a user may see, with where each stands."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trueup.accounts.models import Role
from trueup.audits.selectors import respond_by
from trueup.audits.workflow import Status
from trueup.portal.access import insureds_for, portal_audits, portal_user
from trueup.web.portal.base import portal_view
from trueup.web.portal.stages import missing, stage


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
    q = request.GET.get("q", "").strip()
    if q and user.role == Role.AGENT:
        audits = audits.filter(period__policy__insured__name__icontains=q) | audits.filter(
            period__policy__number__icontains=q
        )
    rows = [
        {
            "audit": a,
            "stage": stage(a),
            "missing": len(missing(a)),
            "respond_by": respond_by(a) if a.status == Status.RECORDS_REQUESTED else None,
        }
        for a in audits[:200]
    ]
    return render(
        request,
        "portal/home.html",
        {"rows": rows, "q": q, "insureds": insureds_for(user), "is_agent": user.role == Role.AGENT},
    )
