"""Users, their roles and their authority limits."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    REVIEWER = "reviewer", "Reviewer"
    MANAGER = "manager", "Audit manager"
    BILLING = "billing", "Billing"
    UNDERWRITER = "underwriter", "Underwriter (read only)"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUDITOR)
    # An audit whose adjustment is within both limits may be completed by this user; above
    # either it goes to a reviewer. Zero means no authority to complete.
    authority_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    authority_percent = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))

    def within_authority(self, adjustment: Decimal, estimated: Decimal) -> bool:
        """Whether an adjustment (either sign) of this size is within this user's limits."""
        size = abs(adjustment)
        if size > self.authority_amount:
            return False
        if estimated <= 0:
            return size == 0 or self.authority_percent >= 100
        return size * 100 / estimated <= self.authority_percent
