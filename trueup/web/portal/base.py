"""What every portal page shares: sign-in and logging, the way back to the audit, and problems
written as sentences."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput
from trueup.portal.access import portal_user
from trueup.portal.services import log_access

View = Callable[..., HttpResponseBase]


def client_meta(request: HttpRequest) -> dict[str, str]:
    return {"REMOTE_ADDR": str(request.META.get("REMOTE_ADDR", ""))}


def portal_view(view: View) -> View:
    """Sign-in required, portal users only, and every request logged with its answer."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user if isinstance(request.user, User) else None
        audit_id = kwargs.get("pk")
        status = 500
        try:
            portal_user(request)
            response = view(request, *args, **kwargs)
            status = response.status_code
            return response
        except Http404:
            status = 404
            raise
        except PermissionDenied:
            status = 403
            raise
        finally:
            log_access(
                request_meta=client_meta(request),
                method=request.method or "",
                path=request.path,
                status=status,
                user=user,
                # An answered request saw the audit (its view 404s otherwise); a refused one
                # names none, so the log reveals no other insured's audit.
                audit_id=audit_id if status < 400 else None,
                event=view.__name__,
            )

    return wrapped


def back(audit: Audit, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("portal:audit", args=[audit.pk]) + (f"#{anchor}" if anchor else ""))


def problems_text(e: InvalidInput) -> str:
    return " ".join(p.reason[:1].upper() + p.reason[1:] + "." for p in e.problems)
