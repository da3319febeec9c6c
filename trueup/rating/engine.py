"""Rate a worksheet: the estimate and the audited facts, each rated, then compared."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from operator import attrgetter

from trueup.rating import premium
from trueup.rating.adjustment import adjustment_lines, adjustment_reason, outcome_of
from trueup.rating.context import Context
from trueup.rating.errors import WorksheetError
from trueup.rating.exposures import audited_exposures, estimated_exposures
from trueup.rating.rates import RateTable, demo_rates
from trueup.rating.result import Finding, Rating, Reason, Result
from trueup.rating.rulebook import RuleBook, default_rulebook
from trueup.rating.rulebook.coverage import RULE_TITLES, family
from trueup.rating.validate import validate
from trueup.rating.worksheet import Worksheet

ENGINE_VERSION = "0.1.0"


def rate_worksheet(
    worksheet: Worksheet, *, rulebook: RuleBook | None = None, rates: RateTable | None = None
) -> Result:
    """Rate ``worksheet`` and return the audited premium, the adjustment against the estimate and
    the billed premium, and the reasons for every figure.

    Raises :class:`WorksheetError` listing every problem (by JSON path) when the worksheet cannot
    be rated.
    """
    rulebook = rulebook or default_rulebook()
    rates = rates or demo_rates()
    problems = validate(worksheet, rulebook, rates)
    if problems:
        raise WorksheetError(problems)

    estimate_ctx = Context(worksheet, rulebook, rates)
    estimated = premium.rate(estimate_ctx, estimated_exposures(estimate_ctx))
    # The audited side asks for the same rules, rates and mod periods: it shares the memo.
    ctx = Context(worksheet, rulebook, rates, memo=estimate_ctx.memo)
    audited = premium.rate(ctx, audited_exposures(ctx), estimated)

    policy = worksheet.policy
    findings = _inherited_findings(rulebook, policy.states, (estimated, audited)) + ctx.findings
    difference = audited.premium - estimated.premium
    billed = policy.billed_premium if policy.billed_premium is not None else policy.deposit_premium
    vs_billed = None if billed is None else audited.premium - billed
    return Result(
        policy_number=policy.number,
        line=policy.line,
        audit_type=worksheet.audit.type,
        period_start=policy.audit_period.start,
        period_end=policy.audit_period.end,
        engine_version=ENGINE_VERSION,
        rulebook_version=rulebook.version,
        rates_version=rates.version,
        estimated=estimated,
        audited=audited,
        adjustments=tuple(adjustment_lines(estimated, audited)),
        estimated_premium=estimated.premium,
        audited_premium=audited.premium,
        adjustment=difference,
        outcome=outcome_of(difference),
        adjustment_reason=adjustment_reason(
            estimated.premium, audited.premium, policy.line == "GL" and policy.gl_audit == "one_way"
        ),
        billed_premium=billed,
        adjustment_vs_billed=vs_billed,
        outcome_vs_billed=None if vs_billed is None else outcome_of(vs_billed),
        findings=tuple(findings),
    )


def _inherited_findings(
    rulebook: RuleBook, states: tuple[str, ...], ratings: tuple[Rating, ...]
) -> list[Finding]:
    """One finding per state whose rating used a value of the NCCI default, naming the rules."""
    used: dict[str, set[str]] = {}
    for state, rule in _inherited_rules(ratings):
        if state is not None:
            used.setdefault(state, set()).add(family(rule))
    findings = []
    for state in states:
        if state in used:
            name = rulebook.jurisdictions[state].name
            rules = ", ".join(sorted(RULE_TITLES.get(f, f) for f in used[state]))
            findings.append(
                Finding(
                    "inherited_rule",
                    f"no {name} figure of its own is on file for: {rules}; the NCCI default "
                    "was used (each figure's why? says which)",
                    state,
                )
            )
    return findings


# A reason's state and rule, and the jurisdiction it inherited its rule from (None if its own).
_STATE_AND_RULE = attrgetter("state", "rule")
_INHERITED_FROM = attrgetter("inherited_from")


def _inherited_rules(ratings: tuple[Rating, ...]) -> set[tuple[str | None, str]]:
    """The (state, rule) of every reason that used an inherited rule. Read with attrgetter,
    filter and map: a rating has a hundred reasons and only their distinct rules matter."""
    reasons = chain.from_iterable(_reasons(rating) for rating in ratings)
    return set(map(_STATE_AND_RULE, filter(_INHERITED_FROM, reasons)))


def _reasons(rating: Rating) -> Iterator[Reason]:
    """Every reason of a rating: its exclusions', its exposures' and its steps'."""
    return chain(
        rating.exclusions,
        chain.from_iterable(map(_REASONS, rating.exposures)),
        map(_REASON, chain.from_iterable(map(_STEPS, rating.states))),
    )


_REASONS, _STEPS, _REASON = attrgetter("reasons"), attrgetter("steps"), attrgetter("reason")
