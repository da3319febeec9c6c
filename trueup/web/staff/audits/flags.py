"""Anomaly flags on an audit's page: each flag with why and its source, accepted or dismissed
with a reason by those who document the audit, while it is open."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from trueup.accounts.models import User
from trueup.anomalies.models import Decision
from trueup.anomalies.selectors import flags_for
from trueup.anomalies.services import flag_decide
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.audits.services import may
from trueup.audits.workflow import CLOSED
from trueup.core.errors import InvalidInput, NotAllowed, Refused


def flags_panel(
    audit: Audit,
    user: User,
    result: dict[str, Any] | None,
    worksheet: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The page's section: the flags of the result it shows (``worksheet``: the one it rated,
    as JSON, when the page has it), and whether the user may decide."""
    return {
        "flags": flags_for(audit, result, worksheet),
        "may_decide_flags": may(user, "document") and audit.status not in CLOSED,
        "flag_decisions": Decision.choices,
    }


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    audit = visible_audit(user, pk)
    try:
        made = flag_decide(
            audit=audit,
            key=request.POST.get("key", ""),
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            by=user,
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except InvalidInput as error:
        messages.error(request, "Not decided: " + "; ".join(p.reason for p in error.problems))
    except Refused as error:
        messages.error(request, f"Not decided: {error.message}")
    else:
        messages.success(request, f"{made.get_decision_display()}: {made.text}")
    return HttpResponseRedirect(reverse("audits:audit", args=[pk]) + "#flags")
