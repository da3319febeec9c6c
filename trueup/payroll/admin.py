"""Saved column mappings are edited here; imports and filings are records, read only."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.payroll.models import MappingProfile, PayrollImport, TaxFiling


@admin.register(MappingProfile)
class MappingProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name", "created_by", "created_at")


@admin.register(PayrollImport)
class PayrollImportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "audit", "profile_name", "status", "rows_read", "created_at")
    exclude = ("lines", "employees", "exceptions", "quarters")


@admin.register(TaxFiling)
class TaxFilingAdmin(ReadOnlyAdmin):
    list_display = ("audit", "kind", "state", "year", "quarter")
