"""The renewal recommendation's writes: made from a completed audit (once per final result),
accepted as it is or with the underwriter's figures (each accepted change becomes an endorsement
on the renewal, issued within the underwriter's authority or left for a reviewer), or rejected.
Every move leaves a change row; the future policy changes letter is written with the acceptance
and sent once it is committed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, AuditType, Coverage, OwnerRole
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused
from trueup.core.money import as_decimal, parse_dollars, usd
from trueup.endorsements.selectors import estimated_premium, terms_of
from trueup.endorsements.services import endorsement_request
from trueup.letters.models import LetterKind
from trueup.letters.services import LetterRefused, letter_send
from trueup.policies.models import PolicyPeriod
from trueup.renewals import recommend as rec
from trueup.renewals.models import (
    RecommendationChange,
    RecommendationStatus,
    RenewalRecommendation,
)
from trueup.renewals.rules import rules

# Who decides a recommendation: the underwriter, or an audit manager or administrator.
DECIDERS = frozenset({Role.UNDERWRITER, Role.MANAGER, Role.ADMIN})
# The audit types whose audited exposure a trend is made of: a whole term audited.
TERM_TYPES = (AuditType.FINAL, AuditType.CANCELLATION)
EXPOSURE_ACTIONS = (rec.EXPOSURE_CHANGE, rec.CLASS_ADD, rec.CLASS_REMOVE)
ZERO = Decimal(0)


class RenewalRefused(Refused):
    code = "renewal_refused"


# Making one ---------------------------------------------------------------------------------


def renewal_of(period: PolicyPeriod) -> PolicyPeriod | None:
    """The policy's next term: the one that starts when this one ends."""
    return PolicyPeriod.objects.filter(
        policy_id=period.policy_id, effective=period.expiration
    ).first()


def _terms(audit: Audit, count: int) -> list[rec.Term]:
    """The latest ``count`` audited terms of the policy up to the audit's own, oldest first:
    each period's latest completed audit, read from its pinned result."""
    audits = (
        Audit.objects.filter(
            period__policy_id=audit.period.policy_id,
            period__effective__lte=audit.period.effective,
            status=Status.COMPLETED,
            type__in=TERM_TYPES,
            final_result__isnull=False,
        )
        .select_related("period", "final_result")
        .order_by("-period__effective", "-id")
    )
    latest: dict[int, Audit] = {}
    for found in audits:
        latest.setdefault(found.period_id, found)
    chosen = sorted(latest.values(), key=lambda a: a.period.effective)[-count:]
    return [_term(a) for a in chosen]


def _term(audit: Audit) -> rec.Term:
    assert audit.final_result is not None
    result: dict[str, Any] = audit.final_result.result
    exposures: dict[rec.Key, Decimal] = {}
    for line in result.get("adjustments") or ():
        if line.get("is_class"):
            key = (str(line.get("state") or ""), str(line.get("item") or ""))
            exposures[key] = exposures.get(key, ZERO) + (
                as_decimal(line.get("audited_exposure")) or ZERO
            )
    bases = {
        (str(e["state"]), str(e["class"])): str(e.get("basis", "payroll"))
        for side in ("estimated", "audited")
        for e in result.get(side, {}).get("exposures", [])
    }
    period = audit.period
    return rec.Term(period.effective, period.expiration, exposures, bases)


def _estimates(period: PolicyPeriod) -> dict[rec.Key, Decimal]:
    found: dict[rec.Key, Decimal] = {}
    for e in period.estimates.all():
        found[(e.state, e.class_code)] = found.get((e.state, e.class_code), ZERO) + e.exposure
    return found


def _mod_on(period: PolicyPeriod, day: date) -> rec.Mod | None:
    """The policy-wide experience mod in force on the day."""
    mods = [
        rec.Mod(Decimal(str(m["factor"])), date.fromisoformat(m["effective"]))
        for m in period.experience_mods
        if not m.get("state") and date.fromisoformat(m["effective"]) <= day
    ]
    return max(mods, key=lambda m: m.effective, default=None)


