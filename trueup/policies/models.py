"""Insureds, agencies, policies and their periods, with the exposures estimated on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def money_field(**options: Any) -> Any:
    """The one shape of a money column: 14 digits, 2 decimal places."""
    return models.DecimalField(max_digits=14, decimal_places=2, **options)


class Agency(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agents")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class EntityType(models.TextChoices):
    CORPORATION = "corporation", "Corporation"
    LLC = "llc", "Limited liability company"
    PARTNERSHIP = "partnership", "Partnership"
    SOLE_PROPRIETOR = "sole_proprietor", "Sole proprietor"
    OTHER = "other", "Other"


class Insured(models.Model):
    name = models.CharField(max_length=200)
    fein = models.CharField("FEIN", max_length=10, blank=True)
    entity_type = models.CharField(max_length=20, choices=EntityType.choices)
    mailing_address = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    bookkeeper = models.CharField(max_length=200, blank=True)
    # The language the insured's letters and e-mails are written in and the portal starts in.
    language = models.CharField(
        "Preferred language",
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE[:2],
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    related = models.ManyToManyField("self", blank=True, help_text="Commonly owned businesses")

    def __str__(self) -> str:
        return self.name


class Line(models.TextChoices):
    WC = "WC", "Workers' compensation"
    GL = "GL", "General liability"


class Policy(models.Model):
    insured = models.ForeignKey(Insured, on_delete=models.PROTECT, related_name="policies")
    number = models.CharField(max_length=40, unique=True)
    line = models.CharField(max_length=2, choices=Line.choices)

    class Meta:
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.number


class CancellationBasis(models.TextChoices):
    PRO_RATA = "pro_rata", "Pro rata"
    SHORT_RATE = "short_rate", "Short rate"


class PolicyPeriod(models.Model):
    """One term of a policy: what is audited."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="periods")
    effective = models.DateField()
    expiration = models.DateField()
    states = models.JSONField(default=list, help_text="Two-letter state codes")
    cancellation_date = models.DateField(null=True, blank=True)
    cancellation_basis = models.CharField(
        max_length=20, choices=CancellationBasis.choices, blank=True
    )
    experience_mods = models.JSONField(
        default=list, blank=True, help_text='[{"factor": "0.95", "effective": "2025-01-01"}]'
    )
    premium_discount = models.BooleanField(default=True)
    assigned_risk = models.BooleanField(default=False)
    deposit_premium = money_field(null=True, blank=True)
    billed_premium = money_field(null=True, blank=True)
    gl_audit = models.CharField(max_length=10, default="two_way")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expiration__gt=models.F("effective")),
                name="period_expires_after_it_starts",
            ),
            models.UniqueConstraint(fields=["policy", "effective"], name="one_period_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.number} {self.effective}–{self.expiration}"


class EstimatedExposure(models.Model):
    period = models.ForeignKey(PolicyPeriod, on_delete=models.CASCADE, related_name="estimates")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    basis = models.CharField(max_length=20, default="payroll")
    exposure = money_field()

    class Meta:
        # The worklist's state filter looks for a period's exposures in a state.
        indexes = [models.Index(fields=["state", "period"], name="estimate_state_period")]

    def __str__(self) -> str:
        return f"{self.state} {self.class_code} {self.exposure}"
