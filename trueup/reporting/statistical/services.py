"""Writes of unit statistical reports: a first report, an exposure correction, a replacement of a
rejected report, sending and the bureau's answer (the batch of the reports due: ``batch.py``).

Each report's file is written whole or not at all: every record is checked against the layout
table before the report is kept, and a policy lacking what its report needs is named with the
reason (``Unreportable``) with nothing written for it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.db import transaction

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.core.errors import InvalidInput, Problem, Refused
from trueup.policies.models import PolicyPeriod
from trueup.rating.rates import RateTable
from trueup.reference.selectors import rates_in_use
from trueup.reporting.models import (
    StatReport,
    StatStatus,
    StatStatusChange,
)
from trueup.reporting.statistical import generate, layout, records, rules
from trueup.reporting.statistical.generate import Unreportable
from trueup.reporting.statistical.selectors import correction_reason, latest_report

S = StatStatus
# The moves of a report's status: sent once; then the bureau's answer, which may be corrected
# (an answer entered by mistake) until the report is replaced.
MOVES: dict[str, frozenset[str]] = {
    S.GENERATED: frozenset({S.SENT}),
    S.SENT: frozenset({S.ACCEPTED, S.WARNINGS, S.REJECTED}),
    S.ACCEPTED: frozenset({S.WARNINGS, S.REJECTED}),
    S.WARNINGS: frozenset({S.ACCEPTED, S.REJECTED}),
    S.REJECTED: frozenset({S.ACCEPTED, S.WARNINGS}),
}
ANSWERS = frozenset({S.ACCEPTED, S.WARNINGS, S.REJECTED})


def route_for(state: str, on: date) -> rules.Route:
    found = rules.route(state, on)
    if found is None:
        raise Unreportable(f"no rating bureau is known for {state}")
    if not found.reported:
        raise Unreportable(f"{state} is a monopolistic state fund state: {found.name}")
    return found


def new_report(
    built: generate.Content,
    *,
    period: PolicyPeriod,
    route: rules.Route,
    by: User | None,
    reason: str = "",
    replaces: StatReport | None = None,
) -> StatReport:
    """The report of ``built``, its file written and checked against the layout table, not yet
    saved (the batch saves a chunk of them at once)."""
    report = built.report
    table = layout.load(period.effective)
    lines = records.report_records(table, report)
    content = records.file_bytes(
        table,
        carrier_code=report.carrier_code,
        bureau=route.bureau,
        day=clock.today(),
        reports=[lines],
    )
    timing = rules.first_report(period.effective)
    return StatReport(
        period=period,
        state=report.state,
        bureau=route.bureau,
        audit=built.audit,
        result=built.result,
        report_level=report.report_level,
        correction_sequence=report.correction_sequence,
        correction_type=report.correction_type,
        replacement_code=report.replacement_code,
        replaces=replaces,
        estimated=report.estimated,
        reason=reason,
        exposures=[row.as_json() for row in report.exposures],
        basis=built.basis,
        valued_on=timing.valued_on,
        due_on=timing.due_on,
        layout=table.version,
        content=content,
        digest=records.digest(content),
        records=len(lines),
        generated_at=clock.now(),
        generated_by=by,
    )


def _keep(built: generate.Content, **how: Any) -> StatReport:
    report = new_report(built, **how)
    report.save(force_insert=True)
    return report


def _content(period: PolicyPeriod, state: str, rates: RateTable | None, **link: Any) -> Any:
    try:
        return generate.content(period, state, rates=rates or rates_in_use(), **link)
    except layout.RecordError as error:
        raise Unreportable(str(error)) from None


@transaction.atomic
def report_generate(
    *,
    period: PolicyPeriod,
    state: str,
    by: User | None,
    rates: RateTable | None = None,
    audit: Audit | None = None,
) -> StatReport:
    """The period's first unit statistical report for the state (from ``audit``'s pinned
    result when the caller has read the period's current audit already)."""
    period = (
        PolicyPeriod.objects.select_for_update().select_related("policy__insured").get(pk=period.pk)
    )
    route = route_for(state, period.effective)
    if StatReport.objects.filter(
        period=period, state=state, report_level=1, correction_sequence=""
    ).exists():
        raise Refused(f"{period.policy.number} {state}: its first report was already generated")
    built = _content(period, state, rates, audit=audit)
    return _keep(built, period=period, route=route, by=by)


