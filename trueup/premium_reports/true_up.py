"""The final audit of a reporting policy against its reports: the adjustment is the audited
premium less what the reports billed, and the deposit, held against the term, is then applied to
what is owed or returned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trueup.audits.models import Audit, AuditType, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.premium_reports.models import ReportingPlan
from trueup.premium_reports.services import reported_to_date
from trueup.rating.money import ZERO, cents


@dataclass(frozen=True)
class TrueUp:
    audited_exposure: Decimal
    reported_exposure: Decimal
    audited_premium: Decimal
    reported_premium: Decimal  # what the reports billed
    adjustment: Decimal  # audited less reported: more to pay when positive
    deposit: Decimal
    balance: Decimal  # the adjustment less the deposit: returned to the insured when negative

    def words(self) -> str:
        """The comparison as the insured's letter says it."""
        said = (
            f"Your payroll reports showed ${self.reported_exposure:,} of payroll and were billed "
            f"${self.reported_premium:,}. The audit found ${self.audited_exposure:,}, for a "
            f"premium of ${self.audited_premium:,}. "
        )
        if self.balance > 0:
            return said + (
                f"After your ${self.deposit:,} deposit is applied, ${self.balance:,} is due."
            )
        if self.balance < 0:
            return (
                said + f"With your ${self.deposit:,} deposit, ${-self.balance:,} comes back to you."
            )
        return said + f"Your ${self.deposit:,} deposit covers the difference exactly."


def _audited_exposure(result: ResultSnapshot) -> Decimal:
    lines = result.result.get("adjustments", [])
    return cents(
        sum(
            (
                Decimal(x["audited_exposure"])
                for x in lines
                if x["is_class"] and x["audited_exposure"]
            ),
            ZERO,
        )
    )


def interim_audited(audit: Audit) -> tuple[Decimal, Decimal]:
    """The exposure and premium the period's completed interim audits found for the days they
    covered: counted with the reports, as what was already charged for those days."""
    found = Audit.objects.filter(
        period_id=audit.period_id,
        type=AuditType.INTERIM,
        status=Status.COMPLETED,
        final_result__isnull=False,
    ).select_related("final_result")
    results = [a.final_result for a in found if a.final_result is not None]
    exposure = sum((_audited_exposure(r) for r in results), ZERO)
    premium = sum((cents(Decimal(r.audited_premium)) for r in results), ZERO)
    return exposure, premium


def true_up(audit: Audit, result: ResultSnapshot) -> TrueUp | None:
    """The audit's result against the period's reports and its completed interim audits; None
    when the period does not report."""
    plan = ReportingPlan.objects.filter(period_id=audit.period_id).first()
    if plan is None:
        return None
    reported = reported_to_date(audit.period)
    interim_exposure, interim_premium = interim_audited(audit)
    reported_premium = reported["premium"] + interim_premium
    audited_premium = cents(Decimal(result.audited_premium))
    adjustment = audited_premium - reported_premium
    return TrueUp(
        audited_exposure=_audited_exposure(result),
        reported_exposure=reported["exposure"] + interim_exposure,
        audited_premium=audited_premium,
        reported_premium=reported_premium,
        adjustment=adjustment,
        deposit=plan.deposit,
        balance=adjustment - plan.deposit,
    )
