"""Checks a worksheet before rating: every problem found, each with its JSON path and reason.

Type and shape problems are caught when a worksheet is read from JSON (``parse``); these are the
checks that need the worksheet as a whole, the rule book or the rate table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from trueup.rating.errors import Problem
from trueup.rating.limits import out_of_range
from trueup.rating.money import ZERO
from trueup.rating.periods import Period
from trueup.rating.rates import ClassRate, RateTable
from trueup.rating.rulebook import DEFAULT_JURISDICTION, RuleBook
from trueup.rating.worksheet import (
    ADJUSTMENT_KINDS,
    AUDIT_TYPES,
    CANCELLATION_BASES,
    CONTRACT_TYPES,
    COVERAGES,
    DISCOUNT_TYPES,
    GL_AUDITS,
    LABOR_RECORDS,
    LABOR_SOURCES,
    LINE_AMOUNTS,
    LINES,
    OWNER_ROLES,
    PayrollLine,
    Policy,
    Subcontractor,
    Worksheet,
    payroll_amounts,
)

STATE_CODE = re.compile(r"^[A-Z]{2}$")

# Each step below checks one part of the worksheet and yields its problems in the order the
# worksheet lists them; ``validate`` runs the steps in the order the problems are reported.
Problems = Iterator[Problem]


def validate(worksheet: Worksheet, rulebook: RuleBook, rates: RateTable) -> list[Problem]:
    # Numbers too large for their kind first: the checks below add and compare them.
    problems = out_of_range(worksheet)
    if problems:
        return problems
    policy = worksheet.policy
    # Without a known line and a term running forward, nothing else can be measured.
    problems = list(_line_and_term(policy))
    if problems:
        return problems
    problems += _policy_states(policy, rulebook)
    # A cancellation outside the term leaves no audit period to check the rest against.
    cancelled_outside = list(_cancellation_date(policy)) + list(_interim(worksheet))
    if cancelled_outside:
        return problems + cancelled_outside
    classes = _ClassCheck(policy, rates, rulebook)
    problems += _cancellation_basis(policy)
    problems += _policy_choices(policy)
    problems += _experience_mods(policy)
    problems += _schedule_rating(policy, rulebook)
    problems += _premium_adjustments(policy)
    problems += _audit(worksheet, rulebook)
    problems += _estimated_exposures(worksheet, classes)
    problems += _facts_for_line(worksheet)
    problems += _payroll(worksheet, classes)
    problems += _officers(worksheet, classes)
    problems += _subcontractors(worksheet, classes)
    problems += _gl_exposures(worksheet, classes)
    return problems


def _one_of(choices: tuple[str, ...]) -> str:
    return f"must be one of {', '.join(choices)}"


NEGATIVE = "must not be negative"


def _non_negative(path: str, value: Decimal | None) -> Problems:
    if value is not None and value < 0:
        yield Problem(path, NEGATIVE)


class _ClassCheck:
    """Whether a (state, class, basis) can be rated, each class asked once: the same class turns
    up on many lines of a worksheet, and on its estimate with a basis and its payroll without."""

    def __init__(self, policy: Policy, rates: RateTable, rulebook: RuleBook) -> None:
        self.policy = policy
        self.rates = rates
        self.rulebook = rulebook
        self.checked: dict[tuple[str, str], tuple[tuple[str, str] | None, ClassRate | None]] = {}

    def check(self, path: str, state: str, class_code: str, basis: str | None = None) -> Problems:
        found = self.problem(state, class_code, basis)
        if found is not None:
            yield Problem(f"{path}.{found[0]}", found[1])

    def problem(self, state: str, class_code: str, basis: str | None) -> tuple[str, str] | None:
        """The field and reason a (state, class, basis) cannot be rated, or None."""
        key = (state, class_code)
        if key not in self.checked:
            self.checked[key] = self._problem(state, class_code)
        found, rate = self.checked[key]
        if found is None and basis is not None and rate is not None and rate.basis != basis:
            return "basis", f"class {class_code} is rated on {rate.basis}, not {basis}"
        return found

    def _problem(
        self, state: str, class_code: str
    ) -> tuple[tuple[str, str] | None, ClassRate | None]:
        """Why a class cannot be rated in a state, on whatever basis, or None; and its rate."""
        policy = self.policy
        if state not in policy.states:
            return (
                "state",
                f"{state} is not one of the policy's states ({', '.join(policy.states)})",
            ), None
        if policy.line == "WC" and not self._in_code_system(state, class_code):
            jurisdiction = self.rulebook.jurisdictions[state]
            words = jurisdiction.class_code_words or self.rulebook.default.class_code_words
            return (
                "class",
                f"{class_code} is not a {jurisdiction.name} class code: {jurisdiction.name} "
                f"uses {words}",
            ), None
        found = self.rates.lookup(state, policy.line, class_code, policy.effective)
        if found is None:
            return (
                "class",
                f"no {policy.line} rate for class {class_code} in {state} in force "
                f"on {policy.effective} (rates {self.rates.version})",
            ), None
        return None, found

    def _in_code_system(self, state: str, class_code: str) -> bool:
        jurisdiction = self.rulebook.jurisdictions.get(state)
        if jurisdiction is None:
            return True  # the state itself is refused
        pattern = jurisdiction.class_code_pattern or self.rulebook.default.class_code_pattern
        return not pattern or _matches(pattern, class_code)


@lru_cache(maxsize=16384)
def _matches(pattern: str, class_code: str) -> bool:
    """Whether a class code is written in a code system: asked of the same few hundred codes by
    every worksheet."""
    return re.fullmatch(pattern, class_code) is not None


def _line_and_term(policy: Policy) -> Problems:
    if policy.line not in LINES:
        yield Problem("$.policy.line", _one_of(LINES))
    elif policy.expiration <= policy.effective:
        yield Problem("$.policy.expiration", "must be after the effective date")


def _policy_states(policy: Policy, rulebook: RuleBook) -> Problems:
    if not policy.states:
        yield Problem("$.policy.states", "name at least one state")
    for i, state in enumerate(policy.states):
        path = f"$.policy.states[{i}]"
        if not STATE_CODE.match(state):
            yield Problem(path, f"{state!r} is not a two-letter state code")
        elif state in policy.states[:i]:
            yield Problem(path, f"{state} is listed twice")
        else:
            refusal = state_refusal(rulebook, state, policy.line)
            if refusal:
                yield Problem(path, refusal)


def state_refusal(rulebook: RuleBook, state: str, line: str) -> str | None:
    """Why a policy on ``line`` in ``state`` cannot be rated, or None: no rule book for the state,
    or workers' compensation where only the state fund writes it."""
    jurisdiction = rulebook.jurisdictions.get(state)
    if jurisdiction is None or state == DEFAULT_JURISDICTION:
        return (
            f"the rule book has no file for {state}: a policy there cannot be rated until its "
            "rules are loaded"
        )
    if line == "WC" and jurisdiction.monopolistic:
        return (
            f"workers' compensation in {jurisdiction.name} is written only by the state fund "
            f"({jurisdiction.state_fund}): it is not rated here"
        )
    return None


