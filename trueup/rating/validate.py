"""Checks a worksheet before rating: every problem found, each with its JSON path and reason.

Type and shape problems are caught when a worksheet is read from JSON (``parse``); these are the
checks that need the worksheet as a whole, the rule book or the rate table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from operator import attrgetter

from trueup.rating.errors import Problem
from trueup.rating.limits import out_of_range
from trueup.rating.money import ZERO
from trueup.rating.rates import RateTable
from trueup.rating.rulebook import RuleBook
from trueup.rating.worksheet import (
    ADJUSTMENT_KINDS,
    AUDIT_TYPES,
    CANCELLATION_BASES,
    CONTRACT_TYPES,
    COVERAGES,
    DISCOUNT_TYPES,
    GL_AUDITS,
    LABOR_SOURCES,
    LINES,
    OWNER_ROLES,
    PAYROLL_PARTS,
    Worksheet,
)

STATE_CODE = re.compile(r"^[A-Z]{2}$")
PAYROLL_PARTS_AND_GROSS = ("gross", *PAYROLL_PARTS)
_payroll_amounts = attrgetter(*PAYROLL_PARTS_AND_GROSS)


def validate(worksheet: Worksheet, rulebook: RuleBook, rates: RateTable) -> list[Problem]:
    # Numbers too large for their kind first: the checks below add and compare them.
    problems = out_of_range(worksheet)
    if problems:
        return problems

    def problem(path: str, reason: str) -> None:
        problems.append(Problem(path, reason))

    policy = worksheet.policy
    facts = worksheet.audited
    if policy.line not in LINES:
        problem("$.policy.line", f"must be one of {', '.join(LINES)}")
        return problems
    if policy.expiration <= policy.effective:
        problem("$.policy.expiration", "must be after the effective date")
        return problems
    if not policy.states:
        problem("$.policy.states", "name at least one state")
    for i, state in enumerate(policy.states):
        if not STATE_CODE.match(state):
            problem(f"$.policy.states[{i}]", f"{state!r} is not a two-letter state code")
        elif state in policy.states[:i]:
            problem(f"$.policy.states[{i}]", f"{state} is listed twice")
    states = set(policy.states)
    if policy.cancellation is not None:
        c = policy.cancellation
        if not policy.effective < c.date <= policy.expiration:
            problem(
                "$.policy.cancellation.date",
                "must fall after the effective date and no later than the expiration date",
            )
            return problems
        if c.basis not in CANCELLATION_BASES:
            problem(
                "$.policy.cancellation.basis", f"must be one of {', '.join(CANCELLATION_BASES)}"
            )
    if policy.premium_discount_type not in DISCOUNT_TYPES:
        problem("$.policy.premium_discount_type", f"must be one of {', '.join(DISCOUNT_TYPES)}")
    if policy.gl_audit not in GL_AUDITS:
        problem("$.policy.gl_audit", f"must be one of {', '.join(GL_AUDITS)}")
    elif policy.gl_audit == "one_way" and policy.line != "GL":
        problem("$.policy.gl_audit", "a one-way audit applies to GL policies only")
    for name in ("deposit_premium", "billed_premium", "gl_minimum_premium"):
        value = getattr(policy, name)
        if value is not None and value < 0:
            problem(f"$.policy.{name}", "must not be negative")
    for i, mod in enumerate(policy.experience_mods):
        if mod.factor <= 0:
            problem(f"$.policy.experience_mods[{i}].factor", "must be greater than zero")
        if mod.state is not None and mod.state not in states:
            problem(f"$.policy.experience_mods[{i}].state", f"{mod.state} is not a policy state")
    for i, sched in enumerate(policy.schedule_rating):
        path = f"$.policy.schedule_rating[{i}]"
        if sched.state not in states:
            problem(f"{path}.state", f"{sched.state} is not a policy state")
            continue
        rule = rulebook.rules_for(sched.state, policy.effective).get("schedule_rating")
        if rule is not None and not (
            -rule.decimal("max_credit") <= sched.factor <= rule.decimal("max_debit")
        ):
            problem(
                f"{path}.factor",
                f"{sched.factor} is outside the {sched.state} range of "
                f"-{rule.text('max_credit')} to +{rule.text('max_debit')}",
            )
    for i, adj in enumerate(policy.premium_adjustments):
        if adj.kind not in ADJUSTMENT_KINDS:
            problem(
                f"$.policy.premium_adjustments[{i}].kind",
                f"must be one of {', '.join(ADJUSTMENT_KINDS)}",
            )
        if adj.state not in states:
            problem(
                f"$.policy.premium_adjustments[{i}].state", f"{adj.state} is not a policy state"
            )

    audit = worksheet.audit
    if audit.type not in AUDIT_TYPES:
        problem("$.audit.type", f"must be one of {', '.join(AUDIT_TYPES)}")
    if audit.type == "cancellation" and policy.cancellation is None:
        problem("$.audit.type", "a cancellation audit needs policy.cancellation")
    if audit.audit_costs < 0:
        problem("$.audit.audit_costs", "must not be negative")
    if audit.type == "estimated":
        if facts.payroll or facts.owners or facts.subcontractors or facts.gl_exposures:
            problem("$.audited", "an estimated audit (records not provided) takes no audited facts")
        if audit.non_compliance_multiplier is not None:
            for state in policy.states:
                rule = rulebook.rules_for(state, policy.effective).get("non_compliance")
                if rule is None:
                    continue
                top = rule.decimal("max_multiplier")
                # "total" multiplies the estimate, so below 1 it would credit a non-compliant
                # insured; "additive" adds a charge, which may be zero.
                low = Decimal(1) if rule.text("method") == "total" else ZERO
                if not low <= audit.non_compliance_multiplier <= top:
                    problem(
                        "$.audit.non_compliance_multiplier",
                        f"must be from {low} to {top} in {state}",
                    )

    checked: dict[tuple[str, str, str | None], tuple[str, str] | None] = {}

    def check_class(path: str, state: str, class_code: str, basis: str | None = None) -> None:
        key = (state, class_code, basis)
        if key not in checked:
            checked[key] = class_problem(state, class_code, basis)
        found = checked[key]
        if found is not None:
            problem(f"{path}.{found[0]}", found[1])

    def class_problem(state: str, class_code: str, basis: str | None) -> tuple[str, str] | None:
        if state not in states:
            return (
                "state",
                f"{state} is not one of the policy's states ({', '.join(policy.states)})",
            )
        found = rates.lookup(state, policy.line, class_code, policy.effective)
        if found is None:
            return "class", (
                f"no {policy.line} rate for class {class_code} in {state} in force "
                f"on {policy.effective} (rates {rates.version})"
            )
        if basis is not None and found.basis != basis:
            return "basis", f"class {class_code} is rated on {found.basis}, not {basis}"
        return None

    def non_negative(path: str, value: Decimal | None) -> None:
        if value is not None and value < 0:
            problem(path, "must not be negative")

    if not worksheet.estimated:
        problem("$.estimated", "list the policy's estimated exposures")
    for i, est in enumerate(worksheet.estimated):
        path = f"$.estimated[{i}]"
        non_negative(f"{path}.exposure", est.exposure)
        check_class(path, est.state, est.class_code, est.basis)

    if policy.line == "GL" and (facts.payroll or facts.owners or facts.subcontractors):
        problem(
            "$.audited", "a GL audit takes gl_exposures, not payroll, officers or subcontractors"
        )
    if policy.line == "WC" and facts.gl_exposures:
        problem("$.audited.gl_exposures", "a WC audit takes payroll, not GL exposures")

    period = policy.audit_period
    classified: dict[tuple[str, str], int] = defaultdict(int)
    for line in facts.payroll:
        if line.class_code is not None and line.employee is not None:
            classified[(line.state, line.employee)] += 1
    for i, line in enumerate(facts.payroll):
        path = f"$.audited.payroll[{i}]"
        amounts = _payroll_amounts(line)
        if min(amounts) < 0:
            for name, value in zip(PAYROLL_PARTS_AND_GROSS, amounts, strict=True):
                if value < 0:
                    problem(f"{path}.{name}", "must not be negative")
        if line.hourly_rate is not None and line.hourly_rate < 0:
            problem(f"{path}.hourly_rate", "must not be negative")
        if line.hours is not None and line.hours <= 0:
            problem(f"{path}.hours", "must be greater than zero")
        # Both given: the premium portion is part of the total, which is part of gross.
        if line.overtime_total and line.overtime_premium > line.overtime_total:
            problem(
                f"{path}.overtime_premium",
                f"the overtime premium portion {line.overtime_premium} is more than the total "
                f"overtime pay {line.overtime_total} it is part of",
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
            problem(
                f"{path}.gross",
                f"gross pay {line.gross} is less than the amounts it "
                f"includes (overtime, tips, severance, military pay, deferrals: {within})",
            )
        if line.labor_source not in LABOR_SOURCES:
            problem(f"{path}.labor_source", f"must be one of {', '.join(LABOR_SOURCES)}")
        if line.split_period is not None and not period.contains(line.split_period):
            problem(f"{path}.split_period", "must fall within the audit period")
        if line.class_code is None:
            if line.state not in states:
                problem(f"{path}.state", f"{line.state} is not one of the policy's states")
            elif line.employee is None or not classified[(line.state, line.employee)]:
                problem(
                    f"{path}.class",
                    "pay without a class is apportioned over the same "
                    "employee's classes: name the employee and give their classified pay",
                )
        else:
            check_class(path, line.state, line.class_code)

    for i, owner in enumerate(facts.owners):
        path = f"$.audited.officers[{i}]"
        if owner.role not in OWNER_ROLES:
            problem(f"{path}.role", f"must be one of {', '.join(OWNER_ROLES)}")
        if owner.coverage is not None and owner.coverage not in COVERAGES:
            problem(f"{path}.coverage", f"must be one of {', '.join(COVERAGES)}")
        non_negative(f"{path}.actual_pay", owner.actual_pay)
        if owner.ownership_percent is not None and not ZERO <= owner.ownership_percent <= 100:
            problem(f"{path}.ownership_percent", "must be between 0 and 100")
        if owner.weeks_covered is not None and not 1 <= owner.weeks_covered <= 53:
            problem(f"{path}.weeks_covered", "must be between 1 and 53")
        if owner.covered_from and owner.covered_to and owner.covered_to < owner.covered_from:
            problem(f"{path}.covered_to", "must not be before covered_from")
        elif owner.covered_from and not owner.covered_from < period.end:
            problem(
                f"{path}.covered_from", f"must fall before the audit period ends ({period.end})"
            )
        elif owner.covered_to and owner.covered_to < period.start:
            problem(f"{path}.covered_to", f"must not be before the audit period ({period.start})")
        check_class(path, owner.state, owner.class_code)

    for i, sub in enumerate(facts.subcontractors):
        path = f"$.audited.subcontractors[{i}]"
        if sub.contract_type not in CONTRACT_TYPES:
            problem(f"{path}.contract_type", f"must be one of {', '.join(CONTRACT_TYPES)}")
        non_negative(f"{path}.contract_cost", sub.contract_cost)
        non_negative(f"{path}.stated_labor", sub.stated_labor)
        if sub.stated_labor is not None and sub.stated_labor > sub.contract_cost:
            problem(f"{path}.stated_labor", "must not exceed the contract cost")
        if sub.work_from and sub.work_to and sub.work_to < sub.work_from:
            problem(f"{path}.work_to", "must not be before work_from")
        elif sub.work_from and not sub.work_from < period.end:
            problem(f"{path}.work_from", f"must fall before the audit period ends ({period.end})")
        elif sub.work_to and sub.work_to < period.start:
            problem(f"{path}.work_to", f"must not be before the audit period ({period.start})")
        if (sub.certificate_from is None) != (sub.certificate_to is None):
            problem(f"{path}.certificate_to", "give both certificate dates, or neither")
        elif (
            sub.certificate_from
            and sub.certificate_to
            and sub.certificate_to <= sub.certificate_from
        ):
            problem(f"{path}.certificate_to", "must be after certificate_from")
        non_negative(f"{path}.months_worked", sub.months_worked)
        non_negative(f"{path}.days_worked", sub.days_worked)
        check_class(path, sub.state, sub.class_code)

    for i, exposure in enumerate(facts.gl_exposures):
        path = f"$.audited.gl_exposures[{i}]"
        non_negative(f"{path}.amount", exposure.amount)
        check_class(path, exposure.state, exposure.class_code, exposure.basis)
    return problems
