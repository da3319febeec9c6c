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
from trueup.rating import worksheet as ws
from trueup.rating.money import cents

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


def worksheet_for(audit: Audit) -> ws.Worksheet:
    period = audit.period
    policy = period.policy
    cancellation = None
    if period.cancellation_date is not None:
        cancellation = ws.Cancellation(period.cancellation_date, period.cancellation_basis)
    mods = engine_mods(period.experience_mods)
    effective, expiration, share = _span(audit)
    engine_policy = ws.Policy(
        line=policy.line,
        number=policy.number,
        effective=effective,
        expiration=expiration,
        states=tuple(period.states),
        insured_name=policy.insured.name,
        cancellation=cancellation,
        experience_mods=mods,
        premium_discount=period.premium_discount,
        assigned_risk=period.assigned_risk,
        deposit_premium=period.deposit_premium,
        billed_premium=period.billed_premium,
        gl_audit=period.gl_audit,
    )
    estimated = tuple(
        ws.Estimate(e.state, e.class_code, _share(e.exposure, share), e.basis)
        for e in period.estimates.all()
    )
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
    return ws.Worksheet(engine_policy, estimated, facts, engine_audit)


def _share(exposure: Decimal, share: Decimal) -> Decimal:
    return exposure if share == 1 else cents(exposure * share)


def _span(audit: Audit) -> tuple[date, date, Decimal]:
    """The dates the engine rates and the share of the term's estimate they carry: the term, or
    for an interim audit the days it covers (both included), with the estimate pro rata to them."""
    period = audit.period
    if audit.type != AuditType.INTERIM or not (audit.covers_from and audit.covers_to):
        return period.effective, period.expiration, Decimal(1)
    end = audit.covers_to + timedelta(days=1)
    share = Decimal((end - audit.covers_from).days) / (period.expiration - period.effective).days
    return audit.covers_from, end, share


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
