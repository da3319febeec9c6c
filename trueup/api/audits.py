"""Audits in the JSON API: list, read, act on, enter payroll facts, rate, read the result, and
decide its anomaly flags."""

# No `from __future__ import annotations` here: Django Ninja reads the list's query parameters
# through the pagination wrapper, whose module cannot resolve names such as `date` from strings.
import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.params import HeaderEx, P
from ninja.responses import Status

from trueup.accounts.models import Role, User
from trueup.anomalies.selectors import flags_for
from trueup.anomalies.services import flag_decide
from trueup.api.common import Error, Input, Money, Page, answers
from trueup.audits import facts, services
from trueup.audits.access import audit_for
from trueup.audits.models import Audit, ResultSnapshot
from trueup.audits.scheduling import interim_audit_request
from trueup.audits.selectors import (
    audits_filtered,
    has_facts,
    latest_result,
    with_latest_result,
    working_rating,
)
from trueup.audits.workflow import MOVES
from trueup.core import clock
from trueup.core.errors import NotAllowed
from trueup.flows import results

router = Router(tags=["audits"])
READ_ROLES = frozenset(Role.values)  # every staff role may read audits


class ResultSummary(Schema):
    created_at: Any
    estimated_premium: Decimal
    audited_premium: Decimal
    adjustment: Decimal
    outcome: str
    rulebook_version: str
    rates_version: str
    engine_version: str


class AuditOut(Schema):
    id: int
    policy_number: str
    period_effective: date
    period_expiration: date
    type: str
    method: str
    status: str
    due_date: date | None
    rush: bool
    assignee: str | None
    revision_of: int | None
    refer_to_underwriting: bool
    # Counts every change to the worksheet facts; a replacement of them sends it in If-Match.
    facts_version: int
    result: ResultSummary | None
    # An interim audit's days, both included, and why it was asked for (blank otherwise).
    covers_from: date | None = None
    covers_to: date | None = None
    interim_reason: str = ""

    # Read from an Audit (select_related period__policy and assignee to avoid extra queries).
    @staticmethod
    def resolve_policy_number(audit: Audit) -> str:
        return audit.period.policy.number

    @staticmethod
    def resolve_period_effective(audit: Audit) -> date:
        return audit.period.effective

    @staticmethod
    def resolve_period_expiration(audit: Audit) -> date:
        return audit.period.expiration

    @staticmethod
    def resolve_assignee(audit: Audit) -> str | None:
        return audit.assignee.username if audit.assignee else None

    @staticmethod
    def resolve_revision_of(audit: Audit) -> int | None:
        return audit.revision_of_id

    @staticmethod
    def resolve_result(audit: Audit) -> ResultSnapshot | None:
        return latest_result(audit)


class ActionIn(Input):
    reason: str = ""


class PayrollIn(Input):
    # Amounts as the payroll line keeps them (PayrollEntry): larger ones are 422, not a crash.
    state: str = Field(min_length=2, max_length=2)
    class_code: str = Field("", alias="class", max_length=6)
    employee: str = Field("", max_length=200)
    gross: Money = Field(ge=0)
    overtime_premium: Money = Decimal(0)
    overtime_total: Money = Decimal(0)
    double_time_total: Money = Decimal(0)
    overtime_records: bool = True
    tips: Money = Decimal(0)
    severance: Money = Decimal(0)
    military_pay: Money = Decimal(0)
    section_125: Money = Decimal(0)
    deferred_401k: Money = Decimal(0)
    employer_benefits: Money = Decimal(0)
    reimbursements_substantiated: Money = Decimal(0)
    reimbursements_unsubstantiated: Money = Decimal(0)
    meals_lodging: Money = Decimal(0)
    hours: Decimal | None = Field(None, max_digits=10, decimal_places=2)
    hourly_rate: Decimal | None = Field(None, max_digits=10, decimal_places=4)
    records_support_division: bool = True
    labor_source: Literal["employee", "casual", "temporary", "leased"] = "employee"
    covered_elsewhere: bool = False
    wrap_up: bool = False
    split_period: date | None = None


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.role not in READ_ROLES:
        raise NotAllowed("this account may not read audits")
    return user


