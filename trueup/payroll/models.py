"""Payroll imports (previewed, then committed to an audit), saved column mappings, employees'
classes for registers without them, and the tax filings a register is reconciled to."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit
from trueup.policies.models import Insured


class ImportStatus(models.TextChoices):
    # The file is kept, but no profile reads its columns: a column mapping is needed first.
    UNREAD = "unread", "Waiting for a column mapping"
    PREVIEWED = "previewed", "Previewed"
    COMMITTED = "committed", "Committed to the audit"
    DISCARDED = "discarded", "Discarded"


class Basis(models.TextChoices):
    CHECK = "check", "Check date (pay days in the period)"
    EARNED = "earned", "Earned date (straddling pay periods prorated)"


class MappingProfile(models.Model):
    """A user's column mapping for an export no built-in profile reads (the keys of a profile in
    ``ingest/profiles.toml``)."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    data = models.JSONField()
    # Saved for one insured's exports (offered first when that insured's registers are read);
    # none: offered for every insured.
    insured = models.ForeignKey(
        Insured, on_delete=models.CASCADE, null=True, blank=True, related_name="payroll_mappings"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PayrollImport(models.Model):
    """One register read for an audit: what it would put on the audit (preview), and whether it
    did (commit). The file is kept through Django's storage."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="payroll_imports")
    file = models.FileField(upload_to="payroll/%Y/%m/")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    profile_key = models.CharField(max_length=40)
    profile_name = models.CharField(max_length=200)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.CHECK)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    # Rows with anything in them; rows_read = rows_used + rows_excepted (named in exceptions).
    rows_read = models.PositiveIntegerField()
    rows_used = models.PositiveIntegerField()
    rows_excepted = models.PositiveIntegerField(default=0)
    # The audit's facts as the preview saw them: a commit after someone changed them is refused.
    facts_version = models.PositiveIntegerField(null=True, blank=True)
    gross_cents = models.BigIntegerField()
    totals = models.JSONField(help_text="Cents by remuneration category")
    quarters = models.JSONField(default=dict, help_text="Cents by quarter and category")
    lines = models.JSONField(help_text="The payroll lines the commit writes")
    employees = models.JSONField(help_text="One row per employee")
    exceptions = models.JSONField(help_text="The first exceptions, by row")
    exception_counts = models.JSONField(help_text="Exceptions by kind")
    refusals = models.JSONField(
        default=list,
        help_text="What the rating engine would refuse in the lines, by the register's rows and "
        "column: an import with any cannot be committed",
    )
    # What the auditor must see before committing (see ``ingest.facts.Ingested``):
    unmapped = models.JSONField(
        default=list,
        help_text="Amounts in earnings codes or columns no mapping names, by code: the import "
        "cannot be committed until each is mapped to a category or excluded with a reason",
    )
    excluded = models.JSONField(default=list, help_text="Codes excluded by the auditor, with why")
    unresolved = models.JSONField(
        default=list,
        help_text="Rows without a class or a state, grouped by employee and department: the "
        "import cannot be committed until each is assigned",
    )
    inferred = models.JSONField(
        default=list, help_text="States not on the register, taken from elsewhere, and from where"
    )
    tables = models.JSONField(default=dict, help_text="The table read and the tables skipped")
    stated_totals = models.JSONField(
        default=list, help_text="The register's own totals against TrueUp's sums of its rows"
    )
    left_out = models.JSONField(default=dict, help_text="Rows and cents left out, by kind")
    notes = models.JSONField(default=list, help_text="What the reader says about the file")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display().lower()})"

    @property
    def committable(self) -> bool:
        """Previewed, with lines, none the engine would refuse, and no dollars waiting for the
        auditor (unmapped codes, rows without a class or state)."""
        return (
            self.status == ImportStatus.PREVIEWED
            and bool(self.lines)
            and not self.refusals
            and not self.unmapped
            and not self.unresolved
        )


class EmployeeClass(models.Model):
    """An employee's state and class for an audit, for registers that do not carry them."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="employee_classes")
    employee = models.CharField(max_length=200, help_text="Employee id or name, as on the register")
    state = models.CharField(max_length=2)
    class_code = models.CharField(max_length=6)
    # Set when the employee's pay is not this policy's (another company on the same payroll):
    # their rows are left out of the payroll lines, with this reason.
    excluded_reason = models.CharField(max_length=300, blank=True)
    # The audit this row was copied from (the insured's prior audit), or none when typed here.
    copied_from = models.ForeignKey(
        Audit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "employee"], name="one_class_per_employee")
        ]


class ResolutionKind(models.TextChoices):
    DEPARTMENT = "department", "Department"
    JOB = "job", "Job or position"
    LOCATION = "location", "Work location"
    CODE = "code", "Earnings code or column"


class PayrollResolution(models.Model):
    """An auditor's answer for one insured's registers, kept for its next audits: a department,
    job or work location → state and class; an earnings code → category, or excluded with why."""

    insured = models.ForeignKey(
        Insured, on_delete=models.CASCADE, related_name="payroll_resolutions"
    )
    kind = models.CharField(max_length=10, choices=ResolutionKind.choices)
    value = models.CharField(max_length=200, help_text="As on the register")
    key = models.CharField(
        max_length=200, help_text="The value as matched: case and spacing ignored"
    )
    state = models.CharField(max_length=2, blank=True)
    class_code = models.CharField(max_length=6, blank=True)
    category = models.CharField(max_length=40, blank=True)
    excluded_reason = models.CharField(max_length=300, blank=True)
    audit = models.ForeignKey(
        Audit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The audit it was set on",
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["insured", "kind", "key"], name="one_resolution_per_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class FilingKind(models.TextChoices):
    FORM_941 = "form_941", "Form 941"
    STATE_UI = "state_ui", "State unemployment report"


class TaxFiling(models.Model):
    """One quarter's figures from a Form 941 or a state unemployment report, in cents."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="tax_filings")
    kind = models.CharField(max_length=10, choices=FilingKind.choices)
    state = models.CharField(max_length=2, blank=True, help_text="For a state report")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    # Form 941: line 2 wages, tips and other compensation; 5a Social Security wages (capped);
    # 5c Medicare wages and tips.
    line_2_cents = models.BigIntegerField(null=True, blank=True)
    line_5a_cents = models.BigIntegerField(null=True, blank=True)
    line_5c_cents = models.BigIntegerField(null=True, blank=True)
    # State unemployment: total (subject) wages and taxable wages (capped at the wage base).
    total_wages_cents = models.BigIntegerField(null=True, blank=True)
    taxable_wages_cents = models.BigIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    # Read from the state's wage report file (its name), or blank when the figures were typed.
    source = models.CharField(max_length=255, blank=True)
    # The report's per-employee subject wages, when read from a file: [{"employee", "ssn_last4",
    # "total_wages_cents", "page"}], compared with the register's employees.
    employees = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["kind", "state", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "kind", "state", "year", "quarter"], name="one_filing_a_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_1_to_4"
            ),
        ]
