"""The language switch on every portal page, and signing in: a language chosen before signing in
becomes the new user's own on their first sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from trueup.accounts.models import User
from trueup.policies.models import Insured
from trueup.portal.access import active_access, portal_user
from trueup.portal.models import AccessKind
from trueup.web.portal.base import portal_view


def chosen_language(request: HttpRequest) -> str | None:
    """The language picked with the switch (its cookie), not merely the browser's."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else None


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, back to the page), and a signed-in user's choice
    saved on their login, so letters, e-mails and the next visit use it too."""
    response = set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and user.is_authenticated and code in dict(settings.LANGUAGES):
        user.language = code
        user.save(update_fields=["language"])
    return response


class SignIn(auth_views.LoginView):
    """Django's sign-in; on a portal user's first sign-in, the language they chose on the way
    in is kept as theirs."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        first = user.last_login is None
        response = super().form_valid(form)
        code = chosen_language(self.request)
        if first and code and isinstance(user, User) and user.is_portal_user:
            user.language = code
            user.save(update_fields=["language"])
        return response


@require_http_methods(["GET", "POST"])
@portal_view
def preferences(request: HttpRequest) -> HttpResponse:
    """The preferred language: the portal's, and for the policyholder also the language of the
    insured's letters and e-mails."""
    user = portal_user(request)
    owned = [a.insured for a in active_access(user).filter(kind=AccessKind.OWNER)]
    if request.method == "POST":
        code = request.POST.get("language", "")
        if code not in dict(settings.LANGUAGES):
            return _preferences_page(request, owned, _("Choose a language from the list."), 422)
        user.language = code
        user.save(update_fields=["language"])
        Insured.objects.filter(pk__in=[i.pk for i in owned]).update(language=code)
        translation.activate(code)
        messages.success(request, _("Your preferred language is saved."))
        response = redirect("portal:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
        return response
    return _preferences_page(request, owned, "", 200)


def _preferences_page(
    request: HttpRequest, owned: list[Insured], error: str, status: int
) -> HttpResponse:
    return render(
        request,
        "portal/preferences.html",
        {"owned": owned, "error": error, "languages": settings.LANGUAGES},
        status=status,
    )
