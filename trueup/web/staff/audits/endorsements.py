"""The audit page's endorsements: the period's changes with their premium effects, and the
approval of one waiting for a reviewer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.core.errors import TrueUpError
from trueup.core.money import usd_cents
from trueup.endorsements.selectors import endorsements_of
from trueup.endorsements.services import APPROVE_ROLES, endorsement_approve


def endorsements_panel(audit: Audit, user: User) -> dict[str, Any]:
    """The period's endorsements for the audit page, and whether this user may approve one."""
    return {
        # Exact to the cent, as billed.
        "endorsements": [(e, usd_cents(e.premium_effect)) for e in endorsements_of(audit.period)],
        "may_approve_endorsements": user.role in APPROVE_ROLES,
    }


@login_required
@require_POST
def approve(request: HttpRequest, pk: int, endorsement: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    found = get_object_or_404(endorsements_of(audit.period), pk=endorsement)
    try:
        endorsement_approve(endorsement=found, by=user, reason=request.POST.get("reason", ""))
    except TrueUpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The endorsement ({found.get_kind_display()}) is issued.")
    return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + "#endorsements")
