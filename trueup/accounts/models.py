"""Users, their roles and their authority limits."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    REVIEWER = "reviewer", "Reviewer"
    MANAGER = "manager", "Audit manager"
    BILLING = "billing", "Billing"
    UNDERWRITER = "underwriter", "Underwriter"
    ADMIN = "admin", "Administrator"
    # Portal users: never the workbench or the API, only the portal's own pages.
    INSURED = "insured", "Policyholder (portal)"
    AGENT = "agent", "Agent (portal)"


# The roles that use the portal; every other role is the audit department's staff.
PORTAL_ROLES = frozenset({Role.INSURED, Role.AGENT})
# The roles that make and revoke other systems' API keys (the staff page of API keys).
API_KEY_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class NotifyByEmail(models.TextChoices):
    IMMEDIATELY = "immediately", "At once"
    DAILY = "daily", "In a daily digest"
    NEVER = "never", "Never (in TrueUp only)"


class VendorFirm(models.Model):
    """An outside audit firm the department assigns audits to. Its auditors see only the audits
    assigned to the firm."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUDITOR)
    vendor = models.ForeignKey(
        VendorFirm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="auditors",
        help_text="Set for a vendor firm's auditor: they see only the firm's audits",
    )
    agency = models.ForeignKey(
        "policies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Set for an agent: they see only the agency's insureds and audits",
    )
    # An audit whose adjustment is within both limits may be completed by this user; above
    # either it goes to a reviewer. Zero means no authority to complete.
    authority_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    authority_percent = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))
    # The language pages, letters and e-mails reach this user in (the portal's switch sets it).
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE[:2]
    )
    # How staff notifications reach this user by e-mail (they are always in TrueUp's header).
    notify_by_email = models.CharField(
        max_length=12, choices=NotifyByEmail.choices, default=NotifyByEmail.IMMEDIATELY
    )

    @property
    def is_portal_user(self) -> bool:
        return self.role in PORTAL_ROLES

    @property
    def manages_api_keys(self) -> bool:
        """Whether this user may make and revoke other systems' API keys."""
        return self.is_active and self.role in API_KEY_ROLES

    def within_authority(self, adjustment: Decimal, estimated: Decimal) -> bool:
        """Whether an adjustment (either sign) of this size is within this user's limits."""
        size = abs(adjustment)
        if size > self.authority_amount:
            return False
        if estimated <= 0:
            return size == 0 or self.authority_percent >= 100
        return size * 100 / estimated <= self.authority_percent


class ApiToken(models.Model):
    """A key for another system (policy admin, billing) acting as a TrueUp user. Only a hash of
    the key is kept: the key itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the key last opened a call, to the minute (``services.api_token_user``).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class AccountEvent(models.Model):
    """A change to how a user signs in: second factor set up, recovery codes used or renewed,
    and what an administrator did (a second factor reset, a lockout lifted), with who did it."""

    class Kind(models.TextChoices):
        SECOND_FACTOR_SET_UP = "second_factor_set_up", "Second factor set up"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "New recovery codes made"
        RECOVERY_CODE_USED = "recovery_code_used", "Signed in with a recovery code"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset by an administrator"
        LOCKOUT_LIFTED = "lockout_lifted", "Sign-in lockout lifted by an administrator"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it: the user themselves, or the administrator",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"
