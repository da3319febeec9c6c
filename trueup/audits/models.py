"""Audits, the worksheet facts gathered for them, their status history and their results.

The fact models use the rating engine's field names, so a worksheet is built from them field by
field (``worksheet.py``). Results are snapshots: a new rating is a new row, never an update.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from trueup.audits.workflow import CLOSED, Status
from trueup.policies.models import PolicyPeriod, money_field


class AuditType(models.TextChoices):
    FINAL = "final", _("Final")
    CANCELLATION = "cancellation", _("Cancellation")
    INTERIM = "interim", _("Interim")
    PRELIMINARY = "preliminary", _("Preliminary")
    PREMIUM_REPORT = "premium_report", _("Premium report")
    WAIVED = "waived", _("Waived")


class InterimReason(models.TextChoices):
    """Why an interim audit was asked for during the term."""

    UNDERWRITER_REQUEST = "underwriter_request", "Underwriter request"
    BANKRUPTCY = "bankruptcy", "Bankruptcy filing"


class Method(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    VIRTUAL = "virtual", "Virtual / hybrid"
    TELEPHONE = "telephone", "Telephone"
    MAIL = "mail", "Mail / self-audit"


class Audit(models.Model):
    period = models.ForeignKey(PolicyPeriod, on_delete=models.PROTECT, related_name="audits")
    type = models.CharField(max_length=20, choices=AuditType.choices, default=AuditType.FINAL)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.MAIL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_audits",
    )
    # Who prepared the result under review: a reviewer may not approve their own work.
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prepared_audits",
    )
    vendor = models.ForeignKey(
        "accounts.VendorFirm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    rush = models.BooleanField(default=False)
    # An interim audit covers part of the term, both days included, and says why it was asked for.
    covers_from = models.DateField(null=True, blank=True)
    covers_to = models.DateField(null=True, blank=True)
    interim_reason = models.CharField(max_length=30, choices=InterimReason.choices, blank=True)
    revision_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revision"
    )
    non_compliance_multiplier = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True
    )
    audit_costs = money_field(default=0)
    # Set when records were not provided (an estimated audit) or a finding asks underwriting to
    # look at the account.
    refer_to_underwriting = models.BooleanField(default=False)
    # The result that was completed, approved or estimated: pinned when the audit becomes final,
    # and the one billing, letters and the portal use (never "the latest snapshot").
    final_result = models.ForeignKey(
        "ResultSnapshot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Counts every change to the worksheet facts: an edit made from an older count is stale.
    facts_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The worklist's default order and its commonest filters.
            models.Index(fields=["due_date", "id"], name="audit_due_order"),
            models.Index(fields=["status", "due_date", "id"], name="audit_status_due"),
            models.Index(fields=["assignee", "status", "due_date"], name="audit_assignee_status"),
            # The open work, by due date: all of it, and one auditor's.
            models.Index(
                fields=["due_date", "id"],
                condition=~models.Q(status__in=sorted(CLOSED)),
                name="audit_open_due",
            ),
            models.Index(
                fields=["assignee", "due_date", "id"],
                condition=~models.Q(status__in=sorted(CLOSED)),
                name="audit_open_assignee_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} audit of {self.period}"

    @property
    def latest_result(self) -> ResultSnapshot | None:
        return self.results.order_by("-created_at", "-id").first()


class StatusChange(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class LaborSource(models.TextChoices):
    """Who did the work on a payroll line (the engine's ``labor_source``), in words."""

    EMPLOYEE = "employee", "Employee"
    CASUAL = "casual", "Casual labor"
    TEMPORARY = "temporary", "Temporary worker from a staffing agency"
    LEASED = "leased", "Leased worker from a leasing company"


class OwnerRole(models.TextChoices):
    EXECUTIVE_OFFICER = "executive_officer", "Executive officer"
    LLC_MEMBER = "llc_member", "LLC member"
    SOLE_PROPRIETOR = "sole_proprietor", "Sole proprietor"
    PARTNER = "partner", "Partner"


class Coverage(models.TextChoices):
    """An owner's coverage; left blank, the state's rule for the role decides."""

    INCLUDED = "included", "Included in the coverage"
    EXCLUDED = "excluded", "Excluded by endorsement"
    ELECTED = "elected", "Coverage elected by endorsement"


class ContractType(models.TextChoices):
    LABOR_ONLY = "labor_only", "Labor only"
    LABOR_AND_MATERIALS = "labor_and_materials", "Labor and materials"
    EQUIPMENT_WITH_OPERATOR = "equipment_with_operator", "Equipment rented with an operator"


class PayrollEntry(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="payroll")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6, blank=True)  # blank: apportioned by earnings
    employee = models.CharField(max_length=200, blank=True)
    # Where the state came from when the register did not say ("the policy's only state", "the
    # employee table", "work location Providence"): blank when the state was stated.
    state_inferred_from = models.CharField(max_length=120, blank=True)
    gross = money_field()
    overtime_premium = money_field(default=0)
    overtime_total = money_field(default=0)
    double_time_total = money_field(default=0)
    overtime_records = models.BooleanField(default=True)
    tips = money_field(default=0)
    severance = money_field(default=0)
    military_pay = money_field(default=0)
    section_125 = money_field(default=0)
    deferred_401k = money_field(default=0)
    employer_benefits = money_field(default=0)
    reimbursements_substantiated = money_field(default=0)
    reimbursements_unsubstantiated = money_field(default=0)
    meals_lodging = money_field(default=0)
    hours = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    hourly_rate = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    records_support_division = models.BooleanField(default=True)
    labor_source = models.CharField(max_length=20, default="employee")
    covered_elsewhere = models.BooleanField(default=False)
    wrap_up = models.BooleanField(default=False)
    split_period = models.DateField(null=True, blank=True)

    # Counts the line's changes: a form or call made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]


