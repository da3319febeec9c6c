"""Renewal recommendations, read only: they are decided on the underwriter's page."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.renewals.models import RenewalRecommendation


@admin.register(RenewalRecommendation)
class RenewalRecommendationAdmin(ReadOnlyAdmin):
    list_display = ("audit", "renewal", "status", "decided_by", "decided_at")
    list_filter = ("status",)
