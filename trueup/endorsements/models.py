"""Endorsements: the changes an audit or an underwriter makes to a policy period, each with its
premium effect rated by the engine, and a status-change row for every move."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from trueup.policies.models import PolicyPeriod, money_field


class Kind(models.TextChoices):
    AUDIT = "audit", "Audited premium recorded"
    CLASS_ADD = "class_add", "Class added"
    CLASS_REMOVE = "class_remove", "Class removed"
    STATE_ADD = "state_add", "State added"
    STATE_REMOVE = "state_remove", "State removed"
    EXPOSURE_CHANGE = "exposure_change", "Estimated exposure changed"
    OFFICER_INCLUDE = "officer_include", "Officer or owner included"
    OFFICER_EXCLUDE = "officer_exclude", "Officer or owner excluded"
    OFFICER_ELECT = "officer_elect", "Officer or owner coverage elected"
    MOD_CHANGE = "mod_change", "Experience modification changed"
    SCHEDULE_RATING_CHANGE = "schedule_rating_change", "Schedule rating changed"
    INSURED_CORRECTION = "insured_correction", "Insured's name, FEIN or entity type corrected"


class EndorsementStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    ISSUED = "issued", "Issued"
    REVERSED = "reversed", "Reversed"


class Endorsement(models.Model):
    period = models.ForeignKey(PolicyPeriod, on_delete=models.PROTECT, related_name="endorsements")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    effective = models.DateField()
    # What changes, as asked (the class, state, amount, factor, name …).
    change = models.JSONField(default=dict)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    premium_effect = money_field(default=0)
    # The engine's reasons for the effect, each a line of text.
    premium_reasons = models.JSONField(default=list)
    status = models.CharField(
        max_length=20, choices=EndorsementStatus.choices, default=EndorsementStatus.AWAITING_REVIEW
    )
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="endorsements",
        help_text="The audit that found it",
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The endorsement this one corrects",
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Whether the change was applied to the period's estimate data when issued.
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["effective", "id"]
        constraints = [
            # One audit endorsement per final result.
            models.UniqueConstraint(
                fields=["audit"],
                condition=models.Q(kind="audit", reverses__isnull=True),
                name="one_audit_endorsement_per_audit",
            ),
            # An endorsement is corrected once.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="one_correction_per_endorsement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.effective} on {self.period}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Its status moves through the services (an update of that column alone); its terms are
        # never changed once issued: a correcting endorsement reverses it.
        if self.pk is not None:
            stored = Endorsement.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in (EndorsementStatus.ISSUED, EndorsementStatus.REVERSED):
                raise ValueError(
                    "an issued endorsement is never changed: a correcting endorsement reverses it"
                )
        super().save(*args, **kwargs)


class EndorsementStatusChange(models.Model):
    endorsement = models.ForeignKey(
        Endorsement, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=EndorsementStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EndorsementStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