def _cancellation_date(policy: Policy) -> Problems:
    c = policy.cancellation
    if c is not None and not policy.effective < c.date <= policy.expiration:
        yield Problem(
            "$.policy.cancellation.date",
            "must fall after the effective date and no later than the expiration date",
        )


def _interim(worksheet: Worksheet) -> Problems:
    """An interim audit's part of the term: inside the term, and only on an interim audit."""
    policy, interim = worksheet.policy, worksheet.policy.interim
    if interim is None:
        return
    if worksheet.audit.type != "interim":
        yield Problem("$.policy.interim", "only an interim audit covers part of the term")
    ends = policy.cancellation.date if policy.cancellation is not None else policy.expiration
    if not policy.effective <= interim.start < interim.end <= ends:
        yield Problem(
            "$.policy.interim",
            "must start within the term and end after it starts, no later than the term ends",
        )


def _cancellation_basis(policy: Policy) -> Problems:
    c = policy.cancellation
    if c is not None and c.basis not in CANCELLATION_BASES:
        yield Problem("$.policy.cancellation.basis", _one_of(CANCELLATION_BASES))


def _policy_choices(policy: Policy) -> Problems:
    """The premium discount table, the kind of GL audit and the premiums the policy states."""
    if policy.premium_discount_type not in DISCOUNT_TYPES:
        yield Problem("$.policy.premium_discount_type", _one_of(DISCOUNT_TYPES))
    if policy.gl_audit not in GL_AUDITS:
        yield Problem("$.policy.gl_audit", _one_of(GL_AUDITS))
    elif policy.gl_audit == "one_way" and policy.line != "GL":
        yield Problem("$.policy.gl_audit", "a one-way audit applies to GL policies only")
    for name in ("deposit_premium", "billed_premium", "gl_minimum_premium"):
        yield from _non_negative(f"$.policy.{name}", getattr(policy, name))