@transaction.atomic
def correction_generate(
    *, period: PolicyPeriod, state: str, by: User | None, rates: RateTable | None = None
) -> StatReport:
    """An exposure correction: the complete revised exposure set, with the next correction
    sequence of the report level, when the current result differs from what was reported."""
    period = (
        PolicyPeriod.objects.select_for_update().select_related("policy__insured").get(pk=period.pk)
    )
    route = route_for(state, period.effective)
    previous = latest_report(period, state)
    if previous is None:
        raise Refused(f"{period.policy.number} {state}: no report to correct; send its first")
    used = list(
        StatReport.objects.filter(period=period, state=state, report_level=1).values_list(
            "correction_sequence", flat=True
        )
    )
    try:
        sequence = rules.next_sequence(used, period.effective)
    except ValueError as error:
        raise Refused(f"{period.policy.number} {state}: {error}") from None
    correction_type = str(rules.rules(period.effective)["corrections"]["exposure_type"])
    built = _content(
        period,
        state,
        rates,
        correction_sequence=sequence,
        correction_type=correction_type,
    )
    reason = correction_reason(previous, built)
    if not reason:
        raise Refused(f"{period.policy.number} {state}: the reported exposure still stands")
    return _keep(built, period=period, route=route, by=by, reason=reason)


@transaction.atomic
def report_replace(
    *, report: StatReport, by: User | None, rates: RateTable | None = None
) -> StatReport:
    """A replacement of a report the bureau rejected: the same report level, correction
    sequence and type, with the replacement code, built from the current result."""
    report = (
        StatReport.objects.select_for_update().select_related("period__policy").get(pk=report.pk)
    )
    if report.status != S.REJECTED:
        raise Refused("only a report the bureau rejected is replaced")
    if StatReport.objects.filter(replaces=report).exists():
        raise Refused("this rejected report was already replaced")
    period = report.period
    route = route_for(report.state, period.effective)
    code = str(rules.rules(period.effective)["corrections"]["replacement_code"])
    built = _content(
        period,
        report.state,
        rates,
        report_level=report.report_level,
        correction_sequence=report.correction_sequence,
        correction_type=report.correction_type,
        replacement_code=code,
    )
    return _keep(
        built,
        period=period,
        route=route,
        by=by,
        reason=f"replaces the rejected {report.label}",
        replaces=report,
    )


@transaction.atomic
def report_move(*, report: StatReport, to: str, by: User | None, note: str = "") -> StatReport:
    """Record that the report was sent, or the bureau's answer (accepted, accepted with
    warnings, rejected), with a status-change row."""
    locked = StatReport.objects.select_for_update().get(pk=report.pk)
    if to not in MOVES.get(locked.status, frozenset()):
        raise Refused(
            f"a report that is {S(locked.status).label.lower()} cannot become "
            f"{S(to).label.lower() if to in S.values else to}"
        )
    if to in ANSWERS and to == S.REJECTED and not note.strip():
        raise Refused("say why the bureau rejected the report (its error codes)")
    now = clock.now()
    StatStatusChange.objects.create(
        report=locked, from_status=locked.status, to_status=to, by=by, at=now, note=note
    )
    locked.status = to
    fields = ["status"]
    if to == S.SENT:
        locked.sent_at = now
        fields.append("sent_at")
    if note:
        locked.bureau_note = note
        fields.append("bureau_note")
    locked.save(update_fields=fields)
    return locked


ANSWER_WORDS = {
    "accepted": S.ACCEPTED,
    "accepted_warnings": S.WARNINGS,
    "accepted with warnings": S.WARNINGS,
    "rejected": S.REJECTED,
}


@transaction.atomic
def answers_import(*, text: str, by: User | None) -> list[StatReport]:
    """The bureau's answers imported from a CSV with the columns ``digest`` (the SHA-256 of the
    file sent), ``status`` (accepted, accepted with warnings, rejected) and ``note`` (the
    bureau's error codes). All or nothing: every row that cannot be used is named, and then no
    answer is recorded."""
    rows = list(csv.DictReader(io.StringIO(text)))
    problems: list[Problem] = []
    if not rows or not {"digest", "status"} <= set(rows[0]):
        raise InvalidInput([Problem("$", "the file needs a header row with digest and status")])
    found: list[tuple[StatReport, str, str]] = []
    for n, row in enumerate(rows, start=2):
        digest = (row.get("digest") or "").strip().lower()
        status = ANSWER_WORDS.get((row.get("status") or "").strip().lower())
        note = (row.get("note") or "").strip()
        report = StatReport.objects.filter(digest=digest).order_by("-id").first()
        if report is None:
            problems.append(Problem(f"row {n}.digest", f"no report was sent with digest {digest}"))
        elif status is None:
            problems.append(
                Problem(f"row {n}.status", "must be accepted, accepted with warnings or rejected")
            )
        elif status not in MOVES.get(report.status, frozenset()):
            problems.append(
                Problem(
                    f"row {n}.status",
                    f"{report} is {S(report.status).label.lower()}: it cannot become "
                    f"{S(status).label.lower()}",
                )
            )
        elif status == S.REJECTED and not note:
            problems.append(Problem(f"row {n}.note", "say why the bureau rejected the report"))
        else:
            found.append((report, status, note))
    if problems:
        raise InvalidInput(problems)
    return [report_move(report=r, to=s, by=by, note=note) for r, s, note in found]