def _officers(audit: Audit) -> list[rec.Officer]:
    roles = dict(OwnerRole.choices)
    return [
        rec.Officer(
            name=o.name,
            role=str(roles.get(o.role, o.role)),
            state=o.state,
            class_code=o.class_code,
            coverage=o.coverage if o.coverage in Coverage.values else "",
            pay=o.actual_pay,
        )
        for o in audit.owners.all()
    ]


@transaction.atomic
def recommendation_make(*, audit: Audit) -> RenewalRecommendation:
    """The recommendation from a completed audit's final result, made once: asked again for the
    same result it is the one already made, unless it was made before the renewal was written
    and is still proposed: then it is compared again, with the renewal's estimates."""
    locked = Audit.objects.select_for_update(of=("self",)).select_related("period").get(pk=audit.pk)
    if locked.status != Status.COMPLETED or locked.final_result_id is None:
        raise RenewalRefused(
            f"the audit is {locked.get_status_display().lower()}: a renewal is recommended from "
            "a completed audit's audited exposure"
        )
    made = (
        RenewalRecommendation.objects.select_for_update()
        .filter(result_id=locked.final_result_id)
        .first()
    )
    renewal = renewal_of(locked.period)
    if made is not None:
        if made.renewal_id is None and renewal and made.status == RecommendationStatus.PROPOSED:
            made.renewal, made.lines = renewal, _lines(locked, renewal)
            made.save(update_fields=["renewal", "lines"])
            summary = "compared again with the renewal written since"
            _change(made, made.status, made.status, None, summary)
        return made
    lines = _lines(locked, renewal)
    made = RenewalRecommendation.objects.create(
        audit=locked, result_id=locked.final_result_id, renewal=renewal, lines=lines
    )
    summary = "recommended from the audit" + ("" if renewal else "; the renewal is not written yet")
    _change(made, "", RecommendationStatus.PROPOSED, None, summary)
    return made


def _lines(audit: Audit, renewal: PolicyPeriod | None) -> list[dict[str, Any]]:
    """The recommendation's lines, against the renewal's estimates (the audited term's while the
    renewal is not written)."""
    on_policy = renewal or audit.period
    day = renewal.effective if renewal else audit.period.expiration
    data = rules(day)
    lines = rec.recommend(
        terms=_terms(audit, int(data["trend"]["terms"])),
        estimates=_estimates(on_policy),
        officers=_officers(audit),
        mod=_mod_on(on_policy, day),
        rules=data,
    )
    return [line.as_json() for line in lines]


def _change(
    made: RenewalRecommendation, from_status: str, to_status: str, by: User | None, summary: str
) -> None:
    RecommendationChange.objects.create(
        recommendation=made, from_status=from_status, to_status=to_status, by=by, summary=summary
    )


# Deciding ----------------------------------------------------------------------------------


def may_decide(user: User) -> bool:
    return user.is_active and user.role in DECIDERS


def _check_decider(by: User) -> None:
    if not may_decide(by):
        raise NotAllowed(
            f"a user with the {by.get_role_display()} role may not decide a renewal "
            "recommendation: the underwriter or an audit manager does"
        )


def _locked_proposal(recommendation: RenewalRecommendation) -> RenewalRecommendation:
    locked = (
        RenewalRecommendation.objects.select_for_update(of=("self",))
        .select_related("audit__period__policy__insured", "renewal")
        .get(pk=recommendation.pk)
    )
    if locked.status != RecommendationStatus.PROPOSED:
        raise RenewalRefused(
            f"the recommendation was already decided ({locked.get_status_display().lower()}): "
            "nothing changed"
        )
    return locked