def _experience_mods(policy: Policy) -> Problems:
    for i, mod in enumerate(policy.experience_mods):
        if mod.factor <= 0:
            yield Problem(f"$.policy.experience_mods[{i}].factor", "must be greater than zero")
        if mod.state is not None and mod.state not in policy.states:
            yield Problem(
                f"$.policy.experience_mods[{i}].state", f"{mod.state} is not a policy state"
            )


def _schedule_rating(policy: Policy, rulebook: RuleBook) -> Problems:
    """Each state's schedule credit or debit within the range its rules allow."""
    for i, sched in enumerate(policy.schedule_rating):
        path = f"$.policy.schedule_rating[{i}]"
        if sched.state not in policy.states:
            yield Problem(f"{path}.state", f"{sched.state} is not a policy state")
            continue
        rule = rulebook.rules_for(sched.state, policy.effective).get("schedule_rating")
        if rule is not None and not (
            -rule.decimal("max_credit") <= sched.factor <= rule.decimal("max_debit")
        ):
            yield Problem(
                f"{path}.factor",
                f"{sched.factor} is outside the {sched.state} range of "
                f"-{rule.text('max_credit')} to +{rule.text('max_debit')}",
            )


def _premium_adjustments(policy: Policy) -> Problems:
    for i, adj in enumerate(policy.premium_adjustments):
        path = f"$.policy.premium_adjustments[{i}]"
        if adj.kind not in ADJUSTMENT_KINDS:
            yield Problem(f"{path}.kind", _one_of(ADJUSTMENT_KINDS))
        if adj.state not in policy.states:
            yield Problem(f"{path}.state", f"{adj.state} is not a policy state")


def _audit(worksheet: Worksheet, rulebook: RuleBook) -> Problems:
    """The kind of audit, its costs, and what an estimated audit may carry."""
    policy, audit, facts = worksheet.policy, worksheet.audit, worksheet.audited
    if audit.type not in AUDIT_TYPES:
        yield Problem("$.audit.type", _one_of(AUDIT_TYPES))
    if audit.type == "cancellation" and policy.cancellation is None:
        yield Problem("$.audit.type", "a cancellation audit needs policy.cancellation")
    if audit.audit_costs < 0:
        yield Problem("$.audit.audit_costs", "must not be negative")
    if audit.type != "estimated":
        return
    if facts.payroll or facts.owners or facts.subcontractors or facts.gl_exposures:
        yield Problem(
            "$.audited", "an estimated audit (records not provided) takes no audited facts"
        )
    if audit.non_compliance_multiplier is not None:
        yield from _non_compliance_multiplier(policy, audit.non_compliance_multiplier, rulebook)


def _non_compliance_multiplier(policy: Policy, multiplier: Decimal, rulebook: RuleBook) -> Problems:
    """The multiplier within each policy state's range."""
    for state in policy.states:
        rule = rulebook.rules_for(state, policy.effective).get("non_compliance")
        if rule is None:
            continue
        top = rule.decimal("max_multiplier")
        # "total" multiplies the estimate, so below 1 it would credit a non-compliant
        # insured; "additive" adds a charge, which may be zero.
        low = Decimal(1) if rule.text("method") == "total" else ZERO
        if not low <= multiplier <= top:
            yield Problem(
                "$.audit.non_compliance_multiplier", f"must be from {low} to {top} in {state}"
            )


def _estimated_exposures(worksheet: Worksheet, classes: _ClassCheck) -> Problems:
    if not worksheet.estimated:
        yield Problem("$.estimated", "list the policy's estimated exposures")
    for i, est in enumerate(worksheet.estimated):
        # The path is spelled only for an estimate with a problem, as for payroll lines.
        if est.exposure is not None and est.exposure < 0:
            yield Problem(f"$.estimated[{i}].exposure", NEGATIVE)
        wrong = classes.problem(est.state, est.class_code, est.basis)
        if wrong is not None:
            yield Problem(f"$.estimated[{i}].{wrong[0]}", wrong[1])


