"""Every write to an endorsement: asked for, issued within the maker's authority or left for a
reviewer, approved, reversed by a correcting endorsement. Each move leaves a status-change row;
the premium effect is rated by the engine, pro rata from the effective date."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, Coverage, OwnerRole, ResultSnapshot
from trueup.audits.workflow import ACTIONS_BY_NAME
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused
from trueup.core.money import usd_cents
from trueup.endorsements.models import (
    Endorsement,
    EndorsementStatus,
    EndorsementStatusChange,
    Kind,
)
from trueup.endorsements.selectors import (
    Terms,
    coverage_ends,
    estimated_premium,
    key,
    officer_payroll,
    terms_of,
)
from trueup.policies.models import EntityType, EstimatedExposure, Insured, PolicyPeriod
from trueup.rating import worksheet as ws
from trueup.rating.money import cents
from trueup.rating.rulebook import default_rulebook
from trueup.rating.validate import state_refusal
from trueup.reference.selectors import rates_in_use

ZERO = Decimal(0)
# Who asks for an endorsement: the workflow's preparers (who document an audit), and the
# underwriter, who changes the renewal's terms.
REQUEST_ROLES = ACTIONS_BY_NAME["document"].roles | {Role.UNDERWRITER}
# Who approves one above its maker's authority, or reverses an issued one.
APPROVE_ROLES = ACTIONS_BY_NAME["approve"].roles
INSURED_NAME_LENGTH = Insured._meta.get_field("name").max_length or 200
FEIN = re.compile(r"\d{2}-?\d{7}")
# An experience mod as the policies API takes it: above 0, below 10.
MOD_LIMIT = Decimal(10)
# Factors are kept to four decimal places, as the policies API takes a mod.
FACTOR = Decimal("0.0001")


# What a kind makes of a change: the problems found, how the terms change and the words for it.
Made = tuple[list[Problem], Callable[[Terms], Terms], str]
KindCheck = Callable[[PolicyPeriod, Terms, date, Mapping[str, Any]], Made]


def _status_change(
    endorsement: Endorsement, from_status: str, to_status: str, by: User | None, reason: str
) -> None:
    EndorsementStatusChange.objects.create(
        endorsement=endorsement,
        from_status=from_status,
        to_status=to_status,
        by=by,
        reason=reason,
    )


def _check_role(by: User, roles: frozenset[str], verb: str) -> None:
    if not by.is_active or by.role not in roles:
        raise NotAllowed(f"a user with the {by.get_role_display()} role may not {verb}")


# --- reading the change ------------------------------------------------------------------


def _amount(change: Mapping[str, Any], name: str, problems: list[Problem]) -> Decimal:
    try:
        value = Decimal(str(change.get(name)))
    except (InvalidOperation, ValueError):
        problems.append(Problem(f"change.{name}", "enter an amount, such as 120000"))
        return ZERO
    if not value.is_finite() or value <= 0 or value >= Decimal(10) ** 12:
        problems.append(Problem(f"change.{name}", "must be a positive amount"))
        return ZERO
    return cents(value)


def _text(change: Mapping[str, Any], name: str, problems: list[Problem]) -> str:
    value = change.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(f"change.{name}", "is required"))
        return ""
    return value.strip()


def _state(
    change: Mapping[str, Any], terms: Terms, problems: list[Problem], *, on_policy: bool = True
) -> str:
    state = _text(change, "state", problems).upper()
    if state and on_policy and state not in terms.states:
        problems.append(Problem("change.state", f"{state} is not a state of this policy period"))
    return state


def _class(
    change: Mapping[str, Any],
    period: PolicyPeriod,
    state: str,
    effective: date,
    problems: list[Problem],
) -> str:
    code = _text(change, "class", problems)
    line = period.policy.line
    if code and state and rates_in_use().lookup(state, line, code, effective) is None:
        problems.append(
            Problem("change.class", f"class {code} has no {state} {line} rate in the rate table")
        )
    return code


def _on_estimate(terms: Terms, state: str, code: str, problems: list[Problem]) -> None:
    if state and code and key(state, code) not in terms.estimates:
        problems.append(Problem("change.class", f"class {code} is not on the estimate for {state}"))


# --- the kinds ---------------------------------------------------------------------------


def _class_add(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems)
    code = _class(change, period, state, effective, problems)
    exposure = _amount(change, "exposure", problems)
    if state and code and key(state, code) in terms.estimates:
        problems.append(Problem("change.class", f"class {code} is already on the estimate"))
    return problems, lambda t: t.with_estimate(state, code, exposure), f"class {code} added"


def _class_remove(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems)
    code = _text(change, "class", problems)
    _on_estimate(terms, state, code, problems)
    return problems, lambda t: t.with_estimate(state, code, None), f"class {code} removed"


def _state_add(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems, on_policy=False)
    refusal = state and state_refusal(default_rulebook(), state, period.policy.line)
    if refusal:
        problems.append(Problem("change.state", refusal))
    elif state in terms.states:
        problems.append(Problem("change.state", f"{state} is already a state of this period"))
    code = _class(change, period, state, effective, problems)
    exposure = _amount(change, "exposure", problems)

    def make(t: Terms) -> Terms:
        return t.with_state(state).with_estimate(state, code, exposure)

    return problems, make, f"{state} added with class {code}"


def _state_remove(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems)
    if state and terms.states == [state]:
        problems.append(Problem("change.state", "the period's only state cannot be removed"))

    def make(t: Terms) -> Terms:
        for s, code in [k.split(" ") for k in t.estimates if k.startswith(f"{state} ")]:
            t = t.with_estimate(s, code, None)
        return t.without_state(state)

    return problems, make, f"{state} removed"


def _exposure_change(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems)
    code = _text(change, "class", problems)
    _on_estimate(terms, state, code, problems)
    exposure = _amount(change, "exposure", problems)
    return (
        problems,
        lambda t: t.with_estimate(state, code, exposure),
        f"class {code} estimated exposure changed",
    )


def _officer(sign: int, verb: str, coverage: str) -> KindCheck:
    """Include, exclude or elect an officer or owner: their payroll, as the engine counts it
    with the state's limits, joins or leaves their class's estimate."""

    def kind(
        period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
    ) -> Made:
        problems: list[Problem] = []
        if period.policy.line != "WC":
            problems.append(Problem("kind", "officers' coverage is a workers' compensation change"))
        name = _text(change, "name", problems)
        role = str(change.get("role") or OwnerRole.EXECUTIVE_OFFICER)
        if role not in OwnerRole.values:
            problems.append(Problem("change.role", f"must be one of {', '.join(OwnerRole.values)}"))
        state = _state(change, terms, problems)
        code = _text(change, "class", problems)
        _on_estimate(terms, state, code, problems)
        payroll = _amount(change, "payroll", problems)
        if problems:
            return problems, lambda t: t, ""
        owner = ws.Owner(name, role, state, code, payroll, coverage=coverage)
        counted, why = officer_payroll(period, terms, owner)
        now = terms.exposure(state, code)
        if sign < 0 and counted > now:
            problems.append(
                Problem(
                    "change.payroll",
                    f"counts as {usd_cents(counted)}, more than the class's estimated "
                    f"{usd_cents(now)}",
                )
            )
        # The engine's reasons for the payroll counted follow the summary, a line each.
        words = "\n".join(
            [f"{name} {verb} (class {code} payroll counted {usd_cents(counted)})", *why]
        )
        return problems, lambda t: t.with_estimate(state, code, now + sign * counted), words

    return kind


def _factor(
    change: Mapping[str, Any], low: Decimal, high: Decimal, problems: list[Problem]
) -> Decimal | None:
    try:
        factor = Decimal(str(change.get("factor")))
    except (InvalidOperation, ValueError):
        factor = Decimal("NaN")
    if not factor.is_finite() or not low < factor < high or factor != factor.quantize(FACTOR):
        problems.append(
            Problem(
                "change.factor",
                f"must be a number above {low} and below {high}, to at most 4 decimal places",
            )
        )
        return None
    return factor


def _mod_change(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems) if change.get("state") else None
    factor = _factor(change, ZERO, MOD_LIMIT, problems)
    return (
        problems,
        lambda t: t.with_mod(factor, state, effective),
        f"experience mod {factor}" + (f" in {state}" if state else ""),
    )


def _schedule_change(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    state = _state(change, terms, problems)
    factor = _factor(change, Decimal(-1), Decimal(1), problems)
    return (
        problems,
        lambda t: t.with_schedule(state, factor),
        f"schedule rating {factor} in {state}",
    )


def _insured_correction(
    period: PolicyPeriod, terms: Terms, effective: date, change: Mapping[str, Any]
) -> Made:
    problems: list[Problem] = []
    fields = {k: change[k] for k in ("name", "fein", "entity_type") if k in change}
    if not fields:
        problems.append(Problem("change", "give the name, fein or entity_type to correct"))
    for name, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(f"change.{name}", "is required"))
        elif len(value.strip()) > INSURED_NAME_LENGTH:
            problems.append(Problem(f"change.{name}", "is too long"))
    if isinstance(fields.get("fein"), str) and not FEIN.fullmatch(fields["fein"].strip()):
        problems.append(Problem("change.fein", "a FEIN has nine digits, such as 35-1234567"))
    entity = fields.get("entity_type")
    if isinstance(entity, str) and entity not in EntityType.values:
        problems.append(
            Problem("change.entity_type", f"must be one of {', '.join(EntityType.values)}")
        )
    clean = {k: str(v).strip() for k, v in fields.items()}
    return problems, lambda t: t.with_insured(clean), "insured corrected"


KINDS: dict[str, KindCheck] = {
    Kind.CLASS_ADD: _class_add,
    Kind.CLASS_REMOVE: _class_remove,
    Kind.STATE_ADD: _state_add,
    Kind.STATE_REMOVE: _state_remove,
    Kind.EXPOSURE_CHANGE: _exposure_change,
    Kind.OFFICER_INCLUDE: _officer(1, "included", Coverage.INCLUDED),
    Kind.OFFICER_EXCLUDE: _officer(-1, "excluded", Coverage.INCLUDED),
    Kind.OFFICER_ELECT: _officer(1, "elected", Coverage.ELECTED),
    Kind.MOD_CHANGE: _mod_change,
    Kind.SCHEDULE_RATING_CHANGE: _schedule_change,
    Kind.INSURED_CORRECTION: _insured_correction,
}


# --- asking for one ------------------------------------------------------------------------


def _check_effective(period: PolicyPeriod, effective: Any) -> list[Problem]:
    if not isinstance(effective, date):
        return [Problem("effective", "enter a date, such as 2025-07-01")]
    ends = coverage_ends(period)
    if not period.effective <= effective < ends:
        cancelled = " (its cancellation date)" if ends != period.expiration else ""
        return [
            Problem(
                "effective",
                f"must be within the period: from {period.effective} to before {ends}{cancelled}",
            )
        ]
    return []


def _effect(
    period: PolicyPeriod, before: Terms, after: Terms, effective: date, words: str
) -> tuple[Decimal, list[str], Decimal]:
    """The premium effect of going from ``before`` to ``after`` on ``effective``: the engine's
    annual difference, pro rata for the days left in the term, rounded once to cents (half up).
    Returns it with its reasons and the annual estimated premium before."""
    premium_before = estimated_premium(period, before)
    premium_after = estimated_premium(period, after)
    annual = premium_after - premium_before
    days = (period.expiration - period.effective).days
    left = (coverage_ends(period) - effective).days  # in force until cancelled, if it was
    effect = cents(annual * left / days)
    summary, *notes = words.split("\n")
    reasons = [
        f"{summary} from {effective}: {usd_cents(annual)} annual × {left}/{days} days",
        *notes,
        f"estimated annual premium {usd_cents(premium_before)} before, "
        f"{usd_cents(premium_after)} after (rated by the engine)",
    ]
    return effect, reasons, premium_before


@transaction.atomic
def endorsement_request(
    *,
    period: PolicyPeriod,
    kind: str,
    effective: date,
    change: Mapping[str, Any],
    by: User,
    reason: str,
    audit: Audit | None = None,
) -> Endorsement:
    """Ask for a change to the period: issued at once when its premium effect is within the
    maker's authority (and applied to the period's estimate), else left for a reviewer."""
    _check_role(by, REQUEST_ROLES, "make an endorsement")
    if kind == Kind.AUDIT:
        raise InvalidInput([Problem("kind", "the audit endorsement is issued by the audit")])
    if kind not in KINDS:
        raise InvalidInput([Problem("kind", f"must be one of {', '.join(map(str, KINDS))}")])
    if not isinstance(change, Mapping):
        raise InvalidInput([Problem("change", "must be an object")])
    # Locked: endorsements of one period are made one at a time, each from the terms the last
    # one left.
    period = (
        PolicyPeriod.objects.select_for_update(of=("self",))
        .select_related("policy__insured")
        .get(pk=period.pk)
    )
    problems = _check_effective(period, effective)
    if not reason.strip():
        problems.append(Problem("reason", "say why the policy changes"))
    terms = terms_of(period)
    kind_problems, make, words = KINDS[Kind(kind)](
        period, terms, effective if not problems else period.effective, change
    )
    problems += kind_problems
    if problems:
        raise InvalidInput(problems)
    after = make(terms)
    if kind == Kind.INSURED_CORRECTION:
        effect, reasons, premium = ZERO, ["no premium effect: the insured's details only"], ZERO
    else:
        effect, reasons, premium = _effect(period, terms, after, effective, words)
    endorsement = Endorsement.objects.create(
        period=period,
        kind=kind,
        effective=effective,
        change=dict(change),
        before=terms.shown(after),
        after=terms.blended(after, period, effective),
        premium_effect=effect,
        premium_reasons=reasons,
        audit=audit,
        made_by=by,
        reason=reason,
    )
    _status_change(endorsement, "", EndorsementStatus.AWAITING_REVIEW, by, reason)
    if by.within_authority(effect, premium):
        _issue(endorsement, by, "within the maker's authority")
    return endorsement


def _issue(endorsement: Endorsement, by: User, reason: str) -> None:
    _apply(endorsement.period, endorsement.after)
    Endorsement.objects.filter(pk=endorsement.pk).update(
        status=EndorsementStatus.ISSUED, applied=True
    )
    _status_change(endorsement, endorsement.status, EndorsementStatus.ISSUED, by, reason)
    endorsement.status = EndorsementStatus.ISSUED
    endorsement.applied = True


def _apply(period: PolicyPeriod, values: Mapping[str, Any]) -> None:
    """Write the terms an endorsement leaves onto the period: estimate rows, states, mods and the
    insured's details (schedule rating is read from the issued endorsements)."""
    period = PolicyPeriod.objects.select_for_update().get(pk=period.pk)
    for where, row in values.get("estimates", {}).items():
        state, code = where.split(" ")
        period.estimates.filter(state=state, class_code=code).delete()
        if row is not None:
            EstimatedExposure.objects.create(
                period=period,
                state=state,
                class_code=code,
                basis=row.get("basis", "payroll"),
                exposure=Decimal(row["exposure"]),
            )
    fields = []
    if "states" in values:
        period.states = values["states"]
        fields.append("states")
    if "experience_mods" in values:
        period.experience_mods = values["experience_mods"]
        fields.append("experience_mods")
    if fields:
        period.save(update_fields=fields)
    if values.get("insured"):
        Insured.objects.filter(pk=period.policy.insured_id).update(**values["insured"])


