"""The portal as the audit staff see it on the workbench's audit page: the invitations and who
has access, the insured's self-audit, messages to answer, and the portal's access log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from trueup.accounts.models import User
from trueup.audits.access import staff_user, visible_audit
from trueup.audits.models import Audit
from trueup.audits.services import may
from trueup.core.errors import InvalidInput
from trueup.core.presence import Probe, holding, rows_if
from trueup.portal.models import AccessLog, Invitation, Message, PortalAccess, SelfAudit
from trueup.portal.services import (
    invitation_issue,
    invitation_state,
    message_post,
    messages_read,
)


def portal_probes(audit: Audit) -> dict[str, Probe]:
    """The portal's tables the panel reads only where they hold rows for this audit: most
    audits' insureds never use the portal."""
    insured_id = audit.period.policy.insured_id
    return {
        "invitations": (Invitation, "insured", insured_id),
        "people": (PortalAccess, "insured", insured_id),
        "messages": (Message, "audit", audit.pk),
        "self_audit": (SelfAudit, "audit", audit.pk),
        "log": (AccessLog, "audit", audit.pk),
    }


def portal_panel(audit: Audit, user: User) -> dict[str, Any]:
    """What the audit page shows of the portal, for this staff user."""
    insured = audit.period.policy.insured
    has = holding(**portal_probes(audit))
    invitations = Invitation.objects.filter(insured=insured).select_related("redeemed_by")
    thread = rows_if(has["messages"], audit.messages.select_related("author"))
    unread = sum(1 for m in thread if m.from_portal and m.read_at is None)
    if unread:
        messages_read(audit=audit, reader=user)
    self_audit = SelfAudit.objects.filter(audit=audit).first() if has["self_audit"] else None
    return {
        "portal_invitations": [
            (i, invitation_state(i)) for i in rows_if(has["invitations"], invitations[:10])
        ],
        "portal_people": rows_if(
            has["people"],
            PortalAccess.objects.filter(insured=insured, revoked_at__isnull=True).select_related(
                "user"
            ),
        ),
        "portal_agency": insured.agency,
        "portal_self_audit": self_audit,
        "portal_thread": thread,
        "portal_unread": unread,
        "portal_log": rows_if(
            has["log"], AccessLog.objects.filter(audit=audit).select_related("user")[:10]
        ),
        "may_invite": may(user, "document") and bool(insured.contact_email),
        # The invitation's letter and e-mail start in the insured's preferred language.
        "portal_languages": settings.LANGUAGES,
        "portal_language": insured.language,
        "portal_language_name": insured.get_language_display(),
    }


def _back(audit: Audit) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("audits:audit", args=[audit.pk]) + "#portal")


@login_required
@require_POST
def invitation_send(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation (the old one withdrawn): after an expired or locked link, say."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not may(user, "document"):
        raise PermissionDenied("this role may not send portal invitations")
    issued = invitation_issue(audit=audit, by=user, language=request.POST.get("language", ""))
    if issued is None:
        messages.info(request, "No invitation was needed: see the history for why.")
    else:
        messages.success(
            request,
            f"Invitation {issued.invitation.reference} sent to {issued.invitation.email}. "
            "Print the letter below: it carries the PIN.",
        )
    return _back(audit)


@login_required
@require_POST
def staff_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff write to the insured and agent, who read it on the portal's status page."""
    user = staff_user(request)
    audit = visible_audit(user, pk)
    if not may(user, "document"):
        raise PermissionDenied("this role may not write to the insured")
    try:
        message_post(audit=audit, by=user, body=request.POST.get("body", ""))
        messages.success(request, "Message sent: the insured and agent see it in the portal.")
    except InvalidInput as e:
        messages.error(request, "; ".join(p.reason for p in e.problems))
    return _back(audit)
