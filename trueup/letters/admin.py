"""Sent letters, read only: the archive of what went to insureds and agents."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.letters.models import Letter


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ("audit", "kind", "language", "subject", "sent_at", "sent_by")
    list_filter = ("kind", "language")
    exclude = ("html",)
