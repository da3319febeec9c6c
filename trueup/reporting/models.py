"""What the department's metrics are computed from: one row of figures per audit, the audited
against estimated exposure of each state and class, and the runs that rebuilt them.

These are derived data, gathered by ``figures.refresh`` from the audit, its status history, its
pinned result, its outreach, disputes and billing instructions. They are rebuilt, never edited,
and every page that shows them says when they were last rebuilt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit
from trueup.policies.models import money_field


class AuditFigures(models.Model):
    """One audit as the metrics see it: its dimensions (for the filters) and its dates and
    dollars (for the figures)."""

    audit = models.OneToOneField(
        Audit, on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    # The filters: line, audit type, method, assignee, vendor firm and agency (states are the
    # period's, filtered through the estimated exposures as the worklist does).
    line = models.CharField(max_length=2)
    type = models.CharField(max_length=20)
    method = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    vendor = models.ForeignKey(
        "accounts.VendorFirm", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agency = models.ForeignKey(
        "policies.Agency", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The period's end, or the cancellation date when it was cancelled: cycle time counts from it.
    period_end = models.DateField()
    due_date = models.DateField(null=True)
    rush = models.BooleanField(default=False)
    # The day it was (last) assigned to its auditor or vendor firm.
    assigned_on = models.DateField(null=True)
    # The day the result became final (completed, estimated or waived), and the whole days from
    # the period's end to it.
    closed_on = models.DateField(null=True)
    # The final status it first reached (completed, estimated or waived): it stays when the
    # audit is later revised or reversed, so those still count as completed or estimated.
    closed_as = models.CharField(max_length=20, blank=True)
    cycle_days = models.IntegerField(null=True)
    # From the pinned result: estimated (deposit) and audited premium, and the adjustment
    # (positive: additional premium; negative: return premium).
    estimated_premium = money_field(null=True)
    audited_premium = money_field(null=True)
    adjustment = money_field(null=True)
    # Review: when it first went to a reviewer (its adjustment was above the preparer's
    # authority), how long it waited there in all, and how often a reviewer returned it.
    review_entered_at = models.DateTimeField(null=True)
    review_days = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    returned = models.PositiveSmallIntegerField(default=0)
    # Before billing: the day the result was released to billing, whether it was explained to
    # the insured or agent before that, and the outreach attempts made.
    released_on = models.DateField(null=True)
    explained_before_billing = models.BooleanField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    disputes = models.PositiveSmallIntegerField(default=0)
    revised = models.BooleanField(default=False)
    reversed = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "audit figures"
        indexes = [
            models.Index(fields=["period_end"], name="figures_period_end"),
            models.Index(fields=["closed_on"], name="figures_closed_on"),
            models.Index(fields=["status", "due_date"], name="figures_status_due"),
        ]


class ExposureVariance(models.Model):
    """Audited against estimated exposure for one state and class of a final audit."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="variances")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    estimated = models.DecimalField(max_digits=16, decimal_places=2)
    audited = models.DecimalField(max_digits=16, decimal_places=2)
    # audited ÷ estimated × 100; empty when nothing was estimated for the class.
    ratio_percent = models.DecimalField(max_digits=10, decimal_places=2, null=True)

    class Meta:
        indexes = [models.Index(fields=["state", "class_code"], name="variance_state_class")]


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class FiguresRun(models.Model):
    """One rebuild of the figures: the freshness every metrics page shows."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    audits = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class MetricsSnapshot(models.Model):
    """A dashboard computed from one run's figures for one set of filters, kept so a page
    answers from it until the next run (the default view is computed at the end of each run)."""

    key = models.CharField(max_length=64)
    run = models.ForeignKey(FiguresRun, on_delete=models.CASCADE, related_name="snapshots")
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="one_snapshot_per_run_key")
        ]


# Unit statistical reports (WCSTAT) to the rating bureaus: ``trueup/reporting/statistical``.


class StatStatus(models.TextChoices):
    GENERATED = "generated", "Generated, not yet sent"
    SENT = "sent", "Sent to the bureau"
    ACCEPTED = "accepted", "Accepted by the bureau"
    WARNINGS = "accepted_warnings", "Accepted with warnings"
    REJECTED = "rejected", "Rejected by the bureau"


class StatReport(models.Model):
    """One unit statistical report of a policy period for one state, as generated and sent: its
    file's bytes and their SHA-256 digest are never changed once written. A correction or a
    replacement is a new report."""

    period = models.ForeignKey(
        "policies.PolicyPeriod", on_delete=models.PROTECT, related_name="stat_reports"
    )
    state = models.CharField(max_length=2)
    bureau = models.CharField(max_length=10)
    # The audit whose pinned result the exposure was taken from.
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="stat_reports")
    result = models.ForeignKey(
        "audits.ResultSnapshot", on_delete=models.PROTECT, related_name="stat_reports"
    )
    report_level = models.PositiveSmallIntegerField(default=1)
    correction_sequence = models.CharField(max_length=1, blank=True)
    correction_type = models.CharField(max_length=1, blank=True)
    replacement_code = models.CharField(max_length=1, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    # The exposure came from an estimated audit (the insured did not provide records).
    estimated = models.BooleanField(default=False)
    # Why a correction was made, in words.
    reason = models.TextField(blank=True)
    # The exposure set reported, to tell whether a later result needs a correction.
    exposures = models.JSONField(default=list)
    # The digest of what the exposure set was computed from (``generate.basis``): the
    # corrections pending recompute only the reports whose current basis differs. Empty on a
    # report generated before it was kept: recomputed.
    basis = models.CharField(max_length=64, blank=True, default="")
    valued_on = models.DateField()
    due_on = models.DateField()
    layout = models.CharField(max_length=80)
    content = models.BinaryField()
    digest = models.CharField(max_length=64)
    records = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=StatStatus.choices, default=StatStatus.GENERATED
    )
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    bureau_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-generated_at", "-id"]
        indexes = [
            models.Index(fields=["period", "state", "report_level"], name="stat_period_state"),
            models.Index(fields=["status", "due_on"], name="stat_status_due"),
        ]
        constraints = [
            # A period's first report in a state is generated once, however many batches run
            # or are retried at the same time.
            models.UniqueConstraint(
                fields=["period", "state", "report_level"],
                condition=models.Q(correction_sequence="", replacement_code=""),
                name="stat_one_first_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period.policy.number} {self.state} {self.label}"

    @property
    def label(self) -> str:
        """First report, correction 1, replacement of correction 1, ..."""
        kind = f"correction {self.correction_sequence}" if self.correction_sequence else "first"
        return f"report {self.report_level}, {kind}" + (
            " (replacement)" if self.replacement_code else ""
        )

    @property
    def filename(self) -> str:
        number = "".join(c if c.isalnum() else "-" for c in self.period.policy.number)
        tail = self.correction_sequence or "0"
        extra = "R" if self.replacement_code else ""
        return f"wcstat-{self.bureau}-{number}-{self.state}-{self.report_level}{tail}{extra}.txt"


class StatStatusChange(models.Model):
    """One move of a report's status (sent; the bureau's answer), by whom and when."""

    report = models.ForeignKey(StatReport, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20, choices=StatStatus.choices)
    to_status = models.CharField(max_length=20, choices=StatStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class StatRun(models.Model):
    """One batch generation of the reports due in a period, with the policies it could not
    report and why."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    due_from = models.DateField()
    due_to = models.DateField()
    # The batch split among workers: this run did the periods whose id % parts == part.
    part = models.PositiveSmallIntegerField(default=0)
    parts = models.PositiveSmallIntegerField(default=1)
    generated = models.PositiveIntegerField(default=0)
    # [{"policy": ..., "period": id, "state": ..., "reason": ...}]
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
