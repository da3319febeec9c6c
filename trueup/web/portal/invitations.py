"""Invitations and delegated access: redeeming the invitation from the letter, and the
policyholder giving or taking away a delegate's access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trueup.accounts.models import User
from trueup.core.errors import InvalidInput
from trueup.policies.models import Insured
from trueup.portal.access import active_access, portal_user
from trueup.portal.models import AccessKind, Invitation, PortalAccess
from trueup.portal.services import (
    REFUSALS,
    InvitationRefused,
    IssuedInvitation,
    PinRetry,
    delegate_invitation_withdraw,
    delegate_invite,
    delegate_revoke,
    invitation_for_token,
    invitation_redeem,
    invitation_state,
    log_access,
    pin_tries_left,
    pin_wait_seconds,
)
from trueup.web.portal.base import client_meta, portal_view
from trueup.web.portal.language import chosen_language


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user if isinstance(request.user, User) else None
    return user if user is not None and user.is_authenticated else None


def _refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "portal/invitation_refused.html", {"reason": reason}, status=status)


def _log_invitation(request: HttpRequest, found: Invitation, status: int, event: str) -> None:
    # The log names the invitation by its reference: the token in the address is the key to it.
    log_access(
        request_meta=client_meta(request),
        method=request.method or "",
        path=f"/portal/invitations/{found.reference}",
        status=status,
        invitation=found,
        event=event,
    )


def _invitation_form(
    request: HttpRequest, found: Invitation, errors: dict[str, str], status: int
) -> HttpResponse:
    # The wait and the tries as they stand now, also on a reload during the wait.
    found.refresh_from_db(fields=["failed_attempts", "next_attempt_at"])
    return render(
        request,
        "portal/invitation.html",
        {
            "invitation": found,
            "errors": errors,
            "signed_in": _signed_in(request) is not None,
            "posted": request.POST,
            "wait_seconds": pin_wait_seconds(found),
            "tries_left": pin_tries_left(found),
        },
        status=status,
    )


def _field_errors(e: InvalidInput) -> dict[str, str]:
    """Each field's problems as one sentence beside it."""
    errors: dict[str, str] = {}
    for p in e.problems:
        errors[p.path] = (errors.get(p.path, "") + " " + p.reason).strip()
    return errors


def _redeem(request: HttpRequest, token: str, found: Invitation) -> HttpResponse:
    """A signed-in user adds the insured to their account; anyone else makes one."""
    try:
        account = invitation_redeem(
            token=token,
            pin=request.POST.get("pin", ""),
            user=_signed_in(request),
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
            password_again=request.POST.get("password_again", ""),
            meta=client_meta(request),
        )
    except PinRetry as e:
        # The wait and the tries left are said beside the PIN, counting down.
        return _invitation_form(
            request, found, {"pin": _("That PIN is not right.")} if e.wrong else {}, 422
        )
    except InvalidInput as e:
        return _invitation_form(request, found, _field_errors(e), 422)
    except InvitationRefused as e:
        return _refused(request, str(e), 403)
    if not request.user.is_authenticated:
        # A new login reads the invitation's language, or the one chosen with the switch.
        code = chosen_language(request)
        if code and code != account.language:
            account.language = code
            account.save(update_fields=["language"])
        login(request, account, backend="trueup.accounts.backends.ModelBackend")
    translation.activate(account.language)
    messages.success(
        request, _("Welcome. You now have access to %(insured)s.") % {"insured": found.insured.name}
    )
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem an invitation: the PIN from the letter, and a user name and password."""
    found = invitation_for_token(token)
    if found is None:
        log_access(
            request_meta=client_meta(request),
            method=request.method or "",
            path="/portal/invitations/",
            status=404,
            event="invitation_unknown",
        )
        return _refused(request, _("This link is not a valid invitation."), 404)
    if chosen_language(request) is None and not request.user.is_authenticated:
        # Opened from the e-mail: the page starts in the invitation's language.
        translation.activate(found.language)
        request.LANGUAGE_CODE = found.language
    state = invitation_state(found)
    if state != "open":
        _log_invitation(request, found, 410, f"invitation_{state}")
        return _refused(request, str(REFUSALS[state]), 410)
    if request.method == "POST":
        return _redeem(request, token, found)
    _log_invitation(request, found, 200, "invitation_opened")
    return _invitation_form(request, found, {}, 200)


def _invite(
    request: HttpRequest, user: User, owned: list[Insured]
) -> tuple[IssuedInvitation | None, dict[str, str]]:
    """The invitation issued, or the problems with the delegate's name and email."""
    insured = next((i for i in owned if str(i.pk) == request.POST.get("insured")), None)
    if insured is None:
        raise Http404("no such insured")
    try:
        issued = delegate_invite(
            insured=insured,
            by=user,
            name=request.POST.get("name", ""),
            email=request.POST.get("email", ""),
        )
    except InvalidInput as e:
        return None, {p.path: p.reason for p in e.problems}
    return issued, {}


def _revoke(request: HttpRequest, user: User, owned: list[Insured]) -> HttpResponse:
    row = get_object_or_404(PortalAccess, pk=request.POST.get("access"), insured__in=owned)
    delegate_revoke(access=row, by=user)
    messages.success(
        request,
        _("%(person)s no longer has access.")
        % {"person": row.user.get_full_name() or row.user.username},
    )
    return redirect("portal:access")


def _withdraw(request: HttpRequest, user: User, owned: list[Insured]) -> HttpResponse:
    withdrawn = get_object_or_404(Invitation, pk=request.POST.get("invitation"), insured__in=owned)
    delegate_invitation_withdraw(invitation=withdrawn, by=user)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": withdrawn.email}
    )
    return redirect("portal:access")


def _access_page(
    request: HttpRequest,
    owned: list[Insured],
    issued: IssuedInvitation | None,
    errors: dict[str, str],
) -> HttpResponse:
    people = PortalAccess.objects.filter(insured__in=owned, revoked_at__isnull=True).select_related(
        "user", "insured"
    )
    pending = [
        i
        for i in Invitation.objects.filter(insured__in=owned, kind=AccessKind.DELEGATE)
        if invitation_state(i) == "open"
    ]
    return render(
        request,
        "portal/access.html",
        {
            "owned": owned,
            "people": people,
            "pending": pending,
            "issued": issued,
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def access(request: HttpRequest) -> HttpResponse:
    """Who can see each of my insureds, and giving or taking away a delegate's access."""
    user = portal_user(request)
    owned = [a.insured for a in active_access(user).filter(kind=AccessKind.OWNER)]
    if not owned:
        raise PermissionDenied("only the policyholder manages who has access")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "revoke":
        return _revoke(request, user, owned)
    if action == "withdraw":
        return _withdraw(request, user, owned)
    issued, errors = _invite(request, user, owned) if action == "invite" else (None, {})
    return _access_page(request, owned, issued, errors)
