"""Reads of unit statistical reports: the reports due in a period, the corrections pending, the
reports by status."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Mod

from trueup.core import clock
from trueup.policies.models import PolicyPeriod
from trueup.rating.rates import RateTable
from trueup.reference.selectors import rates_in_use
from trueup.reporting.models import StatReport, StatRun, StatStatus
from trueup.reporting.statistical import generate, rules
from trueup.reporting.statistical.generate import Unreportable


@dataclass(frozen=True)
class Due:
    """One state's first report of one policy period, due or generated."""

    period: PolicyPeriod
    state: str
    bureau: str  # empty: a monopolistic fund state, or no bureau known (see ``routing``)
    routing: str
    valued_on: date
    due_on: date
    report_id: int | None


def reports_due(
    start: date,
    end: date,
    *,
    period_ids: list[int] | None = None,
    today: date | None = None,
    part: int = 0,
    parts: int = 1,
) -> Iterator[Due]:
    """The first reports of workers' compensation periods falling due between the two days
    (inclusive), one per state of each period, with the report generated for it if any; of the
    periods whose id % ``parts`` is ``part`` (the batch split among workers)."""
    lo, hi = rules.effective_months_due(start, end, today or clock.today())
    periods = (
        PolicyPeriod.objects.filter(policy__line="WC", effective__gte=lo, effective__lte=hi)
        .select_related("policy__insured")
        .order_by("effective", "id")
    )
    if period_ids is not None:
        periods = periods.filter(pk__in=period_ids)
    if parts > 1:
        periods = periods.alias(part=Mod("id", parts)).filter(part=part)
    generated: dict[tuple[int, str], int] = {}
    first = StatReport.objects.filter(
        period__in=periods, report_level=1, correction_sequence=""
    ).order_by("id")
    for pk, period_id, state in first.values_list("pk", "period_id", "state"):
        generated.setdefault((period_id, state), pk)
    for period in periods.iterator(chunk_size=2000):
        timing = rules.first_report(period.effective)
        if not start <= timing.due_on <= end:
            continue
        for state in sorted(set(period.states or ())):
            route = rules.route(state, period.effective)
            yield Due(
                period=period,
                state=state,
                bureau=route.bureau if route else "",
                routing=route.name if route else f"no rating bureau is known for {state}",
                valued_on=timing.valued_on,
                due_on=timing.due_on,
                report_id=generated.get((period.pk, state)),
            )


def latest_report(period: PolicyPeriod, state: str) -> StatReport | None:
    """The report the bureau holds (or will) for the period and state: the latest not rejected."""
    return (
        StatReport.objects.filter(period=period, state=state, report_level=1)
        .exclude(status=StatStatus.REJECTED)
        .order_by("-id")
        .first()
    )


def correction_reason(previous: StatReport, built: generate.Content) -> str:
    """Why the current result needs an exposure correction of what was reported; empty when
    the reported exposure still stands."""
    rows = [row.as_json() for row in built.report.exposures]
    if previous.estimated and not built.report.estimated:
        return "a final audit replaced the reported estimated exposure"
    if rows == previous.exposures:
        return ""

    def mods(found: list[dict[str, Any]]) -> set[tuple[Any, Any]]:
        return {(r["mod"], r["mod_effective"]) for r in found if r["mod"] is not None}

    if mods(rows) != mods(previous.exposures):
        return "the experience mod was revised"
    return "a revision moved exposure between classes or changed exposure or premium"


@dataclass(frozen=True)
class Pending:
    """A report whose exposure no longer matches the period's current result."""

    report: StatReport
    reason: str


def corrections_pending(rates: RateTable | None = None) -> list[Pending]:
    """The latest report of each period and state whose current result differs from what it
    reported, with why; a result that cannot be reported any more is listed with that reason.

    Read in bulk: a report whose basis digest (``generate.basis``) is still the current one
    reports the same exposure set as the current result would, so only the others are
    recomputed and compared."""
    rates = rates or rates_in_use()
    latest: dict[tuple[int, str], StatReport] = {}
    reports = (
        StatReport.objects.filter(report_level=1)
        .exclude(status=StatStatus.REJECTED)
        .select_related("period__policy__insured")
        .defer("content")
        .order_by("id")
    )
    for report in reports.iterator(chunk_size=2000):
        latest[(report.period_id, report.state)] = report
    # Without a carrier code nothing can be reported: every report says so, as it would
    # recomputed.
    code_ok = generate.carrier_code().isdigit() and len(generate.carrier_code()) == 5
    pending = []
    found = list(latest.values())
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        current = generate.current_results(sorted({r.period_id for r in chunk}))
        changed = [
            r
            for r in chunk
            if not (code_ok and r.basis and r.period_id in current)
            or r.basis != generate.basis(r.period, r.state, current[r.period_id], rates)
        ]
        pending += _recomputed(changed, rates)
    return pending


CHUNK = 1000


def _recomputed(changed: list[StatReport], rates: RateTable) -> list[Pending]:
    """The reports among ``changed`` whose exposure set the current result changes, and why."""
    audits = generate.current_audits_exposure(sorted({r.period_id for r in changed}))
    pending = []
    for report in changed:
        try:
            built = generate.content(
                report.period, report.state, rates=rates, audit=audits.get(report.period_id)
            )
        except Unreportable as error:
            pending.append(Pending(report, f"cannot be corrected: {error.message}"))
            continue
        reason = correction_reason(report, built)
        if reason:
            pending.append(Pending(report, reason))
    return pending


def reports(status: str | None = None) -> QuerySet[StatReport]:
    """Reports, newest first, optionally of one status (the file's bytes are not read)."""
    found = StatReport.objects.select_related("period__policy__insured").defer("content")
    return found.filter(status=status) if status else found


def latest_batch() -> list[StatRun]:
    """The latest batch's runs, one per part (the newest of each) in part order: a batch split
    among workers is one run per part, and each part names the policies it could not report."""
    last = StatRun.objects.first()
    if last is None:
        return []
    runs = StatRun.objects.filter(
        due_from=last.due_from, due_to=last.due_to, parts=last.parts
    ).order_by("part", "-started_at", "-id")
    newest: dict[int, StatRun] = {}
    for run in runs[: last.parts * 4]:
        newest.setdefault(run.part, run)
    return [newest[part] for part in sorted(newest)]
