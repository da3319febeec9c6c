"""The staff's second factor: setting up an authenticator app with recovery codes, entering a
code after the password, new recovery codes; and the page a locked-out sign-in sees."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, cast

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from trueup.accounts import services
from trueup.accounts.models import User
from trueup.web.staff.accounts.forms import CodeForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _next(request: HttpRequest) -> str:
    """Where to go once the code is given: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _wait_message(until: datetime) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes. Wait {seconds} {unit}, then enter the code your app shows then."


def _signed_in_with(request: HttpRequest, device: Any) -> None:
    # A new session key once the second factor is given, as Django does at sign-in: a key seen
    # before this step is worth nothing after it.
    request.session.cycle_key()
    django_otp.login(request, device)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app; once it is set up (and this session has given a code), the
    page says so and offers new recovery codes."""
    user = _user(request)
    if not services.needs_second_factor(user):
        return redirect("home")
    if services.authenticator(user) is not None:
        if not user.is_verified():  # type: ignore[attr-defined]
            # Only the second factor itself may replace it: a password alone may not.
            return redirect("accounts:verify")
        return render(
            request,
            "accounts/second_factor.html",
            {"codes_left": services.recovery_codes_left(user)},
        )
    device = services.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = services.wait_until(device)
        if wait is not None:
            form.add_error("code", _wait_message(wait))
        else:
            codes = services.enrolment_confirm(device=device, code=form.cleaned_data["code"])
            if codes is None:
                form.add_error(
                    "code",
                    "That code did not match. Enter the code the app shows now; if it still "
                    "does not match, check that the phone's clock is set automatically.",
                )
            else:
                device.refresh_from_db()
                _signed_in_with(request, device)
                return _recovery_codes_page(request, codes, first=True)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": services.enrolment_qr_svg(device),
            "secret": services.enrolment_secret(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "next": _next(request),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    user = _user(request)
    if services.authenticator(user) is None:
        return redirect("accounts:second_factor")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if answer.wait_until is not None:
            form.add_error("code", _wait_message(answer.wait_until))
        elif answer.device is None:
            form.add_error("code", "That code did not match. Try the code the app shows now.")
        else:
            _signed_in_with(request, answer.device)
            if answer.recovery_code:
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If your phone is lost, "
                    "make new recovery codes and ask an administrator to reset your "
                    "authenticator.",
                )
            return redirect(_next(request))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    user = _user(request)
    if services.authenticator(user) is None or not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:second_factor")
    return _recovery_codes_page(request, services.recovery_codes_renew(user=user), first=False)


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    # Rendered in the answer to the POST, never stored to show later: the codes are seen once.
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "first": first, "next": _next(request)},
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a sign-in while the user name is locked out (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
