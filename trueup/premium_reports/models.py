"""Premium reports (pay-as-you-go): periodic reports of exposure, rated and billed against
a deposit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.policies.models import PolicyPeriod, money_field


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class PlanStatus(models.TextChoices):
    OPEN = "open", "Reporting"
    CLOSED = "closed", "Closed"


class ReportingPlan(models.Model):
    """A policy period on premium reporting: the insured reports its exposure every month or
    quarter, each report is rated and billed, and the deposit stands against what is billed."""

    period = models.OneToOneField(
        PolicyPeriod, on_delete=models.PROTECT, related_name="reporting_plan"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    deposit = money_field()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The trend rule's referral to the underwriter: when and why (once per plan).
    referred_on = models.DateField(null=True, blank=True)
    referral_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.period} reporting {self.get_frequency_display().lower()}"


class ReportStatus(models.TextChoices):
    DUE = "due", "Due"
    FILED = "filed", "Filed"
    ESTIMATED = "estimated", "Estimated (not filed)"


class ReportSource(models.TextChoices):
    PORTAL = "portal", "The insured, in the portal"
    API = "api", "A payroll service, through the API"
    STAFF = "staff", "The audit department"
    ESTIMATED = "estimated", "Estimated when no report came"


class PremiumReport(models.Model):
    """One reporting period's report: what was reported (its lines), rated by the engine."""

    plan = models.ForeignKey(ReportingPlan, on_delete=models.PROTECT, related_name="reports")
    covers_from = models.DateField()
    covers_to = models.DateField(help_text="The last day covered")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE)
    premium = money_field(null=True, blank=True)
    # Why the premium is what it is, in words, and the engine's whole result behind it.
    reasons = models.JSONField(default=list, blank=True)
    rating = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=ReportSource.choices, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminders_sent = models.PositiveIntegerField(default=0)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["covers_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "covers_from"], name="one_report_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.period.policy.number} report {self.covers_from}–{self.covers_to}"


class ReportLine(models.Model):
    """One state and class of a report, with the exposure reported for it."""

    report = models.ForeignKey(PremiumReport, on_delete=models.CASCADE, related_name="lines")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    exposure = money_field()

    class Meta:
        ordering = ["id"]