def _locked(endorsement: Endorsement) -> Endorsement:
    return (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=endorsement.pk)
    )


@transaction.atomic
def endorsement_approve(*, endorsement: Endorsement, by: User, reason: str = "") -> Endorsement:
    """A reviewer issues an endorsement above its maker's authority: never its maker, and within
    the reviewer's own authority."""
    _check_role(by, APPROVE_ROLES, "approve an endorsement")
    locked = _locked(endorsement)
    if locked.status != EndorsementStatus.AWAITING_REVIEW:
        raise Refused(
            f"only an endorsement awaiting review can be approved, not one that is "
            f"{locked.get_status_display().lower()}"
        )
    if locked.made_by_id == by.pk:
        raise NotAllowed("the maker of an endorsement may not approve it: another reviewer must")
    premium = estimated_premium(locked.period, terms_of(locked.period))
    if not by.within_authority(locked.premium_effect, premium):
        raise NotAllowed(
            f"the premium effect {usd_cents(locked.premium_effect)} is above your authority: "
            "refer it to an audit manager"
        )
    _issue(locked, by, reason or "approved")
    return locked


@transaction.atomic
def endorsement_reverse(*, endorsement: Endorsement, by: User, reason: str) -> Endorsement:
    """Undo an issued endorsement with a correcting one: the original becomes reversed, never
    edited. Returns the correcting endorsement."""
    _check_role(by, APPROVE_ROLES, "reverse an endorsement")
    if not reason.strip():
        raise InvalidInput([Problem("reason", "say why the endorsement is reversed")])
    locked = _locked(endorsement)
    if locked.kind == Kind.AUDIT:
        raise Refused(
            "the audit endorsement follows its audit: revise or reverse the audit to correct it"
        )
    return _reverse(locked, by, reason)


