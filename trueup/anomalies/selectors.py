"""An audit's anomaly flags: its rating, the policy's audit of the term before and the tax
filings that do not reconcile, read from the database and checked by ``detect``; each flag with
its latest decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from trueup.anomalies.detect import Audited, Flag, Inputs, detect
from trueup.anomalies.models import FlagDecision
from trueup.anomalies.rules import rules
from trueup.audits.models import Audit, AuditType
from trueup.audits.selectors import shown_snapshot
from trueup.audits.workflow import FACTS_EDITABLE, Status
from trueup.audits.worksheet import worksheet_for
from trueup.core import clock
from trueup.core.money import usd_of_cents
from trueup.core.presence import Probe, holding, rows_if
from trueup.core.written import values_written
from trueup.payroll.models import PayrollImport
from trueup.payroll.services import audit_reconciliation
from trueup.rating.jsonio import to_jsonable


@dataclass(frozen=True)
class FlagRow:
    flag: Flag
    decision: FlagDecision | None  # the latest, if the flag was decided


def _worksheet(audit: Audit) -> dict[str, Any] | None:
    if audit.status in FACTS_EDITABLE:
        sheet: dict[str, Any] = to_jsonable(worksheet_for(audit))
        return sheet
    snapshot = shown_snapshot(audit)
    return snapshot.worksheet if snapshot is not None else None


def prior_rating(audit: Audit) -> Audited | None:
    """The pinned result of the policy's completed audit of the term before this one."""
    # Only the pinned result's worksheet and trace: no audit or result is built around them.
    # Asked on every audit page: written once (where the database takes the date as it is).
    period = audit.period
    final = (Status.COMPLETED.value, Status.ESTIMATED.value, AuditType.INTERIM.value)
    prior = values_written("prior rating", _prior, period.effective, period.policy_id, *final)
    return Audited(*prior[0]) if prior else None


def _prior(
    before: date, policy: int, completed: str, estimated: str, interim: str
) -> QuerySet[Audit, tuple[Any, Any]]:
    """The policy's audits that ended by ``before`` with a final result, latest first. The
    values are in the order the SQL takes them (the ORM writes a filter's conditions in the
    order of their names), as ``values_written`` asks."""
    return (
        Audit.objects.filter(
            period__policy_id=policy,
            period__expiration__lte=before,
            status__in=(completed, estimated),
            final_result__isnull=False,
        )
        .exclude(type=interim)
        .order_by("-period__expiration", "-id")
        .values_list("final_result__worksheet", "final_result__result")[:1]
    )


def unreconciled(audit: Audit) -> list[str]:
    """The tax filings the audit's register does not reconcile to, in words."""
    return [
        f"{c.quarter} {c.figure}: {usd_of_cents(c.unexplained)} unexplained, over the "
        f"{usd_of_cents(c.tolerance)} tolerance"
        for c in audit_reconciliation(audit)
        if c.flagged
    ]


def flag_probes(audit: Audit) -> dict[str, Probe]:
    """The tables ``flags_for`` reads only where they hold rows for this audit."""
    return {
        "decisions": (FlagDecision, "audit", audit.pk),
        "imports": (PayrollImport, "audit", audit.pk),
    }


def flags_for(
    audit: Audit, result: dict[str, Any] | None, worksheet: dict[str, Any] | None = None
) -> list[FlagRow]:
    """The flags of the audit rated as ``result`` (the page's working result), each with its
    latest decision. None before there is a result, or while nothing is audited yet. A caller
    that has the worksheet rated (as JSON) passes it, so it is not read or built again."""
    if worksheet is None and result is not None:
        worksheet = _worksheet(audit)
    if worksheet is None or result is None:
        return []
    facts = worksheet["audited"]
    if result.get("audit_type") != "estimated" and not any(facts.get(k) for k in facts):
        return []
    has = holding(**flag_probes(audit))
    inputs = Inputs(
        Audited(worksheet, result),
        prior_rating(audit),
        unreconciled(audit) if has["imports"] else [],
        rules(clock.today()),
    )
    decisions = FlagDecision.objects.filter(audit=audit).select_related("by")
    decided = {d.key: d for d in rows_if(has["decisions"], decisions)}
    return [FlagRow(flag, decided.get(flag.key)) for flag in detect(inputs)]
