"""Each role's queue: the reviewer's, billing's, the underwriter's referrals and an auditor's own
work. A role without the queue gets 403; the rows are only of the audits the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user
from trueup.audits.models import Audit
from trueup.billing.models import OutboxMessage
from trueup.core import clock
from trueup.core.errors import InvalidInput, NotAllowed
from trueup.flows import queues

PAGE_SIZE = 50


def _queue_user(request: HttpRequest, queue: str) -> User:
    user = staff_user(request)
    if not queues.may_open(user, queue):
        raise PermissionDenied(
            f"a user with the {user.get_role_display()} role has no {queue} queue"
        )
    return user


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request, "review")
    page = _page(request, queues.review_queue(user))
    return render(
        request,
        "queues/review.html",
        {"page": page, "rows": queues.review_rows(user, page), "reviewer": user},
    )


@login_required
@require_GET
def billing(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request, "billing")
    page = _page(request, queues.billing_queue(user))
    return render(
        request, "queues/billing.html", {"page": page, "rows": queues.billing_rows(user, page)}
    )


@login_required
@require_POST
def mark_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    """Billing has the instruction. Pressed twice (or by two people at once) it says it was
    done already; nothing changes."""
    user = _queue_user(request, "billing")
    try:
        delivery = queues.instruction_mark_delivered(instruction_id=pk, by=user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except OutboxMessage.DoesNotExist as error:
        raise Http404("no such billing instruction") from error
    message = delivery.message
    if delivery.marked_now:
        messages.success(request, f"Instruction {pk} is marked delivered.")
    else:
        at = timezone.localtime(message.delivered_at) if message.delivered_at else None
        when = f" on {at:%Y-%m-%d at %H:%M}" if at else ""
        messages.info(
            request,
            f"Instruction {pk} was already delivered{when} ({message.delivered_to}): "
            "nothing changed.",
        )
    return HttpResponseRedirect(reverse("queues:billing"))


@login_required
@require_GET
def underwriting(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request, "underwriting")
    page = _page(request, queues.underwriting_queue(user))
    low, high = queues.variance_band()
    return render(
        request,
        "queues/underwriting.html",
        {"page": page, "rows": queues.referral_rows(page), "low": low, "high": high},
    )


@login_required
@require_POST
def answer_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Underwriting says what it did about a referral; the audit leaves the queue."""
    user = _queue_user(request, "underwriting")
    try:
        queues.referral_answer(audit_id=pk, by=user, note=request.POST.get("note", ""))
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except Audit.DoesNotExist as error:
        raise Http404("no such audit") from error
    except InvalidInput as error:
        messages.error(request, f"Audit #{pk}: {error.problems[0].reason}.")
    else:
        messages.success(request, f"Audit #{pk}: your answer is recorded.")
    return HttpResponseRedirect(reverse("queues:underwriting"))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request, "mine")
    page = _page(request, queues.my_work(user))
    return render(
        request, "queues/mine.html", {"page": page, "rows": queues.work_rows(page, clock.today())}
    )
