"""Premium reporting in the admin, read only: plans are started and reports filed through the
services (the API, the portal), which rate and bill them."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.premium_reports.models import PremiumReport, ReportingPlan


@admin.register(ReportingPlan)
class ReportingPlanAdmin(ReadOnlyAdmin):
    list_display = ("period", "frequency", "deposit", "status", "referred_on")
    list_filter = ("frequency", "status")


@admin.register(PremiumReport)
class PremiumReportAdmin(ReadOnlyAdmin):
    list_display = ("plan", "covers_from", "covers_to", "due_on", "status", "source", "premium")
    list_filter = ("status", "source")