class OwnerEntry(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="owners")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    actual_pay = money_field()
    coverage = models.CharField(max_length=10, blank=True)
    ownership_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    covered_from = models.DateField(null=True, blank=True)
    covered_to = models.DateField(null=True, blank=True)
    weeks_covered = models.PositiveSmallIntegerField(null=True, blank=True)
    duties = models.CharField(max_length=200, blank=True)

    # Counts the line's changes: a form or call made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]


class LaborRecords(models.TextChoices):
    """What a subcontractor's records show of the labor (the engine's ``labor_records``)."""

    NONE = "none", "No records of the labor: the full contract cost is charged"
    CONTRACT_ONLY = (
        "contract_only",
        "Contract on record, but no labor figure on it: the state's labor share is charged",
    )
    STATED = "stated", "Labor amount shown: the stated labor is charged"


class SubcontractorEntry(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="subcontractors")
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    contract_cost = money_field()
    contract_type = models.CharField(max_length=30)
    stated_labor = money_field(null=True, blank=True)
    # Left blank when saved: "stated" if stated_labor is given, else "none".
    labor_records = models.CharField(
        "records of the labor", max_length=14, choices=LaborRecords.choices
    )
    work_from = models.DateField(null=True, blank=True)
    work_to = models.DateField(null=True, blank=True)
    certificate_from = models.DateField(null=True, blank=True)
    certificate_to = models.DateField(null=True, blank=True)
    exempt = models.BooleanField(default=False)
    sole_proprietor = models.BooleanField(default=False)
    licensed = models.BooleanField(default=True)
    months_worked = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    days_worked = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    # Counts the line's changes: a form or call made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def clean(self) -> None:
        """A labor amount goes with records that show one, and only with them."""
        if self.labor_records == LaborRecords.STATED and self.stated_labor is None:
            raise ValidationError({"stated_labor": "Enter the labor amount the records show."})
        if self.labor_records in (LaborRecords.NONE, LaborRecords.CONTRACT_ONLY) and (
            self.stated_labor is not None
        ):
            raise ValidationError(
                {
                    "stated_labor": "Leave the labor amount empty: the records chosen show none "
                    "(or choose “Labor amount shown”)."
                }
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.labor_records:
            self.labor_records = (
                LaborRecords.NONE if self.stated_labor is None else LaborRecords.STATED
            )
        super().save(*args, **kwargs)


class GLExposureEntry(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="gl_exposures")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    basis = models.CharField(max_length=20)
    amount = money_field()

    # Counts the line's changes: a form or call made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]


class ResultSnapshot(models.Model):
    """One rating of an audit, as it was: inputs, versions, figures and trace. Never updated."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="results")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    engine_version = models.CharField(max_length=20)
    rulebook_version = models.CharField(max_length=40)
    rates_version = models.CharField(max_length=60)
    worksheet = models.JSONField()
    result = models.JSONField()
    estimated_premium = money_field()
    audited_premium = money_field()
    adjustment = money_field()
    outcome = models.CharField(max_length=12)

    class Meta:
        ordering = ["created_at", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a result snapshot is never changed: rate the audit again instead")
        super().save(*args, **kwargs)


class AuditEdit(models.Model):
    """One change to an audit other than its status (facts, assignment, checklist, interviews,
    findings), for the audit's history."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="edits")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField()

    class Meta:
        ordering = ["at", "id"]


class InterviewKind(models.TextChoices):
    ENTRANCE = "entrance", "Entrance interview"
    EXIT = "exit", "Exit interview"


class InterviewNote(models.Model):
    """What was learnt at the entrance interview (contacts, changes, operations, officers) or
    reviewed at the exit interview (findings, corrections, record-keeping guidance)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(max_length=10, choices=InterviewKind.choices)
    held_on = models.DateField()
    contact = models.CharField("person interviewed", max_length=200)
    contact_title = models.CharField(max_length=100, blank=True)
    operations = models.TextField("description of operations", blank=True)
    changes = models.TextField("changes during the period", blank=True)
    average_employees = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]


class RecordKind(models.TextChoices):
    PAYROLL_REGISTER = "payroll_register", _("Payroll register")
    FORM_941 = "form_941", _("Quarterly 941s")
    STATE_UI = "state_ui", _("State unemployment reports")
    GENERAL_LEDGER = "general_ledger", _("General ledger")
    CHECK_REGISTER = "check_register", _("Check register / cash disbursements")
    CERTIFICATES = "certificates", _("Subcontractors' certificates of insurance")
    FORMS_1099 = "forms_1099", _("1099s and 1096")
    TAX_RETURN = "tax_return", _("Business tax return (Schedule C, 1120, Schedule K)")
    OWNER_OPERATOR = "owner_operator", _("Owner-operator documents")


class RecordStatus(models.TextChoices):
    NEEDED = "needed", "Needed"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    NOT_NEEDED = "not_needed", "Not needed"


class RecordsItem(models.Model):
    """One line of the audit's records checklist."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    status = models.CharField(
        max_length=12, choices=RecordStatus.choices, default=RecordStatus.NEEDED
    )
    why = models.CharField("why it is needed", max_length=300, blank=True)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind"], name="one_checklist_item_per_kind")
        ]


