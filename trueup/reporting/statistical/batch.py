"""The daily batch of first unit statistical reports, in bulk: the periods due are read in chunks,
with their current audits and pinned results in one query per chunk; every report is built in
memory with the one-report service's own builder (``services.new_report``: the same records, the
same checks against the layout table, the same bytes) and a chunk's reports are written together
in one transaction.

The batch splits among workers: part ``k`` of ``n`` does the periods whose id % n == k, so n
background tasks on n workers cover every period once. It is safe to retry and to overlap: a
first report is generated once (a unique constraint), and a chunk that meets one generated
meanwhile is written again without it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.core.chunks import chunks
from trueup.rating.rates import RateTable
from trueup.reference.selectors import rates_in_use
from trueup.reporting.models import RunStatus, StatReport, StatRun
from trueup.reporting.statistical import generate, layout, services
from trueup.reporting.statistical.generate import Unreportable
from trueup.reporting.statistical.selectors import Due, reports_due

# Periods' reports built and written together: a few queries and one transaction each.
CHUNK = 1000


def reports_generate_due(
    *,
    due_from: date,
    due_to: date,
    by: User | None = None,
    part: int = 0,
    parts: int = 1,
    period_ids: list[int] | None = None,
) -> StatRun:
    """Generate every first report falling due between the two days that is not yet generated,
    of this part's periods; the run lists each policy it could not report and why."""
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}: a part is 0 to {parts - 1}")
    run = StatRun.objects.create(
        started_at=clock.now(), due_from=due_from, due_to=due_to, part=part, parts=parts
    )
    rates = rates_in_use()
    problems: list[dict[str, Any]] = []
    generated = 0
    try:
        due = reports_due(due_from, due_to, period_ids=period_ids, part=part, parts=parts)
        for chunk in chunks((d for d in due if d.report_id is None and d.bureau), CHUNK):
            generated += _generate(chunk, rates=rates, by=by, problems=problems)
    except Exception as error:
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(error), clock.now()
        run.generated, run.problems = generated, problems
        run.save()
        raise
    run.status, run.finished_at = RunStatus.DONE, clock.now()
    run.generated, run.problems = generated, problems
    run.save()
    return run


def _generate(
    chunk: list[Due], *, rates: RateTable, by: User | None, problems: list[dict[str, Any]]
) -> int:
    """One chunk's reports built and written together; the policies refused added to
    ``problems``. Returns how many were written."""
    audits = generate.current_audits_exposure(sorted({d.period.pk for d in chunk}))
    built: list[StatReport] = []
    for due in chunk:
        try:
            built.append(_build(due, audits.get(due.period.pk), rates=rates, by=by))
        except Unreportable as error:
            problems.append(
                {
                    "policy": due.period.policy.number,
                    "period": due.period.pk,
                    "state": due.state,
                    "reason": error.message,
                }
            )
    try:
        return _write(built)
    except IntegrityError:
        # Another run generated some of these since the chunk was read: write the others.
        taken = set(
            StatReport.objects.filter(
                period_id__in={r.period_id for r in built},
                report_level=1,
                correction_sequence="",
                replacement_code="",
            ).values_list("period_id", "state")
        )
        return _write([r for r in built if (r.period_id, r.state) not in taken])


def _write(reports: list[StatReport]) -> int:
    with transaction.atomic():
        StatReport.objects.bulk_create(reports, batch_size=500)
    return len(reports)


def _build(due: Due, audit: Audit | None, *, rates: RateTable, by: User | None) -> StatReport:
    """The due report, as the one-report service writes it (not saved)."""
    if audit is None:
        raise Unreportable(generate.NO_AUDIT)
    route = services.route_for(due.state, due.period.effective)
    try:
        content = generate.content(due.period, due.state, rates=rates, audit=audit)
        return services.new_report(content, period=due.period, route=route, by=by)
    except layout.RecordError as error:
        raise Unreportable(str(error)) from None
