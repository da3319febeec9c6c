"""Asking for an interim audit from an audit's page: the underwriter or an audit manager names
the last day it covers and why; the new audit's page opens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit, InterimReason
from trueup.audits.scheduling import (
    interim_audit_request,
    interim_covers_from,
    may_request_interim,
)
from trueup.core.errors import InvalidInput


class InterimForm(forms.Form):
    covers_to = forms.DateField(
        label="Last day covered", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label="Why", choices=InterimReason.choices)


def interim_panel(audit: Audit, user: User) -> dict[str, Any]:
    """What the audit's page shows of interim audits: the form, to those who may ask."""
    if not may_request_interim(user):
        return {"interim_form": None}
    return {
        "interim_form": InterimForm(),
        "interim_from": interim_covers_from(audit.period),
    }


@login_required
@require_POST
def interim_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not may_request_interim(user):
        raise PermissionDenied("the underwriter or an audit manager asks for an interim audit")
    form = InterimForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the last day the interim audit covers and why.")
        return HttpResponseRedirect(reverse("audits:audit", args=[pk]))
    try:
        made = interim_audit_request(
            period=audit.period,
            covers_to=form.cleaned_data["covers_to"],
            reason=form.cleaned_data["reason"],
            by=user,
        )
    except InvalidInput as error:
        messages.error(request, "Not asked for: " + "; ".join(p.reason for p in error.problems))
        return HttpResponseRedirect(reverse("audits:audit", args=[pk]))
    messages.success(
        request,
        f"Interim audit {made.pk} asked for, covering {made.covers_from:%Y-%m-%d} to "
        f"{made.covers_to:%Y-%m-%d}, due {made.due_date:%Y-%m-%d}.",
    )
    return HttpResponseRedirect(reverse("audits:audit", args=[made.pk]))
