"""An audit's records → the rating engine's worksheet. The fact models carry the engine's field
names, so each fact is copied field by field."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

from trueup.audits.models import Audit, AuditType
from trueup.audits.workflow import Status
from trueup.policies.models import PolicyPeriod
from trueup.rating import worksheet as ws

T = TypeVar("T")
# The engine's audit types; a premium report is rated like an interim audit.
ENGINE_TYPES = {"premium_report": "interim", "waived": "final"}


def _fact(cls: type[T], row: models.Model) -> T:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = getattr(row, field.name)
        # Blank text in the database is "not given" to the engine.
        values[field.name] = None if value == "" and field.default is None else value
    return cls(**values)


def engine_mods(rows: Iterable[dict[str, Any]]) -> tuple[ws.ExperienceMod, ...]:
    """A period's experience mods as stored (factor, effective, state) as the engine reads them."""
    return tuple(
        ws.ExperienceMod(
            Decimal(str(m["factor"])), date.fromisoformat(m["effective"]), m.get("state")
        )
        for m in rows
    )


def period_worksheet(period: PolicyPeriod) -> ws.Worksheet:
    """The period as the engine reads it: the policy and its estimate, no audited facts yet."""
    policy = period.policy
    cancellation = None
    if period.cancellation_date is not None:
        cancellation = ws.Cancellation(period.cancellation_date, period.cancellation_basis)
    engine_policy = ws.Policy(
        line=policy.line,
        number=policy.number,
        effective=period.effective,
        expiration=period.expiration,
        states=tuple(period.states),
        insured_name=policy.insured.name,
        cancellation=cancellation,
        experience_mods=engine_mods(period.experience_mods),
        premium_discount=period.premium_discount,
        assigned_risk=period.assigned_risk,
        deposit_premium=period.deposit_premium,
        billed_premium=period.billed_premium,
        gl_audit=period.gl_audit,
    )
    estimated = tuple(
        ws.Estimate(e.state, e.class_code, e.exposure, e.basis) for e in period.estimates.all()
    )
    return ws.Worksheet(engine_policy, estimated, ws.AuditFacts())


def worksheet_for(audit: Audit) -> ws.Worksheet:
    sheet = period_worksheet(audit.period)
    is_estimated = audit.status == Status.ESTIMATED
    facts = ws.AuditFacts()
    if not is_estimated:
        facts = ws.AuditFacts(
            payroll=tuple(_fact(ws.PayrollLine, row) for row in audit.payroll.all()),
            owners=tuple(_fact(ws.Owner, row) for row in audit.owners.all()),
            subcontractors=tuple(
                _fact(ws.Subcontractor, row) for row in audit.subcontractors.all()
            ),
            gl_exposures=tuple(_fact(ws.GLExposure, row) for row in audit.gl_exposures.all()),
        )
    engine_audit = ws.Audit(
        type="estimated" if is_estimated else ENGINE_TYPES.get(audit.type, audit.type),
        non_compliance_multiplier=audit.non_compliance_multiplier,
        audit_costs=audit.audit_costs,
    )
    policy = dataclasses.replace(sheet.policy, interim=_interim(audit))
    return dataclasses.replace(sheet, policy=policy, audited=facts, audit=engine_audit)


def _interim(audit: Audit) -> ws.Interim | None:
    """The days an interim audit covers (its last day included), which the engine rates as part
    of the term: the estimate prorated to them, the term's annual charges earned for them."""
    if audit.type != AuditType.INTERIM or not (audit.covers_from and audit.covers_to):
        return None
    return ws.Interim(audit.covers_from, audit.covers_to + timedelta(days=1))


# What ``worksheet_for`` reads of an audit, fetched for many audits at once: a few queries for a
# whole chunk of a book-level batch instead of several per audit.
WORKSHEET_RELATED = ("period__policy__insured",)
WORKSHEET_PREFETCH = ("period__estimates", "payroll", "owners", "subcontractors", "gl_exposures")


def audits_for_worksheets(audit_ids: Iterable[int]) -> QuerySet[Audit]:
    """The audits with everything ``worksheet_for`` reads of them, in a few queries for all."""
    return (
        Audit.objects.filter(pk__in=list(audit_ids))
        .select_related(*WORKSHEET_RELATED)
        .prefetch_related(*WORKSHEET_PREFETCH)
        .order_by("pk")
    )


def worksheets_for(audit_ids: Iterable[int]) -> dict[int, ws.Worksheet]:
    """``worksheet_for`` of many audits, by id: the same worksheets, read with one query per
    kind of record rather than several queries per audit. Ids with no audit are left out."""
    # The prefetched rows come in each model's own order, so worksheet_for reads them as it
    # would one audit at a time.
    return {audit.pk: worksheet_for(audit) for audit in audits_for_worksheets(audit_ids)}
