"""Premium reporting's daily work as a background task (enqueued by ``trueup run_scheduler``):
late reports chased, and the trend rule applied to every open plan. Estimated reports are billed
by billing's own daily run (``trueup.billing.tasks.bill_premium_reports``)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from trueup.core import clock
from trueup.premium_reports.models import PlanStatus, PremiumReport, ReportingPlan, ReportStatus
from trueup.premium_reports.services import report_chase, trend_check


def reports_chase_due(today: date | None = None) -> dict[str, int]:
    """Chase every report past its due date, then check each open plan's trend. Safe to run
    again the same day: a reminder or an estimate is made once per chasing day, a referral once
    per plan."""
    today = today or clock.today()
    done = {"reminded": 0, "estimated": 0, "referred": 0}
    late = PremiumReport.objects.filter(
        status=ReportStatus.DUE, plan__status=PlanStatus.OPEN, due_on__lt=today
    ).order_by("due_on", "pk")
    for report in late:
        outcome = report_chase(report=report, today=today)
        if outcome is not None:
            done[outcome] += 1
    open_plans = ReportingPlan.objects.filter(status=PlanStatus.OPEN, referred_on__isnull=True)
    for plan in open_plans.select_related("period").order_by("pk"):
        done["referred"] += trend_check(plan=plan, today=today) is not None
    return done


@task()
def chase_premium_reports() -> dict[str, int]:
    """What the scheduler runs once a day: ``reports_chase_due`` for today."""
    return reports_chase_due()