def _reverse(original: Endorsement, by: User | None, reason: str) -> Endorsement:
    if original.status != EndorsementStatus.ISSUED or original.reverses_id is not None:
        raise Refused(
            "only an issued endorsement that corrects no other can be reversed, not one that is "
            f"{original.get_status_display().lower()}"
        )
    correcting = Endorsement.objects.create(
        period=original.period,
        kind=original.kind,
        effective=original.effective,
        change=original.change,
        before=original.after,
        after=original.before,
        premium_effect=-original.premium_effect,
        premium_reasons=[f"reverses endorsement {original.pk}: {reason}"],
        audit=original.audit,
        reverses=original,
        made_by=by,
        reason=reason,
        status=EndorsementStatus.ISSUED,
        applied=original.applied,
    )
    _status_change(correcting, "", EndorsementStatus.ISSUED, by, reason)
    if original.applied:
        _apply(original.period, original.before)
    Endorsement.objects.filter(pk=original.pk).update(status=EndorsementStatus.REVERSED)
    _status_change(original, EndorsementStatus.ISSUED, EndorsementStatus.REVERSED, by, reason)
    return correcting


# --- the audit's own -----------------------------------------------------------------------


@transaction.atomic
def audit_endorsement_issue(
    *, audit: Audit, result: ResultSnapshot, by: User | None
) -> Endorsement:
    """Record the audited premium on the audited period, once per final result. Issued without
    an authority check: the result itself was reviewed."""
    made = Endorsement.objects.filter(audit=audit, kind=Kind.AUDIT, reverses__isnull=True).first()
    if made is not None:
        return made
    endorsement = Endorsement.objects.create(
        period=audit.period,
        kind=Kind.AUDIT,
        effective=audit.period.effective,
        change={
            "audited_premium": str(result.audited_premium),
            "estimated_premium": str(result.estimated_premium),
            "adjustment": str(result.adjustment),
            "result_id": result.pk,
        },
        before={"premium": str(result.estimated_premium)},
        after={"premium": str(result.audited_premium)},
        premium_effect=result.adjustment,
        premium_reasons=[
            f"audited premium {usd_cents(result.audited_premium)} against the estimated "
            f"{usd_cents(result.estimated_premium)}: {usd_cents(result.adjustment)}"
        ],
        audit=audit,
        made_by=by,
        reason=f"the audit's final result ({audit.get_status_display().lower()})",
        status=EndorsementStatus.ISSUED,
    )
    _status_change(endorsement, "", EndorsementStatus.ISSUED, by, "the audit's result is final")
    return endorsement


@transaction.atomic
def audit_endorsement_correct(*, audit: Audit, by: User | None, reason: str) -> Endorsement | None:
    """A revised or reversed audit: its audit endorsement is reversed by a correcting one (the
    revision issues its own when its result is final). Once: None when there is nothing left to
    correct."""
    issued = (
        Endorsement.objects.select_for_update()
        .filter(
            audit=audit, kind=Kind.AUDIT, reverses__isnull=True, status=EndorsementStatus.ISSUED
        )
        .first()
    )
    if issued is None:
        return None
    return _reverse(issued, by, reason)
