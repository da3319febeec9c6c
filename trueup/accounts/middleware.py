"""Middleware for every answer: no caching of what a signed-in person sees, staff must pass
their second factor before any workbench page, and a signed-in person reads TrueUp in their own
language."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from trueup.accounts.services import authenticator, needs_second_factor


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's other never-cache headers) on every answer the
    app makes: pages, htmx fragments, letters, PDFs, downloads and API answers carry insured data,
    and a shared computer's browser cache or a proxy must not keep them. Static files are served
    before this middleware and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class UserLanguageMiddleware:
    """A signed-in user reads TrueUp in the language saved on their login (set from their
    invitation, by staff, or with the portal's switch), whatever the browser asks for; before
    signing in, Django's ``LocaleMiddleware`` takes the switch's cookie or the browser's
    language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """With ``TRUEUP_STAFF_2FA`` on, a signed-in staff user who has not given a code in this
    session reaches nothing but signing out and the second-factor pages: one without an
    authenticator is sent to set it up, one with it to enter a code. The API is not affected: it
    takes bearer tokens, never the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.TRUEUP_STAFF_2FA
            and user.is_authenticated
            and needs_second_factor(user)
            and not user.is_verified()  # type: ignore[attr-defined]  # django-otp's middleware sets it
            and not self._open(request.path_info)
        ):
            return self._to_second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        open_paths = (
            reverse("login"),
            reverse("logout"),
            reverse("admin:logout"),
            reverse("healthz"),
        )
        return path in open_paths or path.startswith((reverse("accounts:second_factor"), "/api/"))

    @staticmethod
    def _to_second_factor(request: HttpRequest) -> HttpResponse:
        user = request.user
        step = "accounts:verify" if authenticator(user) else "accounts:second_factor"  # type: ignore[arg-type]
        url = reverse(step)
        # Back to the page asked for once the code is given; a form posted meanwhile is not
        # replayed (its page is shown again instead).
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()}, safe="/")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
