from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from trueup.accounts import services
from trueup.accounts.models import AccountEvent, User, VendorFirm

# django-otp's own admin pages show each authenticator's secret key to any administrator, who
# could then make that user's codes. Administrators reset a second factor from the user list
# instead (below), and that is recorded.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class AccountEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AccountEvent
    fk_name = "user"
    fields = ("at", "kind", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "sign-in security event"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
        "second_factor",
    )
    list_filter = ("role", "is_active")
    inlines = [AccountEventInline]
    actions = ["reset_second_factor", "lift_lockout"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        authenticators = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        users: QuerySet[User] = super().get_queryset(request)
        return users.annotate(has_second_factor=Exists(authenticators))

    @admin.display(boolean=True, description="Second factor", ordering="has_second_factor")
    def second_factor(self, user: User) -> bool:
        return bool(getattr(user, "has_second_factor", False))

    @admin.action(
        description="Reset the second factor (they set it up again at their next sign-in)",
        permissions=["change"],
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.second_factor_reset(user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            f"Second factor reset for {', '.join(u.username for u in queryset)}.",
            messages.SUCCESS,
        )

    @admin.action(description="Lift the sign-in lockout", permissions=["change"])
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.lockout_lift(user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            f"Signing in unlocked for {', '.join(u.username for u in queryset)}.",
            messages.SUCCESS,
        )


@admin.register(VendorFirm)
class VendorFirmAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The trail of second-factor set-ups, resets and lifted lockouts: read only."""

    list_display = ("at", "user", "kind", "by")
    list_filter = ("kind",)
    search_fields = ("user__username", "by__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
