"""Billing's records in the admin: the payment history is entered here (or by billing's own
feed); the workflow records are read only."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    OutboxMessage,
    Outreach,
    PaymentPlan,
    PaymentRecord,
)


@admin.register(PaymentRecord)
class PaymentRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("insured", "on", "event", "amount", "reference")
    list_filter = ("event",)
    search_fields = ("insured__name", "reference")


@admin.register(Outreach)
class OutreachAdmin(ReadOnlyAdmin):
    list_display = ("audit", "status", "window_ends", "released_at", "release_reason")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("audit", "status", "disputed_amount", "opened_at", "deadline")


@admin.register(BillingInstruction)
class BillingInstructionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "audit", "report", "stage", "kind", "bill_now", "held", "created_at")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("instruction", "attempts", "delivered_at", "delivered_to", "last_error")


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdmin):
    list_display = ("audit", "total", "instalments", "status", "agreed_at")
