from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trueup.accounts.models import User, VendorFirm


@admin.register(User)
class TrueUpUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Role and authority",
            {"fields": ("role", "vendor", "authority_amount", "authority_percent")},
        ),
    )
    list_display = ("username", "role", "authority_amount", "authority_percent", "is_active")


@admin.register(VendorFirm)
class VendorFirmAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")
