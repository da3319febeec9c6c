"""Premium reporting: a period's plan and its schedule of reports, each report filed (or
estimated when it does not come), rated, and the trend of what is reported to date."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.services import may
from trueup.core import clock
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused
from trueup.core.tasks import enqueue_on_commit
from trueup.policies.models import PolicyPeriod
from trueup.premium_reports.mail import email_reminder
from trueup.premium_reports.models import (
    Frequency,
    PlanStatus,
    PremiumReport,
    ReportingPlan,
    ReportLine,
    ReportSource,
    ReportStatus,
)
from trueup.premium_reports.rating import Line, covered_days, rate_report, term_days
from trueup.premium_reports.rules import months_per_report, rules, trend_band
from trueup.rating.money import CENT, HUNDRED, ZERO, cents, quantize
from trueup.reference.selectors import rates_in_use

# A report is filed once: these are the sources a filing may name.
FILING_SOURCES = frozenset({ReportSource.PORTAL, ReportSource.API, ReportSource.STAFF})


@transaction.atomic
def plan_close(*, period: PolicyPeriod) -> ReportingPlan | None:
    """The final audit has squared the period with its reports: nothing more is reported, chased
    or billed on the plan. Safe to call again; None when the period does not report."""
    plan = ReportingPlan.objects.select_for_update().filter(period=period).first()
    if plan is not None and plan.status != PlanStatus.CLOSED:
        plan.status = PlanStatus.CLOSED
        plan.save(update_fields=["status"])
    return plan


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _schedule(period: PolicyPeriod, months: int) -> list[tuple[date, date]]:
    """The reporting periods of the term: (first day, last day), the last cut at expiration."""
    spans, start = [], period.effective
    while start < period.expiration:
        end = min(add_months(start, months), period.expiration)
        spans.append((start, end - timedelta(days=1)))
        start = end
    return spans


@transaction.atomic
def plan_start(
    *, period: PolicyPeriod, frequency: str, deposit: Decimal, by: User
) -> ReportingPlan:
    """Put the period on premium reporting, with its schedule of reports."""
    if not may(by, "assign"):
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not start premium reporting"
        )
    if period.policy.line != "WC":
        raise Refused("premium reports are of workers' compensation payroll")
    if ReportingPlan.objects.filter(period=period).exists():
        raise Refused("this period is on premium reporting already")
    problems = []
    if frequency not in Frequency.values:
        problems.append(Problem("frequency", "monthly or quarterly"))
    if deposit < 0:
        problems.append(Problem("deposit", "a deposit is not negative"))
    if problems:
        raise InvalidInput(problems)
    plan = ReportingPlan.objects.create(
        period=period, frequency=frequency, deposit=cents(deposit), started_by=by
    )
    after = int(rules()["due"]["days_after_period"])
    PremiumReport.objects.bulk_create(
        PremiumReport(
            plan=plan, covers_from=first, covers_to=last, due_on=last + timedelta(days=after)
        )
        for first, last in _schedule(period, months_per_report(frequency))
    )
    return plan


def _exposure(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value >= 0 else None


def _line(
    period: PolicyPeriod, n: int, raw: Mapping[str, Any], problems: list[Problem]
) -> Line | None:
    """One line checked: a state of the policy, a class rated there, a non-negative amount."""
    where = f"lines[{n}]"
    state, code = str(raw.get("state") or "").upper(), str(raw.get("class_code") or "")
    exposure = _exposure(raw.get("exposure"))
    found = len(problems)
    if state not in period.states:
        problems.append(
            Problem(f"{where}.state", f"one of the policy's states: {', '.join(period.states)}")
        )
    elif rates_in_use().lookup(state, period.policy.line, code, period.effective) is None:
        problems.append(Problem(f"{where}.class_code", f"a class rated in {state} for this policy"))
    if exposure is None:
        problems.append(Problem(f"{where}.exposure", "an amount of zero or more, such as 87500.00"))
    if len(problems) > found or exposure is None:
        return None
    return Line(state, code, cents(exposure))


def _lines(period: PolicyPeriod, raw_lines: Iterable[Mapping[str, Any]]) -> list[Line]:
    problems: list[Problem] = []
    lines, seen = [], set()
    for n, raw in enumerate(raw_lines):
        line = _line(period, n, raw, problems)
        if line is None:
            continue
        if (line.state, line.class_code) in seen:
            problems.append(Problem(f"lines[{n}].class_code", "each state and class once"))
        seen.add((line.state, line.class_code))
        lines.append(line)
    if not lines and not problems:
        problems.append(Problem("lines", "at least one state and class with its exposure"))
    if problems:
        raise InvalidInput(problems)
    return lines


def _write(
    report: PremiumReport, lines: list[Line], by: User | None, source: str, status: str
) -> PremiumReport:
    period = report.plan.period
    rated = rate_report(period, report.covers_from, report.covers_to, lines)
    ReportLine.objects.bulk_create(
        ReportLine(report=report, state=x.state, class_code=x.class_code, exposure=x.exposure)
        for x in lines
    )
    report.status, report.source, report.filed_by = status, source, by
    report.filed_at = timezone.now()
    report.premium, report.reasons, report.rating = rated.premium, rated.reasons, rated.rating
    report.save()
    return report


def report_check_due(report: PremiumReport) -> None:
    """Refused unless the report may still be filed: due, on an open plan. A report filed or
    estimated is final."""
    if report.plan.status != PlanStatus.OPEN:
        raise Refused(
            "this policy's premium reporting is closed: its reports are not filed any more"
        )
    if report.status != ReportStatus.DUE:
        raise Refused(
            f"this report is {report.get_status_display().lower()} already, and final: "
            "it is not filed again"
        )


def _locked_due(report: PremiumReport) -> PremiumReport:
    locked = (
        PremiumReport.objects.select_for_update(of=("self",))
        .select_related("plan__period__policy__insured")
        .get(pk=report.pk)
    )
    report_check_due(locked)
    return locked


@transaction.atomic
def report_file(
    *, report: PremiumReport, lines: Iterable[Mapping[str, Any]], by: User, source: str
) -> PremiumReport:
    """File a report: every line checked (nothing is written when one is wrong), then rated at
    the reported exposure. Who may file for which insured is the caller's check (the portal's
    access, the API's staff); here the role."""
    if source not in FILING_SOURCES:
        raise InvalidInput([Problem("source", "the portal, the API or the audit department")])
    if not (by.is_portal_user or may(by, "edit_facts")):
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not file a premium report"
        )
    locked = _locked_due(report)
    return _write(locked, _lines(locked.plan.period, lines), by, source, ReportStatus.FILED)