def _edited(lines: list[dict[str, Any]], edits: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines with the underwriter's figures: each edit names a line by its key; a figure
    for an exposure line, or nothing (None, "") to leave the line out. Every bad edit is named."""
    by_key = {line["key"]: line for line in lines}
    problems = [
        Problem(f"lines.{key}", f"line {key!r} is not in this recommendation")
        for key in edits
        if key not in by_key
    ]
    chosen = []
    for line in lines:
        line = dict(line, left_out=False)
        if line["key"] in edits:
            value = edits[line["key"]]
            if value is None or str(value).strip() == "":
                line["left_out"] = True
            elif line["topic"] != "exposure":
                problems.append(
                    Problem(
                        f"lines.{line['key']}",
                        f"line {line['key']}: this line is accepted or left out; it has no "
                        "figure to edit",
                    )
                )
            else:
                problems += _edit_figure(line, str(value))
        chosen.append(line)
    if problems:
        raise InvalidInput(problems)
    return chosen


def _edit_figure(line: dict[str, Any], value: str) -> list[Problem]:
    try:
        figure = parse_dollars(value)
    except ValueError as error:
        return [
            Problem(
                f"lines.{line['key']}",
                f"line {line['key']} (class {line['class_code']} in {line['state']}): the "
                f"recommended exposure {value!r} {error}",
            )
        ]
    current = as_decimal(line["current"]) or ZERO
    if figure != as_decimal(line["recommended"]):
        line["edited"] = True
        line["recommended"] = str(figure)
        line["action"] = _exposure_action(current, figure)
    return []


def _exposure_action(current: Decimal, figure: Decimal) -> str:
    if figure == current:
        return ""
    if current == ZERO:
        return rec.CLASS_ADD
    return rec.CLASS_REMOVE if figure == ZERO else rec.EXPOSURE_CHANGE


@transaction.atomic
def recommendation_accept(
    *,
    recommendation: RenewalRecommendation,
    by: User,
    lines: Mapping[str, Any] | None = None,
    reason: str = "",
) -> RenewalRecommendation:
    """Accept the recommendation, with the underwriter's figures where ``lines`` gives them
    (by line key; nothing for a line leaves it out). Each change becomes an endorsement on the
    renewal from its first day; the future policy changes letter is written."""
    _check_decider(by)
    locked = _locked_proposal(recommendation)
    renewal = locked.renewal
    if renewal is None:
        written = renewal_of(locked.audit.period) is not None
        raise RenewalRefused(
            "the renewal was written after this recommendation was made: recommend again from "
            "the audit to compare it with the renewal's estimates, then accept"
            if written
            else "the policy has no renewal term yet (none starts when the audited term ends): "
            "write the renewal, then accept the recommendation"
        )
    chosen = _edited(list(locked.lines), lines or {})
    edited = any(line.get("edited") or line["left_out"] for line in chosen if line["action"])
    before = estimated_premium(renewal, terms_of(renewal))
    after = _premium_with(renewal, chosen)
    _issue(locked, renewal, chosen, by, reason)
    status = RecommendationStatus.EDITED if edited else RecommendationStatus.ACCEPTED
    locked.renewal = renewal
    locked.lines = chosen
    locked.status = status
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    locked.premium_current, locked.premium_recommended = before, after
    locked.save()
    _change(locked, RecommendationStatus.PROPOSED, status, by, _summary(chosen, reason))
    _letter(locked, by)
    return locked


def _premium_with(renewal: PolicyPeriod, chosen: list[dict[str, Any]]) -> Decimal:
    """The renewal's estimated premium for a year with the accepted exposures, by the engine."""
    terms = terms_of(renewal)
    for line in chosen:
        if line["topic"] == "exposure" and line["action"] and not line["left_out"]:
            figure = as_decimal(line["recommended"]) or ZERO
            terms = terms.with_estimate(line["state"], line["class_code"], figure or None)
    return estimated_premium(renewal, terms)


# The order endorsements are asked for in: a class is added before an officer in it is included
# or excluded, and the class's exposure is set last, so the estimate ends on the accepted figure.
ORDER = {
    rec.CLASS_ADD: 0,
    rec.OFFICER_INCLUDE: 1,
    rec.OFFICER_EXCLUDE: 1,
    rec.OFFICER_ELECT: 1,
    rec.EXPOSURE_CHANGE: 2,
    rec.CLASS_REMOVE: 3,
}


def _issue(
    made: RenewalRecommendation,
    renewal: PolicyPeriod,
    chosen: list[dict[str, Any]],
    by: User,
    reason: str,
) -> None:
    wanted = [line for line in chosen if line["action"] and not line["left_out"]]
    officers_in = {(o["state"], o["class_code"]) for o in wanted if o["topic"] == "officer"}
    for line in chosen:
        # An officer's endorsement moves their pay in or out of the class's estimate; the class's
        # own line then settles it on the figure accepted (the audited pay already counts them).
        if _settles(line, officers_in):
            figure = line["recommended"] if line["action"] else line["current"]
            wanted.append(dict(line, action=rec.EXPOSURE_CHANGE, recommended=figure))
    for line in sorted(wanted, key=lambda li: ORDER[li["action"]]):
        endorsement = _request(made, renewal, line, by, reason)
        original = next(c for c in chosen if c["key"] == line["key"])
        original["endorsement_id"] = endorsement.pk
        original["endorsement_status"] = endorsement.status


def _settles(line: dict[str, Any], officers_in: set[tuple[str, str]]) -> bool:
    """Whether a class's line is asked for again after its officers' endorsements."""
    if line["topic"] != "exposure" or (line["state"], line["class_code"]) not in officers_in:
        return False
    if line["left_out"] or line["action"] in (rec.EXPOSURE_CHANGE, rec.CLASS_REMOVE):
        return False
    return bool(as_decimal(line["recommended"] if line["action"] else line["current"]))


def _request(
    made: RenewalRecommendation,
    renewal: PolicyPeriod,
    line: dict[str, Any],
    by: User,
    reason: str,
) -> Any:
    change: dict[str, Any] = {"state": line["state"], "class": line["class_code"]}
    if line["topic"] == "officer":
        change |= {"name": line["name"], "payroll": line["recommended"]}
    elif line["action"] != rec.CLASS_REMOVE:
        change["exposure"] = line["recommended"]
    why = f"Renewal recommendation from the audit of {made.audit.period}: {line['why']}"
    if reason.strip():
        why += f" Underwriter: {reason.strip()}"
    try:
        return endorsement_request(
            period=renewal,
            kind=line["action"],
            effective=renewal.effective,
            change=change,
            by=by,
            reason=why,
            audit=made.audit,
        )
    except InvalidInput as error:
        # The endorsement's own problems, said of the recommendation's line they came from.
        raise InvalidInput(
            [
                Problem(f"lines.{line['key']}", f"line {line['key']}: {p.reason}")
                for p in error.problems
            ]
        ) from error


def _summary(chosen: list[dict[str, Any]], reason: str) -> str:
    issued = sum(1 for line in chosen if line.get("endorsement_status") == "issued")
    waiting = sum(1 for line in chosen if line.get("endorsement_status") == "awaiting_review")
    left = sum(1 for line in chosen if line["left_out"] and line["action"])
    words = f"{issued} endorsement(s) issued, {waiting} waiting for a reviewer"
    if left:
        words += f", {left} change(s) left out"
    return words + (f": {reason.strip()}" if reason.strip() else "")


def _letter(made: RenewalRecommendation, by: User) -> None:
    """The future policy changes letter, sent once the acceptance is committed. An insured
    without an e-mail address gets it by post: the acceptance stands either way."""
    try:
        letter_send(
            audit=made.audit,
            kind=LetterKind.FUTURE_CHANGES,
            by=by,
            extra={"recommendation": made},
        )
    except LetterRefused as refused:
        _change(made, made.status, made.status, by, f"letter not e-mailed: {refused.message}")


@transaction.atomic
def recommendation_reject(
    *, recommendation: RenewalRecommendation, by: User, reason: str
) -> RenewalRecommendation:
    """Turn the recommendation down, saying why: the renewal keeps its estimate."""
    _check_decider(by)
    if not reason.strip():
        raise InvalidInput([Problem("reason", "say why the recommendation is rejected")])
    locked = _locked_proposal(recommendation)
    locked.status = RecommendationStatus.REJECTED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    locked.save()
    _change(locked, RecommendationStatus.PROPOSED, RecommendationStatus.REJECTED, by, reason)
    return locked


def amount_words(line: Mapping[str, Any]) -> str:
    """A line's recommended figure as people read it."""
    value = as_decimal(line.get("recommended"))
    if value is None:
        return ""
    return usd(value) if line.get("basis", "payroll") == "payroll" else f"{value:,}"
