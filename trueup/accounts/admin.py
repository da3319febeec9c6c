from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trueup.accounts.models import User, VendorFirm


@admin.register(User)
class TrueUpUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Role and authority",
            {
                "fields": ("role", "vendor", "agency", "authority_amount", "authority_percent"),
                "description": "Agents need an agency: they see only its insureds. "
                "Policyholders get their logins from invitations.",
            },
        ),
    )
    list_display = (
        "username",
        "role",
        "agency",
        "authority_amount",
        "authority_percent",
        "is_active",
    )
    list_filter = ("role", "is_active")


@admin.register(VendorFirm)
class VendorFirmAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")
