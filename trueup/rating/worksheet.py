"""The worksheet: what the engine is given. Frozen dataclasses, Decimal amounts, dates.

Payroll semantics follow the auditor's worksheet: ``gross`` is the gross pay shown in the payroll
records for the line, *including* overtime pay, tips, severance, military pay and the employee's
Section 125 / 401(k) deferrals (the "of which" amounts, which the rule book may exclude). Employer
contributions, expense reimbursements and the value of meals and lodging are paid *in addition to*
gross and are added when the rule book includes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from trueup.rating.money import ZERO
from trueup.rating.periods import Period, period

LINES = ("WC", "GL")
CANCELLATION_BASES = ("pro_rata", "short_rate")
AUDIT_TYPES = ("final", "cancellation", "interim", "preliminary", "estimated")
ADJUSTMENT_KINDS = (
    "increased_limits",
    "deductible_credit",
    "deviation",
    "waiver_of_subrogation",
    "other",
)
OWNER_ROLES = ("executive_officer", "llc_member", "sole_proprietor", "partner")
COVERAGES = ("included", "excluded", "elected")
CONTRACT_TYPES = ("labor_only", "labor_and_materials", "equipment_with_operator")
# What a subcontractor's records show of the labor: nothing (the full contract cost is charged),
# the contract without a labor figure (the state's labor share for the contract type is charged),
# or a stated labor amount (accepted down to the state's floor).
LABOR_RECORDS = ("none", "contract_only", "stated")
LABOR_SOURCES = ("employee", "casual", "temporary", "leased")
GL_AUDITS = ("two_way", "one_way")
DISCOUNT_TYPES = ("type_a", "type_b")
# A payroll line's amounts beside gross: the parts of gross the rule book may take out, then the
# amounts paid on top of gross that it may add.
PAYROLL_PARTS = (
    "overtime_premium",
    "overtime_total",
    "double_time_total",
    "tips",
    "severance",
    "military_pay",
    "section_125",
    "deferred_401k",
    "employer_benefits",
    "reimbursements_substantiated",
    "reimbursements_unsubstantiated",
    "meals_lodging",
)


@dataclass(frozen=True, slots=True)
class ExperienceMod:
    factor: Decimal
    effective: date
    state: str | None = None  # None: an interstate mod, for every state without its own


@dataclass(frozen=True, slots=True)
class ScheduleRating:
    state: str
    factor: Decimal  # -0.10 is a 10% credit, 0.05 a 5% debit


@dataclass(frozen=True, slots=True)
class PremiumAdjustment:
    """A percentage of manual premium that makes up subject premium: increased limits, deductible
    credit, deviation, waiver of subrogation."""

    state: str
    kind: str
    rate: Decimal  # fraction of manual premium; negative for credits


@dataclass(frozen=True, slots=True)
class Cancellation:
    date: date
    basis: str  # pro_rata | short_rate


@dataclass(frozen=True, slots=True)
class Interim:
    """The part of the term an interim audit covers: from ``start`` to ``end`` (12:01 a.m. to
    12:01 a.m., so ``end`` is the day after the last day covered)."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Policy:
    line: str
    number: str
    effective: date
    expiration: date
    states: tuple[str, ...]
    insured_name: str = ""
    cancellation: Cancellation | None = None
    experience_mods: tuple[ExperienceMod, ...] = ()
    schedule_rating: tuple[ScheduleRating, ...] = ()
    premium_adjustments: tuple[PremiumAdjustment, ...] = ()
    premium_discount: bool = True
    premium_discount_type: str = "type_a"
    assigned_risk: bool = False
    deposit_premium: Decimal | None = None
    billed_premium: Decimal | None = None
    gl_audit: str = "two_way"
    gl_minimum_premium: Decimal | None = None
    interim: Interim | None = None  # an interim audit's part of the term

    @property
    def term(self) -> Period:
        return period(self.effective, self.expiration)

    @property
    def audit_period(self) -> Period:
        """The term, cut short at the cancellation date if the policy was cancelled, or the part
        of it an interim audit covers."""
        if self.interim is not None:
            return period(self.interim.start, self.interim.end)
        if self.cancellation is not None:
            return period(self.effective, self.cancellation.date)
        return self.term


@dataclass(frozen=True, slots=True)
class Estimate:
    state: str
    class_code: str
    exposure: Decimal
    basis: str = "payroll"