class FindingKind(models.TextChoices):
    CLASSIFICATION = "classification", "Classification"
    PAYROLL = "payroll", "Payroll"
    OFFICERS = "officers", "Officers and owners"
    SUBCONTRACTORS = "subcontractors", "Subcontractors"
    RECORDS = "records", "Record keeping"
    POLICY_CHANGE = "policy_change", "Policy change for the renewal"
    OTHER = "other", "Other"


class Finding(models.Model):
    """What the auditor found, for the exit interview, the insured's summary and underwriting."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    state = models.CharField(max_length=2, blank=True)
    class_code = models.CharField(max_length=6, blank=True)
    text = models.TextField()
    recommendation = models.TextField(blank=True)
    for_underwriting = models.BooleanField(
        default=False, help_text="Refer to underwriting (e.g. a class or operation to add)"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class ReferralAnswer(models.Model):
    """Underwriting's answer to an audit's referral: what it did about it (an endorsement asked
    for, the renewal changed, nothing needed). The audit leaves the referral queue until
    something newer refers it again; every answer is kept."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="referral_answers")
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


# Re-rating the open audits of the book --------------------------------------------------------


class RerateStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class RerateBatch(models.Model):
    """One re-rating of every open audit, asked for when a new rate table was put in use. Its
    progress is counted from its items, which the workers mark one by one."""

    # The table in use when the re-rating started; none means the rates shipped with TrueUp.
    rate_table = models.ForeignKey(
        "reference.RateTableVersion", on_delete=models.PROTECT, null=True, blank=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The open audits it set out to re-rate (its items).
    total = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=RerateStatus.choices, default=RerateStatus.RUNNING
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "re-rating of open audits"
        verbose_name_plural = "re-ratings of open audits"

    def __str__(self) -> str:
        return f"Re-rating {self.pk} ({self.total} audits)"


class RerateItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Re-rated"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class RerateItem(models.Model):
    """One audit of a re-rating. Marked in the same transaction as the audit's new result, so a
    worker stopped in the middle leaves it either re-rated and marked, or neither."""

    batch = models.ForeignKey(RerateBatch, on_delete=models.CASCADE, related_name="items")
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=10, choices=RerateItemState.choices, default=RerateItemState.PENDING
    )
    result = models.ForeignKey(
        ResultSnapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it was skipped (the audit became final) or what stopped its rating.
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "audit"], name="one_item_per_audit_in_batch")
        ]
        indexes = [models.Index(fields=["batch", "state"], name="rerate_item_progress")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.audit_id}: {self.state}"
