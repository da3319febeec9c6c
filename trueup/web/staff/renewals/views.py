"""The renewal recommendations, for the underwriter and the audit managers: each recommended
figure with its reason, accepted (optionally with other figures), or rejected. Other roles get
403; only recommendations of audits the user may see are shown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.audits.selectors import audits_visible_to
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.renewals.models import RecommendationStatus, RenewalRecommendation
from trueup.renewals.services import (
    may_decide,
    recommendation_accept,
    recommendation_make,
    recommendation_reject,
)

PAGE_SIZE = 50
ACTION_WORDS = {
    "exposure_change": "Change the estimate",
    "class_add": "Add the class",
    "class_remove": "Remove the class",
    "officer_include": "Include the officer",
    "officer_exclude": "Exclude the officer",
    "officer_elect": "Keep the officer's election",
    "": "No change",
}


def _decider(request: HttpRequest) -> User:
    user = staff_user(request)
    if not may_decide(user):
        raise PermissionDenied(
            f"a user with the {user.get_role_display()} role does not decide renewals: the "
            "underwriter or an audit manager does"
        )
    return user


def _visible(user: User) -> QuerySet[RenewalRecommendation]:
    return RenewalRecommendation.objects.filter(audit__in=audits_visible_to(user)).select_related(
        "audit__period__policy__insured", "renewal", "decided_by"
    )


@login_required
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    user = _decider(request)
    made = RenewalRecommendation.objects.filter(audit=OuterRef("pk"))
    waiting = (
        audits_visible_to(user)
        .filter(status=Status.COMPLETED, final_result__isnull=False)
        .exclude(Exists(made))
        .select_related("period__policy__insured")
        .order_by("-id")[:PAGE_SIZE]
    )
    rows = _visible(user).order_by("-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "renewals/list.html", {"page": page, "waiting": waiting})


@login_required
@require_POST
def recommendation_new(request: HttpRequest, audit: int) -> HttpResponse:
    user = _decider(request)
    found: Audit = visible_audit(user, audit)
    try:
        made = recommendation_make(audit=found)
    except Refused as refused:
        messages.error(request, refused.message)
        return HttpResponseRedirect(reverse("renewals:list"))
    return HttpResponseRedirect(reverse("renewals:recommendation", args=[made.pk]))


def _rows(made: RenewalRecommendation) -> list[dict[str, Any]]:
    return [
        dict(line, n=n, action_words=ACTION_WORDS.get(line["action"], line["action"]))
        for n, line in enumerate(made.lines)
    ]


@login_required
@require_GET
def recommendation_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _decider(request)
    made = get_object_or_404(_visible(user), pk=pk)
    return render(
        request,
        "renewals/recommendation.html",
        {
            "made": made,
            "rows": _rows(made),
            "proposed": made.status == RecommendationStatus.PROPOSED,
            "changes": made.changes.select_related("by"),
        },
    )


def _edits(request: HttpRequest, made: RenewalRecommendation) -> dict[str, Any]:
    """The form as the service takes it: a line not ticked is left out; an exposure figure
    typed differently from the recommendation is the underwriter's."""
    edits: dict[str, Any] = {}
    for n, line in enumerate(made.lines):
        if not line["action"] and line["topic"] != "exposure":
            continue
        typed = request.POST.get(f"figure-{n}")
        if line["action"] and not request.POST.get(f"include-{n}"):
            edits[line["key"]] = None
        elif typed is not None and typed.strip() != _shown(line["recommended"]):
            edits[line["key"]] = typed
    return edits


def _shown(value: str | None) -> str:
    """A figure as the form shows it: whole dollars without cents."""
    text = value or ""
    return text[:-3] if text.endswith(".00") else text


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _decider(request)
    made = get_object_or_404(_visible(user), pk=pk)
    try:
        done = recommendation_accept(
            recommendation=made,
            by=user,
            lines=_edits(request, made),
            reason=request.POST.get("reason", ""),
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except InvalidInput as error:
        messages.error(request, "Not accepted: " + "; ".join(p.reason for p in error.problems))
    except Refused as refused:
        messages.error(request, f"Not accepted: {refused.message}.")
    else:
        decided = done.changes.filter(from_status=RecommendationStatus.PROPOSED).last()
        messages.success(
            request,
            f"{done.get_status_display()}: {decided.summary if decided else ''}. "
            "The future policy changes letter goes to the insured and agent.",
        )
    return HttpResponseRedirect(reverse("renewals:recommendation", args=[pk]))


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = _decider(request)
    made = get_object_or_404(_visible(user), pk=pk)
    try:
        recommendation_reject(recommendation=made, by=user, reason=request.POST.get("reason", ""))
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except InvalidInput as error:
        messages.error(request, "Not rejected: " + "; ".join(p.reason for p in error.problems))
    except Refused as refused:
        messages.error(request, f"Not rejected: {refused.message}.")
    else:
        messages.success(request, "Rejected: the renewal keeps its estimate.")
    return HttpResponseRedirect(reverse("renewals:recommendation", args=[pk]))
