"""The API keys other systems use: administrators and audit managers list them, make one (the
key shown once, in the answer to the form) and revoke one."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trueup.accounts import services
from trueup.accounts.models import ApiToken, User
from trueup.core.errors import TrueUpError
from trueup.web.staff.accounts.forms import ApiKeyForm


def _manager(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not services.may_manage_api_keys(user):
        raise PermissionDenied("only an administrator or an audit manager may manage API keys")
    return user


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = ApiKeyForm(request.POST or None, owners=services.api_key_owners())
    made: tuple[ApiToken, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            made = services.api_token_create(
                user=form.cleaned_data["user"], name=form.cleaned_data["name"]
            )
        except TrueUpError as error:
            form.add_error(None, error.message)
        else:
            form = ApiKeyForm(owners=services.api_key_owners())
    # The new key is in this answer only, never stored to show later: it is seen once.
    return render(
        request,
        "accounts/api_keys.html",
        {
            "form": form,
            "made": made[0] if made else None,
            "key": made[1] if made else "",
            "tokens": ApiToken.objects.select_related("user", "revoked_by"),
        },
        status=422 if request.method == "POST" and made is None else 200,
    )


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        services.api_token_revoke(token=token, by=user)
    except TrueUpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"API key {token.pk} ({token.name}) revoked: it no longer works.")
    return redirect("accounts:api_keys")
