"""The portal's records in the admin: read only, for support and for the security review (who
had access, which invitations were tried, every access)."""

from __future__ import annotations

from django.contrib import admin

from trueup.audits.admin import ReadOnlyAdmin
from trueup.portal.models import AccessLog, Invitation, Message, PortalAccess, RecordUpload


@admin.register(PortalAccess)
class PortalAccessAdmin(ReadOnlyAdmin):
    list_display = ("user", "insured", "kind", "granted_at", "revoked_at")
    list_filter = ("kind",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "email",
        "insured",
        "kind",
        "created_at",
        "redeemed_at",
        "locked_at",
    )
    # The letter carries the PIN: it is for the audit page's staff, not the admin's lists.
    exclude = ("token_hash", "pin_hash", "letter")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "method", "path", "status", "ip", "event")
    list_filter = ("status", "event")


@admin.register(RecordUpload)
class RecordUploadAdmin(ReadOnlyAdmin):
    list_display = ("filename", "audit", "kind", "size", "ssn_found", "uploaded_by", "uploaded_at")
    # Originals may hold social security numbers: they are opened from the audit page.
    exclude = ("original",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("audit", "author", "from_portal", "at")
