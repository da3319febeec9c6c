"""The class lookup beside the worksheet: the classes of the audit's state that fit a
description of the work, with the words matched and the cautions. A plain GET form; with htmx
only the suggestions are swapped in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.audits.selectors import class_name
from trueup.core.errors import InvalidInput
from trueup.reference.classes import MAX_QUERY, plain_description, suggest


def lookup_context(audit: Audit, query: str = "", state: str = "") -> dict[str, Any]:
    period = audit.period
    states = list(period.states)
    state = state if state in states else (states[0] if states else "")
    context: dict[str, Any] = {
        "audit": audit,
        "lookup_states": states,
        "lookup_state": state,
        "lookup_query": query,
        "lookup_max": MAX_QUERY,
        "lookup": None,
        "lookup_problems": [],
    }
    if query.strip() and state:
        try:
            context["lookup"] = suggest(
                query, state=state, line=period.policy.line, on=period.effective
            )
        except InvalidInput as error:
            context["lookup_problems"] = [p.reason for p in error.problems]
    return context


@login_required
@require_GET
def class_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    context = lookup_context(
        audit, request.GET.get("q", "")[: MAX_QUERY + 1], request.GET.get("state", "")
    )
    if getattr(request, "htmx", False):
        return render(request, "audits/_class_suggestions.html", context)
    # The page on its own (from an interview's operations, or without script): the policy's
    # classes beside the ones suggested.
    period = audit.period
    context["policy_classes"] = [
        {
            "state": e.state,
            "class_code": e.class_code,
            "description": class_name(audit, e.state, e.class_code)
            or plain_description(e.state, period.policy.line, e.class_code, period.effective),
        }
        for e in period.estimates.order_by("state", "class_code")
    ]
    return render(request, "audits/class_lookup.html", context)
