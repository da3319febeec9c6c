"""Reference data the department maintains in the admin: the rate tables audits are rated with,
and the schedule patterns that set audits' start and due dates. Each row says where it comes
from."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RateTableStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In use"
    RETIRED = "retired", "Retired"


class RateTableVersion(models.Model):
    """One uploaded rate table (the engine's CSV columns). At most one is in use; without one,
    audits are rated with the illustrative demo rates shipped with TrueUp."""

    name = models.SlugField(max_length=60, help_text="e.g. in-wc-2026-01 (part of the version)")
    source = models.CharField(
        max_length=300, help_text="Where the rates come from: filing, bureau circular, LCM"
    )
    csv_text = models.TextField(
        "rates (CSV)",
        help_text="Columns: state, line, class, basis, effective, rate, minimum_premium, "
        "description, status",
    )
    status = models.CharField(
        max_length=10, choices=RateTableStatus.choices, default=RateTableStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="one_rate_table_in_use",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display().lower()})"


class SchedulePattern(models.Model):
    """When an audit of a type starts and is due, counted from the day its period ended."""

    audit_type = models.CharField(max_length=20, unique=True)
    start_after_days = models.PositiveSmallIntegerField(default=0)
    due_after_days = models.PositiveSmallIntegerField()
    latest_due_after_days = models.PositiveSmallIntegerField(
        help_text="The due date never falls later than this"
    )
    rush = models.BooleanField(default=False)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["audit_type"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_due_after_days__gte=models.F("due_after_days")),
                name="latest_due_not_before_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.audit_type}: due after {self.due_after_days} days"


class ClassSource(models.TextChoices):
    SHIPPED = "shipped", "TrueUp's plain description"
    CARRIER = "carrier", "Loaded by the carrier"


class ClassCode(models.Model):
    """One class of a code system (NCCI, a state bureau's, ISO's for general liability): what
    the class lookup searches. TrueUp ships plain descriptions in its own words; a carrier loads
    its licensed phraseology and keywords over them by CSV in the admin."""

    code_system = models.CharField(
        max_length=12, help_text="NCCI, WCIRB, PCRB, DCRB, NYCIRB, NJCRIB, WCRIBMA or ISO"
    )
    line = models.CharField(max_length=2, default="WC", help_text="WC or GL")
    code = models.CharField(max_length=6)
    description = models.CharField(max_length=300)
    basis = models.CharField(max_length=20, default="payroll", help_text="Basis of premium")
    standard_exception = models.BooleanField(
        default=False,
        help_text="Clerical, outside sales, drivers: only for staff doing no other work",
    )
    dual_wage_pair = models.CharField(
        max_length=6, blank=True, help_text="The other class of a dual-wage pair"
    )
    industry = models.CharField(max_length=30, blank=True)
    keywords = models.TextField(blank=True, help_text="Words and phrases, separated by ';'")
    source = models.CharField(
        max_length=10, choices=ClassSource.choices, default=ClassSource.SHIPPED
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code_system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_system", "code"], name="one_class_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.code_system} {self.code}: {self.description}"
