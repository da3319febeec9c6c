"""Admin pages for background work: re-rating the open audits after a new rate table is put in
use, with its progress; and the periodic runs the scheduler has enqueued."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from trueup.accounts.models import User
from trueup.audits.models import RerateBatch, RerateItem, RerateItemState
from trueup.core.models import ScheduledRun
from trueup.flows.rerate import open_audits, rerate_continue, rerate_progress, rerate_start
from trueup.reference.admin import RateTableVersionAdmin
from trueup.reference.models import RateTableStatus, RateTableVersion


class ReadOnly:
    """What the workers write is shown, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnfinishedItemInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    """The audits that were skipped or failed, with why: the ones someone may need to look at."""

    model = RerateItem
    fields = ("audit", "state", "message", "finished_at")
    readonly_fields = fields
    verbose_name_plural = "skipped or failed audits"
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[RerateItem]:
        return (
            super()
            .get_queryset(request)
            .filter(state__in=[RerateItemState.SKIPPED, RerateItemState.FAILED])
        )


@admin.register(RerateBatch)
class RerateBatchAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "rate_table", "started_by", "created_at", "progress", "status")
    fields = (
        "rate_table",
        "started_by",
        "created_at",
        "status",
        "finished_at",
        "progress",
        "skipped",
        "failed",
    )
    readonly_fields = fields
    inlines = (UnfinishedItemInline,)
    actions = ("continue_pending",)

    @admin.display(description="re-rated / total")
    def progress(self, batch: RerateBatch) -> str:
        return f"{rerate_progress(batch)[RerateItemState.DONE]} / {batch.total}"

    @admin.display(description="skipped (became final)")
    def skipped(self, batch: RerateBatch) -> int:
        return rerate_progress(batch)[RerateItemState.SKIPPED]

    @admin.display(description="failed")
    def failed(self, batch: RerateBatch) -> int:
        return rerate_progress(batch)[RerateItemState.FAILED]

    def get_urls(self) -> list[URLPattern]:
        start = path(
            "start/", self.admin_site.admin_view(self.start_view), name="audits_reratebatch_start"
        )
        return [start, *super().get_urls()]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """Asks first (how many audits, which rate table), starts on POST. For those who may
        put rate tables in use."""
        if not request.user.has_perm("reference.change_ratetableversion"):
            raise PermissionDenied
        if request.method == "POST":
            assert isinstance(request.user, User)
            batch = rerate_start(by=request.user)
            self.message_user(
                request, f"Re-rating {batch.total} open audits; progress is shown here."
            )
            url = reverse("admin:audits_reratebatch_change", args=[batch.pk])
            return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Re-rate the open audits",
            "open_audits": len(open_audits()),
            "rate_table": RateTableVersion.objects.filter(status=RateTableStatus.ACTIVE).first(),
            "opts": self.model._meta,
        }
        return render(request, "web/rerate_start.html", context)

    @admin.action(description="Continue the audits still pending (after a worker stopped)")
    def continue_pending(self, request: HttpRequest, queryset: QuerySet[RerateBatch]) -> None:
        for batch in queryset:
            count = rerate_continue(batch=batch)
            self.message_user(request, f"{batch}: {count} pending audits enqueued again.")


class RateTableWithRerateAdmin(RateTableVersionAdmin):
    """Putting a rate table in use offers to re-rate the open audits with it."""

    @admin.action(description="Put the selected rate table in use")
    def put_in_use(self, request: HttpRequest, queryset: QuerySet[RateTableVersion]) -> None:
        super().put_in_use(request, queryset)
        if not RateTableVersion.objects.filter(
            pk__in=queryset.values("pk"), status=RateTableStatus.ACTIVE
        ).exists():
            return
        count = len(open_audits())
        if count:
            self.message_user(
                request,
                format_html(
                    'Open audits were rated with the rates before. <a href="{}">Re-rate {} open '
                    "audits</a>",
                    reverse("admin:audits_reratebatch_start"),
                    count,
                ),
            )


admin.site.unregister(RateTableVersion)
admin.site.register(RateTableVersion, RateTableWithRerateAdmin)


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("task", "slot", "claimed_at", "claimed_by", "task_result_id")
    list_filter = ("task",)
