"""The audit page's endorsements: the period's changes with their premium effects, the approval
of one waiting for a reviewer, and the form that asks for a change of the period's classes with
the class lookup beside it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput, TrueUpError
from trueup.core.money import usd_cents
from trueup.core.presence import Probe, holding, rows_if
from trueup.endorsements.models import Endorsement, Kind
from trueup.endorsements.selectors import endorsements_of
from trueup.endorsements.services import (
    APPROVE_ROLES,
    REQUEST_ROLES,
    endorsement_approve,
    endorsement_request,
)
from trueup.web.forms import MoneyField
from trueup.web.staff.audits.classes import lookup_context

# The changes of the period's classes this form asks for; the other kinds have their own
# forms in the API and the admin.
CLASS_KINDS = (Kind.CLASS_ADD, Kind.CLASS_REMOVE, Kind.EXPOSURE_CHANGE)
# Where the service names a problem, the form's field that shows it.
FIELD_OF_PROBLEM = {
    "change.state": "state",
    "change.class": "class_code",
    "change.exposure": "exposure",
    "effective": "effective",
    "reason": "reason",
}


class ClassEndorsementForm(forms.Form):
    kind = forms.ChoiceField(
        label="Change", choices=[(k.value, k.label) for k in CLASS_KINDS], initial=Kind.CLASS_ADD
    )
    state = forms.ChoiceField(label="State")
    class_code = forms.CharField(label="Class code", max_length=10)
    exposure = MoneyField(
        label="Estimated annual exposure",
        required=False,
        help_text="Payroll in dollars, or the class's own units; not needed to remove a class",
    )
    effective = forms.DateField(label="Effective", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason for the change", max_length=500)

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [(s, s) for s in states]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_exposure = data.get("kind") != Kind.CLASS_REMOVE
        if needs_exposure and data.get("exposure") is None and "exposure" not in self.errors:
            self.add_error("exposure", "Enter the estimated annual exposure of the class.")
        return data

    def change(self) -> dict[str, str]:
        """The change as the endorsement service reads it (and as it is kept)."""
        data = self.cleaned_data
        change = {"state": data["state"], "class": data["class_code"].strip()}
        if data["kind"] != Kind.CLASS_REMOVE:
            change["exposure"] = str(data["exposure"])
        return change


def endorsement_probes(audit: Audit) -> dict[str, Probe]:
    """The period's endorsements are read only where there are some."""
    return {"endorsed": (Endorsement, "period", audit.period_id)}


def endorsements_panel(audit: Audit, user: User) -> dict[str, Any]:
    """The period's endorsements for the audit page, and whether this user may approve one."""
    return {
        # Exact to the cent, as billed.
        "endorsements": [
            (e, usd_cents(e.premium_effect))
            for e in rows_if(
                holding(**endorsement_probes(audit))["endorsed"],
                endorsements_of(audit.period),
            )
        ],
        "may_approve_endorsements": user.role in APPROVE_ROLES,
        "may_request_endorsements": user.role in REQUEST_ROLES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def request_class_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a class to be added or removed, or its estimated exposure changed, from the
    effective date; the class lookup beside the form finds the code from the work described."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if user.role not in REQUEST_ROLES:
        raise PermissionDenied("Your role does not make endorsements.")
    states = list(audit.period.states)
    form = ClassEndorsementForm(
        request.POST or None, states=states, initial={"effective": audit.period.effective}
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = endorsement_request(
                period=audit.period,
                kind=form.cleaned_data["kind"],
                effective=form.cleaned_data["effective"],
                change=form.change(),
                by=user,
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            for problem in error.problems:
                reason = problem.reason[:1].upper() + problem.reason[1:] + "."
                form.add_error(FIELD_OF_PROBLEM.get(problem.path), reason)
        else:
            messages.success(request, _made_message(made.get_kind_display(), made.status))
            return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + "#endorsements")
    context = lookup_context(audit, request.GET.get("q", ""), request.GET.get("state", ""))
    return render(request, "audits/endorsement_form.html", {**context, "form": form})


def _made_message(kind: str, status: str) -> str:
    if status == "issued":
        return f"The endorsement ({kind}) is issued and the estimate changed."
    return (
        f"The endorsement ({kind}) waits for a reviewer: "
        "its premium effect is above your authority."
    )


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
