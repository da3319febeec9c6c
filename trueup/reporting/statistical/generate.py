"""A unit statistical report's content gathered from the system of record: the period's current
pinned audit result (its audited classes per state and mod period, the engine's own figures, not
recomputed), the period's experience mods, the rate table's class codes and rate dates.

A policy that lacks what a report needs (the carrier's code, a final audit, a class the state's
code system knows, ...) raises ``Unreportable`` with the reason in words; nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import JSONField, Max, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform

from trueup.audits.models import Audit, AuditType, ResultSnapshot
from trueup.audits.workflow import Status
from trueup.core.errors import Refused
from trueup.core.money import as_decimal
from trueup.policies.models import PolicyPeriod
from trueup.rating.rates import RateTable
from trueup.reporting.statistical import rules
from trueup.reporting.statistical.records import ExposureRow, UnitReport

# Audits whose result is the period's exposure: a final or cancellation audit that was
# completed, or estimated because the insured did not provide records.
REPORTED_TYPES = (AuditType.FINAL, AuditType.CANCELLATION)
REPORTED_STATUSES = (Status.COMPLETED, Status.ESTIMATED)
ZERO = Decimal(0)


class Unreportable(Refused):
    """What a policy lacks for its report, in words for the reporting staff."""

    code = "unreportable"


@dataclass(frozen=True)
class Content:
    """A report's content and where it came from."""

    report: UnitReport
    audit: Audit
    result: ResultSnapshot
    basis: str  # the digest of what the exposure was taken from (see ``basis``)


NO_AUDIT = "no completed or estimated final audit with a pinned result"


def _reported_audits() -> QuerySet[Audit]:
    return (
        Audit.objects.filter(
            type__in=REPORTED_TYPES, status__in=REPORTED_STATUSES, final_result__isnull=False
        )
        .select_related("final_result")
        # The result is read, not the worksheet it was rated from (tens of kilobytes each).
        .defer("final_result__worksheet")
    )


def current_audit(period: PolicyPeriod) -> Audit | None:
    """The audit whose pinned result stands for the period now: the latest completed or
    estimated final (or cancellation) audit. A revised audit's revision replaces it."""
    return _reported_audits().filter(period=period).order_by("-id").first()


@dataclass(frozen=True)
class Current:
    """Which pinned result stands for a period now, without reading the result."""

    result_id: int
    estimated: bool


def current_results(period_ids: list[int]) -> dict[int, Current]:
    """The pinned result standing for each period now (``current_audit``'s), in one query."""
    found: dict[int, Current] = {}
    rows = (
        _reported_audits()
        .filter(period_id__in=period_ids)
        .order_by("period_id", "id")
        .values_list("period_id", "final_result_id", "status")
    )
    for period_id, result_id, status in rows:
        found[period_id] = Current(result_id, status == Status.ESTIMATED)
    return found


def current_audits(period_ids: list[int]) -> dict[int, Audit]:
    """``current_audit`` of many periods in one query (a batch reads them together)."""
    found: dict[int, Audit] = {}
    for audit in _reported_audits().filter(period_id__in=period_ids).order_by("period_id", "id"):
        found[audit.period_id] = audit  # the latest of each period is the last
    return found


