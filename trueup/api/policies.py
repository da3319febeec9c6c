"""Policies in the JSON API: policy-admin systems upsert insureds, policies and periods with
their estimated exposures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema
from pydantic import model_validator

from trueup.accounts.models import Role, User
from trueup.api.common import Input, Money, answers
from trueup.core.errors import InvalidInput, NotAllowed, Problem
from trueup.policies.models import EstimatedExposure, Insured, Policy, PolicyPeriod
from trueup.rating.rulebook import default_rulebook
from trueup.rating.validate import state_refusal

router = Router(tags=["policies"])
WRITE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


class InsuredIn(Input):
    name: str = Field(min_length=1, max_length=200)
    fein: str = Field("", max_length=10)
    entity_type: Literal["corporation", "llc", "partnership", "sole_proprietor", "other"]


class EstimateIn(Input):
    state: str = Field(min_length=2, max_length=2)
    class_code: str = Field(alias="class", min_length=1, max_length=6)
    basis: str = Field("payroll", min_length=1, max_length=20)
    exposure: Money = Field(ge=0)


class ModIn(Input):
    # An experience modification factor: 0.0001 to 9.9999 (0.85, 1.12 …).
    factor: Decimal = Field(gt=0, max_digits=5, decimal_places=4)
    effective: date
    state: str | None = Field(None, min_length=2, max_length=2)


class PeriodIn(Input):
    effective: date
    expiration: date
    states: list[Annotated[str, Field(min_length=2, max_length=2)]] = Field(min_length=1)
    cancellation_date: date | None = None
    cancellation_basis: Literal["", "pro_rata", "short_rate"] = ""
    experience_mods: list[ModIn] = []
    premium_discount: bool = True
    assigned_risk: bool = False
    deposit_premium: Money | None = None
    billed_premium: Money | None = None
    estimates: list[EstimateIn] = Field(min_length=1)

    @model_validator(mode="after")
    def expires_after_it_starts(self) -> PeriodIn:
        if self.expiration <= self.effective:
            raise ValueError("expiration must be after effective")
        return self


class PolicyIn(Input):
    line: Literal["WC", "GL"]
    insured: InsuredIn
    periods: list[PeriodIn] = Field(min_length=1)


class PolicyOut(Schema):
    number: str
    line: str
    insured: str
    periods: list[dict[str, Any]]


def _out(policy: Policy) -> PolicyOut:
    periods = [
        {
            "effective": p.effective,
            "expiration": p.expiration,
            "states": p.states,
            "estimates": [
                {"state": e.state, "class": e.class_code, "basis": e.basis, "exposure": e.exposure}
                for e in p.estimates.order_by("id")
            ],
        }
        for p in policy.periods.order_by("effective")
    ]
    return PolicyOut(
        number=policy.number, line=policy.line, insured=policy.insured.name, periods=periods
    )


# A policy number as the policy keeps it (Policy.number).
PolicyNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]


@router.put("/{number}", response=answers(PolicyOut))
def upsert_policy(request: HttpRequest, number: PolicyNumber, payload: PolicyIn) -> PolicyOut:
    """Create or update a policy, its insured and its periods; a period's estimates are replaced
    by those sent. All or nothing."""
    user = request.user
    assert isinstance(user, User)
    if user.role not in WRITE_ROLES:
        raise NotAllowed("this account may not change policies")
    refused = _refused_states(payload)
    if refused:
        raise InvalidInput(refused)
    with transaction.atomic():
        # The FEIN identifies an insured when given; otherwise its name does.
        lookup: dict[str, Any] = (
            {"fein": payload.insured.fein}
            if payload.insured.fein
            else {"name": payload.insured.name}
        )
        insured, _ = Insured.objects.update_or_create(
            defaults={"name": payload.insured.name, "entity_type": payload.insured.entity_type},
            **lookup,
        )
        policy, _ = Policy.objects.update_or_create(
            number=number, defaults={"insured": insured, "line": payload.line}
        )
        for given in payload.periods:
            period, _ = PolicyPeriod.objects.update_or_create(
                policy=policy,
                effective=given.effective,
                defaults={
                    "expiration": given.expiration,
                    "states": [s.upper() for s in given.states],
                    "cancellation_date": given.cancellation_date,
                    "cancellation_basis": given.cancellation_basis,
                    "experience_mods": [
                        {
                            "factor": str(m.factor),
                            "effective": m.effective.isoformat(),
                            **({"state": m.state} if m.state else {}),
                        }
                        for m in given.experience_mods
                    ],
                    "premium_discount": given.premium_discount,
                    "assigned_risk": given.assigned_risk,
                    "deposit_premium": given.deposit_premium,
                    "billed_premium": given.billed_premium,
                },
            )
            period.estimates.all().delete()
            EstimatedExposure.objects.bulk_create(
                EstimatedExposure(
                    period=period,
                    state=e.state.upper(),
                    class_code=e.class_code,
                    basis=e.basis,
                    exposure=e.exposure,
                )
                for e in given.estimates
            )
    return _out(policy)


def _refused_states(payload: PolicyIn) -> list[Problem]:
    """Each period's states that cannot be rated: no rule book, or WC where a state fund writes
    all of it. Said before anything is written."""
    book = default_rulebook()
    return [
        Problem(f"periods[{i}].states[{j}]", refusal)
        for i, period in enumerate(payload.periods)
        for j, state in enumerate(period.states)
        if (refusal := state_refusal(book, state.upper(), payload.line))
    ]


@router.get("/{number}", response=answers(PolicyOut))
def get_policy(request: HttpRequest, number: PolicyNumber) -> PolicyOut:
    user = request.user
    assert isinstance(user, User)
    policies = Policy.objects.select_related("insured")
    if user.vendor_id is not None:
        # A vendor firm sees the policies whose audits are assigned to it, and no others.
        policies = policies.filter(periods__audits__vendor_id=user.vendor_id).distinct()
    return _out(get_object_or_404(policies, number=number))