def _facts_for_line(worksheet: Worksheet) -> Problems:
    """A GL audit counts exposures; a WC audit counts payroll."""
    line, facts = worksheet.policy.line, worksheet.audited
    if line == "GL" and (facts.payroll or facts.owners or facts.subcontractors):
        yield Problem(
            "$.audited", "a GL audit takes gl_exposures, not payroll, officers or subcontractors"
        )
    if line == "WC" and facts.gl_exposures:
        yield Problem("$.audited.gl_exposures", "a WC audit takes payroll, not GL exposures")


def _payroll(worksheet: Worksheet, classes: _ClassCheck) -> Problems:
    policy, lines = worksheet.policy, worksheet.audited.payroll
    # Nearly every worksheet's lines are all fine: that is asked of them together first, and
    # only a worksheet where it fails is checked line by line, which names each problem.
    if _payroll_fits(policy, lines, classes):
        return
    # Pay without a class is spread over the same employee's classified pay in its state.
    classified: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        if line.class_code is not None and line.employee is not None:
            classified[(line.state, line.employee)] += 1
    for i, line in enumerate(lines):
        # Each line's problems as (field, reason): the path is spelled only for a line that has
        # one (a worksheet has many lines, nearly all of them fine).
        found = _pay_amounts(line)
        if line.labor_source not in LABOR_SOURCES:
            found.append(("labor_source", _one_of(LABOR_SOURCES)))
        if line.split_period is not None and not policy.audit_period.contains(line.split_period):
            found.append(("split_period", "must fall within the audit period"))
        if line.class_code is not None:
            wrong = classes.problem(line.state, line.class_code, None)
            if wrong is not None:
                found.append(wrong)
        elif line.state not in policy.states:
            found.append(("state", f"{line.state} is not one of the policy's states"))
        elif line.employee is None or not classified[(line.state, line.employee)]:
            found.append(
                (
                    "class",
                    "pay without a class is apportioned over the same "
                    "employee's classes: name the employee and give their classified pay",
                )
            )
        for name, reason in found:
            yield Problem(f"$.audited.payroll[{i}].{name}", reason)


_LABOR_SOURCES = frozenset(LABOR_SOURCES)
_LABOR_SOURCE, _SPLIT_PERIOD = attrgetter("labor_source"), attrgetter("split_period")
_STATE_AND_CLASS = attrgetter("state", "class_code")


def _payroll_fits(policy: Policy, lines: tuple[PayrollLine, ...], classes: _ClassCheck) -> bool:
    """Whether no payroll line has a problem: what ``_payroll`` checks, without spelling a path
    or a reason for each line (the sources and split dates as sets, each class once)."""
    if not set(map(_LABOR_SOURCE, lines)) <= _LABOR_SOURCES:
        return False
    splits = set(filter(None, map(_SPLIT_PERIOD, lines)))
    if splits and not all(map(policy.audit_period.contains, splits)):
        return False
    # Each (state, class) once: a worksheet's many lines share a few classes.
    if any(
        code is None or classes.problem(state, code, None) is not None
        for state, code in set(map(_STATE_AND_CLASS, lines))
    ):
        return False
    return not any(map(_pay_amounts, lines))


def _pay_amounts(line: PayrollLine) -> list[tuple[str, str]]:
    """A payroll line's amounts: none negative, and the parts within the whole."""
    found = []
    amounts = payroll_amounts(line)
    if min(amounts) < ZERO:
        found += [
            (name, NEGATIVE) for name, value in zip(LINE_AMOUNTS, amounts, strict=True) if value < 0
        ]
    if line.hourly_rate is not None and line.hourly_rate < ZERO:
        found.append(("hourly_rate", NEGATIVE))
    if line.hours is not None and line.hours <= ZERO:
        found.append(("hours", "must be greater than zero"))
    # Both given: the premium portion is part of the total, which is part of gross.
    if line.overtime_total and line.overtime_premium > line.overtime_total:
        found.append(
            (
                "overtime_premium",
                f"the overtime premium portion {line.overtime_premium} is more than the total "
                f"overtime pay {line.overtime_total} it is part of",
            )
        )
    within = (
        (line.overtime_total or line.overtime_premium)
        + line.double_time_total
        + line.tips
        + line.severance
        + line.military_pay
        + line.section_125
        + line.deferred_401k
    )
    if within > line.gross:
        found.append(
            (
                "gross",
                f"gross pay {line.gross} is less than the amounts it "
                f"includes (overtime, tips, severance, military pay, deferrals: {within})",
            )
        )
    return found