def estimated_lines(report: PremiumReport) -> list[Line]:
    """The period's estimate, pro-rated to the days the report covers."""
    period = report.plan.period
    share = Decimal(covered_days(report.covers_from, report.covers_to)) / term_days(period)
    return [
        Line(e.state, e.class_code, cents(e.exposure * share))
        for e in period.estimates.order_by("id")
    ]


@transaction.atomic
def report_estimate(*, report: PremiumReport) -> PremiumReport:
    """No report came after the reminders: an estimated one, at the pro-rated estimate."""
    locked = _locked_due(report)
    return _write(
        locked, estimated_lines(locked), None, ReportSource.ESTIMATED, ReportStatus.ESTIMATED
    )


def _reminder_step(report: PremiumReport, today: date) -> int:
    """How many of the chasing days have come since the report fell due."""
    late = (today - report.due_on).days
    return sum(1 for day in rules(today)["reminders"]["days_late"] if day <= late)


@transaction.atomic
def report_chase(*, report: PremiumReport, today: date | None = None) -> str | None:
    """A late report: a reminder on each chasing day, and once the configured number of reminders
    went unanswered, an estimated report on the next. Returns what was done."""
    today = today or clock.today()
    locked = PremiumReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != ReportStatus.DUE or _reminder_step(locked, today) <= locked.reminders_sent:
        return None
    if locked.reminders_sent >= int(rules(today)["reminders"]["estimate_after"]):
        report_estimate(report=locked)
        return "estimated"
    locked.reminders_sent += 1
    locked.last_reminded_on = today
    locked.save(update_fields=["reminders_sent", "last_reminded_on"])
    enqueue_on_commit(email_reminder, locked.pk)
    return "reminded"


def reported_to_date(period: PolicyPeriod) -> dict[str, Decimal]:
    """What the period's reports (filed or estimated) add up to: exposure, premium and the days
    covered. The final audit compares the audited exposure with it."""
    made = PremiumReport.objects.filter(
        plan__period=period, status__in=(ReportStatus.FILED, ReportStatus.ESTIMATED)
    )
    exposure = ReportLine.objects.filter(report__in=made).aggregate(s=Sum("exposure"))["s"]
    premium = made.aggregate(s=Sum("premium"))["s"]
    days = sum(covered_days(r.covers_from, r.covers_to) for r in made)
    return {
        "exposure": cents(Decimal(exposure or ZERO)),
        "premium": cents(Decimal(premium or ZERO)),
        "days": Decimal(days),
    }


def trend_percent(period: PolicyPeriod) -> Decimal | None:
    """Reported exposure to date as a percent of the estimate pro-rated to the days reported."""
    reported = reported_to_date(period)
    estimate = period.estimates.aggregate(s=Sum("exposure"))["s"] or ZERO
    expected = Decimal(estimate) * reported["days"] / term_days(period)
    if not reported["days"] or not expected:
        return None
    return quantize(reported["exposure"] * HUNDRED / expected, CENT)


@transaction.atomic
def trend_check(*, plan: ReportingPlan, today: date | None = None) -> ReportingPlan | None:
    """The trend rule: more than the configured days into the term, reported exposure outside
    the band of the pro-rated estimate refers the plan to the underwriter, once."""
    today = today or clock.today()
    low, high, after_days = trend_band(today)
    period = plan.period
    if plan.referred_on is not None or (today - period.effective).days <= after_days:
        return None
    percent = trend_percent(period)
    if percent is None or low <= percent <= high:
        return None
    plan.referred_on = today
    plan.referral_reason = (
        f"reported exposure to date is {percent} % of the pro-rated estimate, "
        f"outside the {low}–{high} % band"
    )
    plan.save(update_fields=["referred_on", "referral_reason"])
    Audit.objects.filter(period=period).update(refer_to_underwriting=True)
    return plan
