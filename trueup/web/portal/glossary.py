"""The glossary of premium-audit terms, for insureds and agents (kept as data in the portal)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from trueup.portal import words
from trueup.web.portal.base import portal_view


@require_GET
@portal_view
def glossary(request: HttpRequest) -> HttpResponse:
    terms = words.glossary(translation.get_language() or words.GLOSSARY_LANGUAGE)
    return render(request, "portal/glossary.html", {"terms": terms})