def _dates_in_period(
    path: str, prefix: str, start: date | None, end: date | None, period: Period
) -> Problems:
    """A span given by ``{prefix}_from`` and ``{prefix}_to``: in order, and touching the audit
    period."""
    if start and end and end < start:
        yield Problem(f"{path}.{prefix}_to", f"must not be before {prefix}_from")
    elif start and not start < period.end:
        yield Problem(
            f"{path}.{prefix}_from", f"must fall before the audit period ends ({period.end})"
        )
    elif end and end < period.start:
        yield Problem(
            f"{path}.{prefix}_to", f"must not be before the audit period ({period.start})"
        )


def _officers(worksheet: Worksheet, classes: _ClassCheck) -> Problems:
    period = worksheet.policy.audit_period
    for i, owner in enumerate(worksheet.audited.owners):
        path = f"$.audited.officers[{i}]"
        if owner.role not in OWNER_ROLES:
            yield Problem(f"{path}.role", _one_of(OWNER_ROLES))
        if owner.coverage is not None and owner.coverage not in COVERAGES:
            yield Problem(f"{path}.coverage", _one_of(COVERAGES))
        yield from _non_negative(f"{path}.actual_pay", owner.actual_pay)
        if owner.ownership_percent is not None and not ZERO <= owner.ownership_percent <= 100:
            yield Problem(f"{path}.ownership_percent", "must be between 0 and 100")
        if owner.weeks_covered is not None and not 1 <= owner.weeks_covered <= 53:
            yield Problem(f"{path}.weeks_covered", "must be between 1 and 53")
        yield from _dates_in_period(path, "covered", owner.covered_from, owner.covered_to, period)
        yield from classes.check(path, owner.state, owner.class_code)


def _subcontractors(worksheet: Worksheet, classes: _ClassCheck) -> Problems:
    period = worksheet.policy.audit_period
    for i, sub in enumerate(worksheet.audited.subcontractors):
        path = f"$.audited.subcontractors[{i}]"
        if sub.contract_type not in CONTRACT_TYPES:
            yield Problem(f"{path}.contract_type", _one_of(CONTRACT_TYPES))
        yield from _non_negative(f"{path}.contract_cost", sub.contract_cost)
        yield from _non_negative(f"{path}.stated_labor", sub.stated_labor)
        if sub.stated_labor is not None and sub.stated_labor > sub.contract_cost:
            yield Problem(f"{path}.stated_labor", "must not exceed the contract cost")
        yield from _labor_records(path, sub)
        yield from _dates_in_period(path, "work", sub.work_from, sub.work_to, period)
        yield from _certificate(path, sub)
        yield from _non_negative(f"{path}.months_worked", sub.months_worked)
        yield from _non_negative(f"{path}.days_worked", sub.days_worked)
        yield from classes.check(path, sub.state, sub.class_code)


def _labor_records(path: str, sub: Subcontractor) -> Problems:
    """What the records show of the labor agrees with whether a labor amount is given."""
    records = sub.labor_records
    if records is None:
        return
    if records not in LABOR_RECORDS:
        yield Problem(f"{path}.labor_records", _one_of(LABOR_RECORDS))
    elif records == "stated" and sub.stated_labor is None:
        yield Problem(f"{path}.stated_labor", 'is required when labor_records is "stated"')
    elif records != "stated" and sub.stated_labor is not None:
        yield Problem(
            f"{path}.stated_labor",
            f'must be left out when labor_records is "{records}" (no labor amount is shown); '
            'with a labor amount, labor_records is "stated"',
        )


def _certificate(path: str, sub: Subcontractor) -> Problems:
    """The subcontractor's certificate of insurance: both dates or neither, in order."""
    if (sub.certificate_from is None) != (sub.certificate_to is None):
        yield Problem(f"{path}.certificate_to", "give both certificate dates, or neither")
    elif sub.certificate_from and sub.certificate_to and sub.certificate_to <= sub.certificate_from:
        yield Problem(f"{path}.certificate_to", "must be after certificate_from")


def _gl_exposures(worksheet: Worksheet, classes: _ClassCheck) -> Problems:
    for i, exposure in enumerate(worksheet.audited.gl_exposures):
        path = f"$.audited.gl_exposures[{i}]"
        yield from _non_negative(f"{path}.amount", exposure.amount)
        yield from classes.check(path, exposure.state, exposure.class_code, exposure.basis)