def _audit(user: User, audit_id: int) -> Audit:
    """The audit, if this user may see it (404 otherwise, as if it did not exist)."""
    return audit_for(user, audit_id, ("period__policy", "assignee"))


@router.get("", response=answers(list[AuditOut]))
@paginate(Page)  # slices the queryset: only one page is read
def list_audits(
    request: HttpRequest,
    status: str | None = None,
    type: str | None = None,
    method: str | None = None,
    state: str | None = None,
    assignee: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    overdue: bool = False,
    rush: bool = False,
) -> QuerySet[Audit]:
    """Audits this account may see, by due date; the filters are the worklist's."""
    user = _user(request)
    filters = {
        "type": type,
        "method": method,
        "state": (state or "").upper(),
        "assignee": assignee,
        "due_from": due_from,
        "due_to": due_to,
        "overdue": overdue,
        "rush": rush,
    }
    audits = audits_filtered(user, filters, clock.today())
    if status:
        audits = audits.filter(status=status)
    return with_latest_result(audits.select_related("period__policy", "assignee")).order_by(
        "due_date", "id"
    )


@router.get("/{audit_id}", response=answers(AuditOut))
def get_audit(request: HttpRequest, audit_id: int) -> AuditOut:
    return AuditOut.from_orm(_audit(_user(request), audit_id))


@router.get("/{audit_id}/result", response=answers(dict[str, Any]))
def get_result(request: HttpRequest, audit_id: int) -> dict[str, Any]:
    """The audit's result with every figure's reasons (the engine's result): the final one once
    the audit is final, before that its latest rating."""
    audit = _audit(_user(request), audit_id)
    snapshot = audit.final_result or audit.latest_result
    if snapshot is None:
        raise services.IllegalTransition("the audit has not been rated yet")
    result: dict[str, Any] = snapshot.result
    return result


if TYPE_CHECKING:
    Action = str
else:
    # The workflow's moves, which the API's schema lists; mypy cannot read a Literal made from
    # a tuple, so it checks the name as the text it is.
    Action = Literal[MOVES]


@router.post("/{audit_id}/actions/{action}", response=answers(AuditOut))
def act(request: HttpRequest, audit_id: int, action: Action, payload: ActionIn) -> AuditOut:
    """Move the audit: 403 when the user may not, 409 when the audit's status does not allow it.
    ``revise`` answers with the new revision."""
    user = _user(request)
    moved = results.audit_act(
        audit=_audit(user, audit_id), by=user, action=action, reason=payload.reason
    )
    return AuditOut.from_orm(_audit(user, moved.pk))


class InterimIn(Input):
    covers_to: date = Field(description="The last day the interim audit covers, within the term")
    reason: Literal["underwriter_request", "bankruptcy"]


@router.post("/{audit_id}/interim", response=answers(AuditOut, 201))
def request_interim(request: HttpRequest, audit_id: int, payload: InterimIn) -> Status[AuditOut]:
    """Ask for an interim audit of the audit's period (underwriter or audit manager): it covers
    the term from its first day, or the day after the last interim audit, to ``covers_to``."""
    user = _user(request)
    made = interim_audit_request(
        period=_audit(user, audit_id).period,
        covers_to=payload.covers_to,
        reason=payload.reason,
        by=user,
    )
    return Status(201, AuditOut.from_orm(_audit(user, made.pk)))


def _facts_version(if_match: str | None) -> int | None:
    """The facts_version an If-Match header carries: "7", W/"7" or 7 (None: none is given)."""
    found = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', if_match or "")
    return int(found[1]) if found else None