@dataclass(frozen=True, slots=True)
class PayrollLine:
    state: str
    class_code: str | None  # None: non-hourly pay (bonus, vacation) apportioned by earnings
    gross: Decimal
    employee: str | None = None
    overtime_premium: Decimal = ZERO
    overtime_total: Decimal = ZERO
    double_time_total: Decimal = ZERO
    overtime_records: bool = True
    tips: Decimal = ZERO
    severance: Decimal = ZERO
    military_pay: Decimal = ZERO
    section_125: Decimal = ZERO
    deferred_401k: Decimal = ZERO
    employer_benefits: Decimal = ZERO
    reimbursements_substantiated: Decimal = ZERO
    reimbursements_unsubstantiated: Decimal = ZERO
    meals_lodging: Decimal = ZERO
    hours: Decimal | None = None
    hourly_rate: Decimal | None = None
    records_support_division: bool = True
    labor_source: str = "employee"
    covered_elsewhere: bool = (
        False  # temporary/leased labor insured by the agency (certificate on file)
    )
    wrap_up: bool = False  # OCIP/CCIP payroll covered by a wrap-up policy
    split_period: date | None = None  # the experience-mod period this payroll belongs to


# A payroll line's amounts, as ``payroll_amounts`` reads them.
LINE_AMOUNTS: tuple[str, ...] = ("gross", *PAYROLL_PARTS)


def payroll_amounts(line: PayrollLine) -> tuple[Decimal, ...]:
    """A line's ``LINE_AMOUNTS``: its gross, then its ``PAYROLL_PARTS`` in their order. Read
    attribute by attribute: the interpreter reads a slot so at well under half the cost of
    ``attrgetter`` of the thirteen names, and the limits, validation and remuneration read every
    line's."""
    return (
        line.gross,
        line.overtime_premium,
        line.overtime_total,
        line.double_time_total,
        line.tips,
        line.severance,
        line.military_pay,
        line.section_125,
        line.deferred_401k,
        line.employer_benefits,
        line.reimbursements_substantiated,
        line.reimbursements_unsubstantiated,
        line.meals_lodging,
    )


@dataclass(frozen=True, slots=True)
class Owner:
    """An executive officer, LLC member, sole proprietor or partner."""

    name: str
    role: str
    state: str
    class_code: str
    actual_pay: Decimal
    coverage: str | None = None  # None: the state's default for the role
    ownership_percent: Decimal | None = None
    covered_from: date | None = None
    covered_to: date | None = None  # last day covered (inclusive)
    weeks_covered: int | None = None
    duties: str = ""


@dataclass(frozen=True, slots=True)
class Subcontractor:
    name: str
    state: str
    class_code: str
    contract_cost: Decimal
    contract_type: str
    stated_labor: Decimal | None = None
    # None: "stated" when stated_labor is given, else "none" (see ``records_of_labor``).
    labor_records: str | None = None
    work_from: date | None = None
    work_to: date | None = None  # last day of work (inclusive)
    certificate_from: date | None = None
    certificate_to: date | None = None  # the certificate policy's expiration (exclusive)
    exempt: bool = False
    sole_proprietor: bool = False
    licensed: bool = True
    months_worked: Decimal | None = None
    days_worked: Decimal | None = None

    @property
    def records_of_labor(self) -> str:
        """What the records show of the labor (one of ``LABOR_RECORDS``): ``labor_records`` if
        given, else "stated" when a labor amount is given and "none" when it is not."""
        if self.labor_records is not None:
            return self.labor_records
        return "none" if self.stated_labor is None else "stated"

    def work_period(self, audit_period: Period) -> Period:
        """The days of work within the audit period (work outside it is not this policy's)."""
        start = max(self.work_from or audit_period.start, audit_period.start)
        end = min(
            self.work_to + timedelta(days=1) if self.work_to else audit_period.end, audit_period.end
        )
        return Period(start, end)


@dataclass(frozen=True, slots=True)
class GLExposure:
    state: str
    class_code: str
    basis: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AuditFacts:
    payroll: tuple[PayrollLine, ...] = ()
    owners: tuple[Owner, ...] = ()
    subcontractors: tuple[Subcontractor, ...] = ()
    gl_exposures: tuple[GLExposure, ...] = ()


@dataclass(frozen=True, slots=True)
class Audit:
    type: str = "final"
    non_compliance_multiplier: Decimal | None = None  # None: the state's maximum
    audit_costs: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Worksheet:
    policy: Policy
    estimated: tuple[Estimate, ...]
    audited: AuditFacts
    audit: Audit = Audit()

    @property
    def is_estimated_audit(self) -> bool:
        return self.audit.type == "estimated"
