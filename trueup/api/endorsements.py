"""Endorsements in the JSON API: a policy admin system asks for changes to a policy period and
takes the endorsements made (issued, awaiting review, reversed), each with its premium effect."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from trueup.accounts.models import User
from trueup.api.common import Input, Page, answers
from trueup.endorsements.models import Endorsement
from trueup.endorsements.selectors import endorsements_of, periods_visible_to
from trueup.endorsements.services import (
    endorsement_approve,
    endorsement_request,
    endorsement_reverse,
)
from trueup.policies.models import PolicyPeriod

router = Router(tags=["endorsements"])
# A policy number as the policy keeps it (Policy.number).
PolicyNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[^\x00]+$")]
PATH = "/policies/{number}/periods/{period_id}/endorsements"

# Every kind but the audit's own, which the audit issues.
RequestKind = Literal[
    "class_add",
    "class_remove",
    "state_add",
    "state_remove",
    "exposure_change",
    "officer_include",
    "officer_exclude",
    "officer_elect",
    "mod_change",
    "schedule_rating_change",
    "insured_correction",
]


class EndorsementIn(Input):
    kind: RequestKind
    effective: date
    change: dict[str, Any] = Field(
        description="What changes: state, class and exposure; name, state, class and payroll "
        "of an officer; factor (and state) of a mod or schedule rating; name, fein or "
        "entity_type of the insured"
    )
    reason: str = Field(max_length=2000)


class ApprovalIn(Input):
    reason: str = Field("", max_length=2000, description="Why it is approved (optional)")


class ReversalIn(Input):
    reason: str = Field(max_length=2000, description="Why the endorsement is reversed")


class EndorsementOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective: date
    change: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    premium_effect: Decimal
    premium_reasons: list[str]
    status: str
    audit: int | None
    reverses: int | None
    made_by: str | None
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(endorsement: Endorsement) -> str:
        return str(endorsement.get_kind_display())

    @staticmethod
    def resolve_audit(endorsement: Endorsement) -> int | None:
        return endorsement.audit_id

    @staticmethod
    def resolve_reverses(endorsement: Endorsement) -> int | None:
        return endorsement.reverses_id

    @staticmethod
    def resolve_made_by(endorsement: Endorsement) -> str | None:
        return endorsement.made_by.username if endorsement.made_by else None


def _period(request: HttpRequest, number: str, period_id: int) -> tuple[User, PolicyPeriod]:
    """The period, if this account may see its policy (404 otherwise, as if it did not
    exist)."""
    user = request.user
    assert isinstance(user, User)
    period = get_object_or_404(
        periods_visible_to(user).select_related("policy__insured"),
        pk=period_id,
        policy__number=number,
    )
    return user, period


@router.post(PATH, response=answers(EndorsementOut, 201))
def create_endorsement(
    request: HttpRequest, number: PolicyNumber, period_id: int, payload: EndorsementIn
) -> Status[Endorsement]:
    """Ask for a change to the period: issued at once (and applied to the period's estimate)
    when its premium effect is within this account's authority, else awaiting a reviewer."""
    user, period = _period(request, number, period_id)
    made = endorsement_request(
        period=period,
        kind=payload.kind,
        effective=payload.effective,
        change=payload.change,
        by=user,
        reason=payload.reason,
    )
    return Status(201, made)


@router.get(PATH, response=answers(list[EndorsementOut]))
@paginate(Page)
def list_endorsements(request: HttpRequest, number: str, period_id: int) -> Any:
    """The period's endorsements, by effective date."""
    # A plain str: the page's wrapper is read outside this module, where the alias is unknown;
    # a number no policy has is 404 all the same.
    _, period = _period(request, number, period_id)
    found: QuerySet[Endorsement] = endorsements_of(period)
    return found


@router.get(PATH + "/{endorsement_id}", response=answers(EndorsementOut))
def get_endorsement(
    request: HttpRequest, number: PolicyNumber, period_id: int, endorsement_id: int
) -> Endorsement:
    _, period = _period(request, number, period_id)
    return get_object_or_404(endorsements_of(period), pk=endorsement_id)


def _endorsement(
    request: HttpRequest, number: str, period_id: int, endorsement_id: int
) -> tuple[User, Endorsement]:
    user, period = _period(request, number, period_id)
    return user, get_object_or_404(endorsements_of(period), pk=endorsement_id)


@router.post(PATH + "/{endorsement_id}/approve", response=answers(EndorsementOut))
def approve_endorsement(
    request: HttpRequest,
    number: PolicyNumber,
    period_id: int,
    endorsement_id: int,
    payload: ApprovalIn,
) -> Endorsement:
    """Issue an endorsement awaiting review (and apply it to the period's estimate): a reviewer
    within their authority who did not make it."""
    user, endorsement = _endorsement(request, number, period_id, endorsement_id)
    return endorsement_approve(endorsement=endorsement, by=user, reason=payload.reason)


@router.post(PATH + "/{endorsement_id}/reverse", response=answers(EndorsementOut, 201))
def reverse_endorsement(
    request: HttpRequest,
    number: PolicyNumber,
    period_id: int,
    endorsement_id: int,
    payload: ReversalIn,
) -> Status[Endorsement]:
    """Undo an issued endorsement with a correcting one (answered, 201): the original becomes
    reversed and the period is put back."""
    user, endorsement = _endorsement(request, number, period_id, endorsement_id)
    return Status(201, endorsement_reverse(endorsement=endorsement, by=user, reason=payload.reason))