@router.put("/{audit_id}/payroll", response={**answers(dict[str, int]), 428: Error})
def replace_payroll(
    request: HttpRequest,
    audit_id: int,
    payload: list[PayrollIn],
    if_match: HeaderEx[
        str | None,
        P(
            alias="If-Match",
            description="the audit's facts_version the lines were made from (428 without it)",
        ),
    ] = None,
) -> dict[str, int] | HttpResponse:
    """Replace the audit's payroll lines, all or nothing. ``If-Match`` carries the audit's
    ``facts_version`` the lines were made from (``GET /api/audits/{id}``): 428 without it, 409
    with the current ``facts_version`` if the facts changed since. The answer gives the new one.
    """
    user = _user(request)
    audit = _audit(user, audit_id)
    if not services.may(user, "edit_facts"):
        raise NotAllowed("this account may not enter audit facts")
    expected = _facts_version(if_match)
    if expected is None:
        # Without the version, this replacement could silently undo changes made since it was
        # prepared: say how to send it.
        return JsonResponse(
            {
                "code": "precondition_required",
                "message": "say which version of the audit's facts this payroll was made from: "
                f"read facts_version with GET /api/audits/{audit_id} and send it as "
                'If-Match: "<facts_version>"',
            },
            status=428,
        )
    count = facts.audit_payroll_replace(
        audit=audit,
        by=user,
        lines=[line.model_dump() for line in payload],
        expected_facts_version=expected,
    )
    # The replacement was one change, made under the audit's lock from the version expected.
    return {"lines": count, "facts_version": expected + 1}


@router.post("/{audit_id}/rate", response=answers(ResultSummary))
def rate(request: HttpRequest, audit_id: int) -> ResultSummary:
    """Rate the audit's facts now; 422 lists every problem by worksheet path."""
    user = _user(request)
    if not services.may(user, "edit_facts"):
        raise NotAllowed("this account may not rate audits")
    snapshot = services.audit_rate(audit=_audit(user, audit_id), by=user)
    return ResultSummary.model_validate(snapshot, from_attributes=True)


class FlagDecisionOut(Schema):
    decision: Literal["accepted", "dismissed"]
    reason: str
    by: str
    at: Any


class FlagOut(Schema):
    key: str = Field(description="The flag within the audit: a decision names it")
    code: str
    title: str
    text: str
    source: str
    state: str
    class_code: str
    decision: FlagDecisionOut | None


class FlagDecisionIn(Input):
    key: str
    decision: Literal["accepted", "dismissed"]
    reason: str


def _decision_out(made: Any) -> FlagDecisionOut:
    return FlagDecisionOut(
        decision=made.decision, reason=made.reason, by=made.by.username, at=made.at
    )


@router.get("/{audit_id}/flags", response=answers(list[FlagOut]))
def list_flags(request: HttpRequest, audit_id: int) -> list[FlagOut]:
    """The audit's anomaly flags, from the rating its page shows, each with its latest
    decision."""
    audit = _audit(_user(request), audit_id)
    working = working_rating(audit, has_facts(audit))
    return [
        FlagOut(
            key=row.flag.key,
            code=row.flag.code,
            title=row.flag.title,
            text=row.flag.text,
            source=row.flag.source,
            state=row.flag.state,
            class_code=row.flag.class_code,
            decision=_decision_out(row.decision) if row.decision else None,
        )
        for row in flags_for(audit, working.result, working.worksheet)
    ]


@router.post("/{audit_id}/flags", response=answers(FlagDecisionOut, 201))
def decide_flag(
    request: HttpRequest, audit_id: int, payload: FlagDecisionIn
) -> Status[FlagDecisionOut]:
    """Accept or dismiss one of the audit's flags, with a reason: 409 once the audit is final or
    when the flag is no longer raised."""
    user = _user(request)
    made = flag_decide(
        audit=_audit(user, audit_id),
        key=payload.key,
        decision=payload.decision,
        reason=payload.reason,
        by=user,
    )
    return Status(201, _decision_out(made))
