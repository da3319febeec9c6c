"""Reference data is edited here: rate tables (checked by the engine's reader, put in use by an
action) and schedule patterns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from trueup.accounts.models import User
from trueup.reference.models import RateTableStatus, RateTableVersion, SchedulePattern
from trueup.reference.services import InvalidRateTable, rate_table_activate, rate_table_parse


class RateTableForm(forms.ModelForm):  # type: ignore[type-arg]
    upload = forms.FileField(required=False, help_text="Or upload the CSV file instead of pasting")

    class Meta:
        model = RateTableVersion
        fields = ("name", "source", "csv_text")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload:
            data["csv_text"] = upload.read().decode("utf-8-sig")
        if data.get("csv_text") and data.get("name"):
            try:
                rate_table_parse(name=data["name"], csv_text=data["csv_text"])
            except InvalidRateTable as error:
                raise forms.ValidationError(error.message) from error
        return data


@admin.register(RateTableVersion)
class RateTableVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RateTableForm
    list_display = ("name", "status", "source", "created_at", "activated_at")
    actions = ("put_in_use",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A table that has been in use is kept as it was: results cite its version.
        if obj is not None and obj.status != RateTableStatus.DRAFT:
            return ("name", "source", "csv_text", "status", "activated_at")
        return ("status", "activated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        obj.csv_text = form.cleaned_data["csv_text"]
        super().save_model(request, obj, form, change)

    @admin.action(description="Put the selected rate table in use")
    def put_in_use(self, request: HttpRequest, queryset: QuerySet[RateTableVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one rate table.", messages.ERROR)
            return
        assert isinstance(request.user, User)
        try:
            version = rate_table_activate(version=queryset.get(), by=request.user)
        except InvalidRateTable as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"{version.name} is now in use.")


@admin.register(SchedulePattern)
class SchedulePatternAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "audit_type",
        "start_after_days",
        "due_after_days",
        "latest_due_after_days",
        "rush",
        "source",
    )
