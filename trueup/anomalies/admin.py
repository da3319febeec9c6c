"""Flag decisions in the admin, read only: they are made on the audit page."""

from __future__ import annotations

from django.contrib import admin

from trueup.anomalies.models import FlagDecision
from trueup.audits.admin import ReadOnlyAdmin


@admin.register(FlagDecision)
class FlagDecisionAdmin(ReadOnlyAdmin):
    list_display = ("audit", "code", "decision", "by", "at")
    list_filter = ("code", "decision")
