"""Reference data is edited here: rate tables (checked by the engine's reader, put in use by an
action) and schedule patterns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from trueup.accounts.models import User
from trueup.core.errors import InvalidInput
from trueup.reference.models import (
    ClassCode,
    ClassSource,
    RateTableStatus,
    RateTableVersion,
    SchedulePattern,
)
from trueup.reference.services import (
    CLASS_COLUMNS,
    InvalidRateTable,
    class_table_load,
    rate_table_activate,
    rate_table_parse,
)


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


class ClassCsvForm(forms.Form):
    upload = forms.FileField(
        label="Class CSV file",
        help_text="Columns: " + ", ".join(CLASS_COLUMNS) + " (the first three are required)",
    )


@admin.register(ClassCode)
class ClassCodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The class table the class lookup searches. A carrier loads its licensed phraseology and
    keywords from a CSV file (the "Load classes from CSV" button): each row replaces the
    description of its code, and a file with a bad row is refused whole, naming each row."""

    list_display = ("code_system", "code", "description", "basis", "standard_exception", "source")
    list_filter = ("code_system", "source", "standard_exception", "industry")
    search_fields = ("code", "description", "keywords")
    readonly_fields = ("source", "loaded_by", "updated_at")
    change_list_template = "admin/reference/classcode/change_list.html"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A class written or changed by hand is the carrier's wording, not TrueUp's.
        if form.changed_data:
            obj.source = ClassSource.CARRIER
            obj.loaded_by = request.user if isinstance(request.user, User) else None
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        load = path(
            "load/", self.admin_site.admin_view(self.load_view), name="reference_classcode_load"
        )
        return [load, *super().get_urls()]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("reference.change_classcode"):
            raise PermissionDenied
        form = ClassCsvForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["upload"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                problems = ["The file is not UTF-8 text: save it as CSV UTF-8 and load it again."]
            else:
                try:
                    count = class_table_load(
                        csv_text=text,
                        by=request.user if isinstance(request.user, User) else None,
                    )
                except InvalidInput as error:
                    problems = [str(p) for p in error.problems]
                else:
                    self.message_user(request, f"{count} classes loaded.")
                    return HttpResponseRedirect(reverse("admin:reference_classcode_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Load classes from CSV",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/reference/classcode/load.html", context)
