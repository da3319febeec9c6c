from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trueup.accounts.models import User


@admin.register(User)
class TrueUpUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Role and authority", {"fields": ("role", "authority_amount", "authority_percent")}),
    )
    list_display = ("username", "role", "authority_amount", "authority_percent", "is_active")
