"""An audit of a reporting policy against what was already charged for its days: the adjustment is
the audited premium less what the reports (and, before a final audit, the completed interim audits)
billed, each day counted once. The deposit, held against the term, is applied by the final audit
to what is owed or returned; an interim audit leaves it in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from trueup.audits.models import Audit, AuditType, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.premium_reports.models import PremiumReport, ReportingPlan, ReportStatus
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
    interim_audits: int = 0  # completed interim audits counted in what was charged

    def words(self) -> str:
        """The comparison as the insured's letter says it, in the active language."""
        figures = {
            "reported_exposure": f"${self.reported_exposure:,}",
            "reported_premium": f"${self.reported_premium:,}",
            "audited_exposure": f"${self.audited_exposure:,}",
            "audited_premium": f"${self.audited_premium:,}",
            "deposit": f"${self.deposit:,}",
            "balance": f"${abs(self.balance):,}",
        }
        charged = (
            _(
                "Your payroll reports and interim audits showed %(reported_exposure)s of payroll "
                "and were billed %(reported_premium)s."
            )
            if self.interim_audits
            else _(
                "Your payroll reports showed %(reported_exposure)s of payroll and were billed "
                "%(reported_premium)s."
            )
        )
        found = _("The audit found %(audited_exposure)s, for a premium of %(audited_premium)s.")
        if not self.deposit:
            owed = self._interim_words()
        elif self.balance > 0:
            owed = _("After your %(deposit)s deposit is applied, %(balance)s is due.")
        elif self.balance < 0:
            owed = _("With your %(deposit)s deposit, %(balance)s comes back to you.")
        else:
            owed = _("Your %(deposit)s deposit covers the difference exactly.")
        return " ".join(sentence % figures for sentence in (charged, found, owed))

    def _interim_words(self) -> str:
        if self.balance > 0:
            owed = _("%(balance)s is due.")
        elif self.balance < 0:
            owed = _("%(balance)s comes back to you.")
        else:
            owed = _("Nothing more is due.")
        return owed + " " + _("Any deposit stays in place until the final audit of the term.")


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


Days = tuple[date, date]  # first and last day, both included


def _days(first: date, last: date) -> int:
    return (last - first).days + 1


def _overlap(a: Days, b: Days) -> int:
    return max(0, _days(max(a[0], b[0]), min(a[1], b[1])))


def audited_days(audit: Audit) -> Days:
    """The days an audit's result answers for: an interim audit's part of the term, or the term."""
    if audit.type == AuditType.INTERIM and audit.covers_from and audit.covers_to:
        return audit.covers_from, audit.covers_to
    period = audit.period
    return period.effective, period.expiration - timedelta(days=1)


def _interims_within(audit: Audit, days: Days) -> list[tuple[Days, ResultSnapshot]]:
    """The period's other completed interim audits inside ``days``, with their results."""
    found = (
        Audit.objects.filter(
            period_id=audit.period_id,
            type=AuditType.INTERIM,
            status=Status.COMPLETED,
            final_result__isnull=False,
        )
        .exclude(pk=audit.pk)
        .select_related("final_result")
    )
    return [
        (audited_days(a), a.final_result)
        for a in found
        if a.final_result is not None and _overlap(audited_days(a), days)
    ]


def charged_before(audit: Audit, days: Days) -> tuple[Decimal, Decimal, int]:
    """The exposure and premium already charged for ``days``, and how many interim audits
    counted: each completed interim audit's result for the days it covers, and the reports
    (filed or estimated) for the other days, a report partly covered by an interim audit pro
    rata to its days outside it. Each day counts once: an interim audit's figures stand in for
    the reports of its days."""
    interims = _interims_within(audit, days)
    exposure = sum((_audited_exposure(r) for _, r in interims), ZERO)
    premium = sum((cents(Decimal(r.audited_premium)) for _, r in interims), ZERO)
    reports = PremiumReport.objects.filter(
        plan__period_id=audit.period_id,
        status__in=(ReportStatus.FILED, ReportStatus.ESTIMATED),
    ).prefetch_related("lines")
    for report in reports:
        span = (report.covers_from, report.covers_to)
        outside = _overlap(span, days) - sum(_overlap(span, done) for done, _ in interims)
        if outside <= 0:
            continue
        share = Decimal(outside) / _days(*span)
        exposure += cents(sum((line.exposure for line in report.lines.all()), ZERO) * share)
        premium += cents(Decimal(report.premium or ZERO) * share)
    return exposure, premium, len(interims)


def true_up(audit: Audit, result: ResultSnapshot) -> TrueUp | None:
    """The audit's result against what was already charged for its days (the reports, and the
    completed interim audits before a final one); None when the period does not report. The
    deposit stands against the term: a final audit applies it, an interim audit does not."""
    plan = ReportingPlan.objects.filter(period_id=audit.period_id).first()
    if plan is None:
        return None
    days = audited_days(audit)
    reported_exposure, reported_premium, interims = charged_before(audit, days)
    audited_premium = cents(Decimal(result.audited_premium))
    adjustment = audited_premium - reported_premium
    deposit = ZERO if audit.type == AuditType.INTERIM else plan.deposit
    return TrueUp(
        audited_exposure=_audited_exposure(result),
        reported_exposure=reported_exposure,
        audited_premium=audited_premium,
        reported_premium=reported_premium,
        adjustment=adjustment,
        deposit=deposit,
        balance=adjustment - deposit,
        interim_audits=interims,
    )
