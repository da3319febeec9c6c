"""The renewal: the next term's estimate recommended from the audited terms, and what the
underwriter decided about it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit, ResultSnapshot
from trueup.policies.models import PolicyPeriod, money_field


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed: waiting for the underwriter"
    ACCEPTED = "accepted", "Accepted as recommended"
    EDITED = "edited", "Accepted with the underwriter's figures"
    REJECTED = "rejected", "Rejected"


class RenewalRecommendation(models.Model):
    """One recommendation per final result of an audit: the lines keep each recommended figure
    with its reason, and, once accepted, the figure accepted and the endorsement it became."""

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="renewal_recommendations"
    )
    result = models.OneToOneField(ResultSnapshot, on_delete=models.PROTECT, related_name="+")
    # The policy's next term (it starts when the audited one ends); none yet: kept, but it cannot
    # be accepted until the renewal is written.
    renewal = models.ForeignKey(
        PolicyPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lines = models.JSONField(help_text="The recommended figures, each with why")
    status = models.CharField(
        max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # The renewal's estimated premium, rated by the engine when accepted: before and with the
    # changes (null when the engine could not rate the renewal).
    premium_current = money_field(null=True, blank=True)
    premium_recommended = money_field(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Renewal recommendation from {self.audit}"


class RecommendationChange(models.Model):
    """A recommendation's move (made, accepted, edited, rejected, its letter): who, when, why."""

    recommendation = models.ForeignKey(
        RenewalRecommendation, on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(max_length=10, choices=RecommendationStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=RecommendationStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
