"""Endorsements in the admin: workflow records, read only (made and moved by the services)."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.endorsements.models import Endorsement, EndorsementStatusChange


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period", "kind", "effective", "premium_effect", "status", "made_by")
    list_filter = ("kind", "status")
    search_fields = ("period__policy__number",)


@admin.register(EndorsementStatusChange)
class EndorsementStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("endorsement", "from_status", "to_status", "by", "at")