def current_audits_exposure(period_ids: list[int]) -> dict[int, Audit]:
    """``current_audits`` for a batch: each pinned result read with the exposure part only
    (``result["audited"]["states"]``, each state's classes and steps with the figures a report
    takes, not the trace of reasons that makes up most of a result). Two queries."""
    latest = (
        Audit.objects.filter(
            period_id__in=period_ids,
            type__in=REPORTED_TYPES,
            status__in=REPORTED_STATUSES,
            final_result__isnull=False,
        )
        .values("period_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    audits = list(Audit.objects.filter(pk__in=Subquery(latest)))
    results = ResultSnapshot.objects.filter(pk__in=[a.final_result_id for a in audits])
    states = dict(results.annotate(states=_exposure_states(results.db)).values_list("pk", "states"))
    found: dict[int, Audit] = {}
    for audit in audits:
        if audit.final_result_id is None:  # not so: the query asks for a pinned result
            continue
        # Only the exposure is read: the snapshot is never saved or shown from here.
        audit.final_result = ResultSnapshot(
            pk=audit.final_result_id,
            audit_id=audit.pk,
            result={"audited": {"states": states.get(audit.final_result_id) or []}},
        )
        found[audit.period_id] = audit
    return found


# The exposure part of a result, built in the database (PostgreSQL): each state with its classes'
# and steps' figures, in their order.
EXPOSURE_SQL = """
SELECT jsonb_agg(jsonb_build_object(
    'state', s.value -> 'state',
    'classes', (
        SELECT jsonb_agg(jsonb_build_object(
            'class', c.value -> 'class', 'period_start', c.value -> 'period_start',
            'exposure', c.value -> 'exposure', 'rate', c.value -> 'rate',
            'manual_premium', c.value -> 'manual_premium') ORDER BY c.n)
        FROM jsonb_array_elements(s.value -> 'classes') WITH ORDINALITY AS c(value, n)),
    'steps', (
        SELECT jsonb_agg(jsonb_build_object(
            'code', t.value -> 'code', 'amount', t.value -> 'amount') ORDER BY t.n)
        FROM jsonb_array_elements(s.value -> 'steps') WITH ORDINALITY AS t(value, n))
) ORDER BY s.n)
FROM jsonb_array_elements(
    CASE WHEN jsonb_typeof("audits_resultsnapshot"."result" -> 'audited' -> 'states') = 'array'
    THEN "audits_resultsnapshot"."result" -> 'audited' -> 'states' ELSE '[]' END
) WITH ORDINALITY AS s(value, n)
"""


def _exposure_states(db: str) -> Any:
    if connections[db].vendor == "postgresql":
        return RawSQL(f"({EXPOSURE_SQL})", (), output_field=JSONField())
    return KeyTransform("states", KeyTransform("audited", "result"))


def carrier_code() -> str:
    return str(getattr(settings, "TRUEUP_CARRIER_CODE", "") or "")


def content(
    period: PolicyPeriod,
    state: str,
    *,
    rates: RateTable,
    report_level: int = 1,
    correction_sequence: str = "",
    correction_type: str = "",
    replacement_code: str = "",
    audit: Audit | None = None,
) -> Content:
    """The report of the period's exposure in the state, from its current pinned result."""
    code = carrier_code()
    if not (code.isdigit() and len(code) == 5):
        raise Unreportable(
            "no carrier code: set TRUEUP_CARRIER_CODE to the five-digit code NCCI assigned"
        )
    policy = period.policy
    if policy.line != "WC":
        raise Unreportable("only workers' compensation policies are reported to the bureaus")
    audit = audit or current_audit(period)
    if audit is None or audit.final_result is None:
        raise Unreportable(NO_AUDIT)
    result = audit.final_result
    estimated = audit.status == Status.ESTIMATED
    rows = exposure_rows(period, state, result.result, rates=rates, estimated=estimated)
    insured = policy.insured
    report = UnitReport(
        carrier_code=code,
        policy_number=policy.number,
        effective=period.effective,
        expiration=period.cancellation_date or period.expiration,
        state=state,
        estimated=estimated,
        insured_name=insured.name,
        fein=insured.fein,
        address=insured.mailing_address,
        exposures=rows,
        report_level=report_level,
        correction_sequence=correction_sequence,
        correction_type=correction_type,
        replacement_code=replacement_code,
        codes={k: str(v) for k, v in rules.rules(period.effective)["codes"].items()},
    )
    current = Current(result.pk, estimated)
    return Content(report, audit, result, basis(period, state, current, rates))


def basis(period: PolicyPeriod, state: str, current: Current, rates: RateTable) -> str:
    """The digest of everything a report's exposure set is computed from: the pinned result
    (a result is never changed once pinned, so its id stands for it), whether it was estimated,
    the period's dates and mods, the policy's line, the rate table and the statistical codes in
    force. Two equal digests mean the same exposure set, so the corrections pending recompute
    only the reports whose digest changed."""
    what = [
        state,
        current.result_id,
        current.estimated,
        period.effective.isoformat(),
        [(day.isoformat(), format(factor, "f")) for day, factor in _mods(period.experience_mods)],
        period.policy.line,
        rates.version,
        rules.rules(period.effective)["stat_codes"],
    ]
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def exposure_rows(
    period: PolicyPeriod,
    state: str,
    result: dict[str, Any],
    *,
    rates: RateTable,
    estimated: bool,
) -> tuple[ExposureRow, ...]:
    """The state's exposure records from the result's audited classes: one per class and mod
    period (a split period reports a set per mod), then the state's charges reported under
    statistical codes. No experience rating data comes from an estimated audit."""
    audited = result.get("audited") or {}
    found = [s for s in audited.get("states") or () if s.get("state") == state]
    if not found:
        raise Unreportable(f"the audit's result has no exposure in {state}")
    mods = _mods(period.experience_mods)
    rows: list[ExposureRow] = []
    for line in found[0].get("classes") or ():
        class_code = str(line.get("class") or "")
        starts = line.get("period_start")
        start = date.fromisoformat(starts) if starts else period.effective
        rate = rates.lookup(state, "WC", class_code, period.effective)
        if rate is None:
            raise Unreportable(
                f"class {class_code} is not in {state}'s class code system "
                f"(rate table {rates.version}) on {period.effective.isoformat()}"
            )
        mod, mod_effective = (None, None) if estimated else _mod_on(mods, start)
        rows.append(
            ExposureRow(
                state=state,
                class_code=class_code,
                exposure=as_decimal(line.get("exposure")) or ZERO,
                rate=as_decimal(line.get("rate")) or ZERO,
                premium=as_decimal(line.get("manual_premium")) or ZERO,
                rate_effective=rate.effective,
                mod=mod,
                mod_effective=mod_effective,
            )
        )
    stat_codes = rules.rules(period.effective)["stat_codes"]
    for step in found[0].get("steps") or ():
        stat = stat_codes.get(step.get("code"))
        amount = as_decimal(step.get("amount"))
        if stat and isinstance(stat, str) and amount:
            rows.append(
                ExposureRow(
                    state=state,
                    class_code=stat,
                    exposure=ZERO,
                    rate=ZERO,
                    premium=amount,
                    rate_effective=period.effective,
                )
            )
    if not rows:
        raise Unreportable(f"the audit's result has no classes in {state}")
    return tuple(rows)


def _mods(raw: Any) -> list[tuple[date, Decimal]]:
    mods = []
    for m in raw or ():
        factor = as_decimal(m.get("factor"))
        if factor is not None and m.get("effective"):
            mods.append((date.fromisoformat(str(m["effective"])), factor))
    return sorted(mods)


def _mod_on(mods: list[tuple[date, Decimal]], day: date) -> tuple[Decimal | None, date | None]:
    """The mod in force on the day (the first mod when the day is before all of them)."""
    in_force = [m for m in mods if m[0] <= day] or mods[:1]
    if not in_force:
        return None, None
    effective, factor = in_force[-1]
    return factor, effective
