"""The unit statistical reports in the admin: read only, as they were generated and sent (their
status moves on the reporting page)."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.reporting.models import StatReport, StatRun, StatStatusChange


@admin.register(StatReport)
class StatReportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period", "state", "bureau", "label", "status", "generated_at")
    list_filter = ("status", "bureau", "state")
    exclude = ("content",)


@admin.register(StatStatusChange)
class StatStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("report", "from_status", "to_status", "by", "at")


@admin.register(StatRun)
class StatRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "started_at", "status", "due_from", "due_to", "generated")
