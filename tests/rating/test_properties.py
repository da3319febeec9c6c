"""Properties of the engine that hold for every valid worksheet, checked with hypothesis.

Worksheets are drawn small: one to three states (IN, CA, NV) with a few classes each, a handful of
payroll lines (with overtime, tips, deferrals and the other amounts the rule book may exclude or
add), officers and subcontractors, and the policy features that change the premium (mods and split
periods, schedule rating, premium adjustments, premium discount, assigned risk, cancellation).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rating.factories import D, policy, rate, rate_table
from trueup.rating import Result
from trueup.rating.money import Rounding, allocate, quantize
from trueup.rating.worksheet import (
    ADJUSTMENT_KINDS,
    CONTRACT_TYPES,
    OWNER_ROLES,
    Audit,
    AuditFacts,
    Cancellation,
    Estimate,
    ExperienceMod,
    GLExposure,
    Owner,
    PayrollLine,
    PremiumAdjustment,
    ScheduleRating,
    Subcontractor,
    Worksheet,
)

SETTINGS = settings(max_examples=60, deadline=None)

CLASSES = {
    "IN": ("5645", "8810", "5403"),
    "CA": ("5403", "5432", "8810"),  # 5403/5432: a dual-wage pair from 9/1/2024
    "NV": ("5645", "8810"),  # NV caps payroll at $36,000 per employee
}
RATES = rate_table(
    "IN WC 5645 5.43",
    "IN WC 8810 0.17",
    "IN WC 5403 9.12",
    "CA WC 5403 12.34",
    "CA WC 5432 7.89",
    "CA WC 8810 0.55",
    "NV WC 5645 6.10",
    "NV WC 8810 0.25",
)
EFFECTIVE = date(2025, 1, 1)
TERM_DAYS = 365
EMPLOYEES = ("Ann", "Bo")

WITHIN_GROSS = ("double_time_total", "tips", "severance", "military_pay", "section_125")
BEYOND_GROSS = (
    "employer_benefits",
    "reimbursements_substantiated",
    "reimbursements_unsubstantiated",
    "meals_lodging",
)


def money(max_dollars: int) -> st.SearchStrategy[Decimal]:
    """Non-negative amounts in cents."""
    return st.integers(0, max_dollars * 100).map(lambda c: Decimal(c) / 100)


def factor(low: str, high: str) -> st.SearchStrategy[Decimal]:
    """Decimal factors with two places, e.g. mods and schedule credits."""
    return st.integers(int(D(low) * 100), int(D(high) * 100)).map(lambda n: Decimal(n) / 100)


@st.composite
def payroll_line(draw, state: str, class_code: str | None, employee: str | None, period_days: int):
    """A valid payroll line: the amounts gross includes never exceed gross."""
    within = {name: draw(money(5_000)) for name in draw(st.sets(st.sampled_from(WITHIN_GROSS)))}
    overtime = draw(st.sampled_from(("overtime_premium", "overtime_total", None)))
    if overtime is not None:
        within[overtime] = draw(money(5_000))
    if draw(st.booleans()):
        within["deferred_401k"] = draw(money(5_000))
    beyond = {name: draw(money(2_000)) for name in draw(st.sets(st.sampled_from(BEYOND_GROSS)))}
    # a base amount so that small lines and lines big enough for a premium discount are both common
    base = draw(st.sampled_from((D(0), D(40_000), D(250_000))))
    gross = sum(within.values(), D(0)) + base + draw(money(5_000))
    split = draw(st.none() | st.integers(0, period_days - 1))
    return PayrollLine(
        state=state,
        class_code=class_code,
        gross=gross,
        employee=employee,
        overtime_records=draw(st.booleans()),
        hourly_rate=draw(st.none() | st.integers(15, 60).map(Decimal)),
        records_support_division=draw(st.booleans()),
        split_period=None if split is None else EFFECTIVE + timedelta(days=split),
        **within,
        **beyond,
    )


@st.composite
def payroll_lines(draw, states: tuple[str, ...], named_in: tuple[str, ...], period_days: int):
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        state = draw(st.sampled_from(states))
        employee = draw(st.sampled_from((None, *EMPLOYEES))) if state in named_in else None
        code = draw(st.sampled_from(CLASSES[state]))
        lines.append(draw(payroll_line(state, code, employee, period_days)))
    # Non-hourly pay without a class, for employees who have classified pay in that state.
    earners = sorted({(ln.state, ln.employee) for ln in lines if ln.employee is not None})
    for state, employee in earners:
        if draw(st.booleans()):
            lines.append(draw(payroll_line(state, None, employee, period_days)))
    return lines


@st.composite
def owners(draw, states: tuple[str, ...]):
    found = []
    for index in range(draw(st.integers(0, 2))):
        state = draw(st.sampled_from(states))
        found.append(
            Owner(
                name=f"Owner {index}",  # unique: owners never share a payroll cap
                role=draw(st.sampled_from(OWNER_ROLES)),
                state=state,
                class_code=draw(st.sampled_from(CLASSES[state])),
                actual_pay=draw(money(300_000)),
                coverage=draw(st.sampled_from((None, "included", "excluded", "elected"))),
            )
        )
    return found


@st.composite
def subcontractors(draw, states: tuple[str, ...]):
    found = []
    for index in range(draw(st.integers(0, 2))):
        state = draw(st.sampled_from(states))
        cost = draw(money(100_000))
        labor = draw(st.none() | st.integers(0, 100))  # stated labor, percent of the cost
        certificate = draw(st.none() | st.integers(-60, 300))
        found.append(
            Subcontractor(
                name=f"Sub {index}",
                state=state,
                class_code=draw(st.sampled_from(CLASSES[state])),
                contract_cost=cost,
                contract_type=draw(st.sampled_from(CONTRACT_TYPES)),
                stated_labor=None if labor is None else cost * labor / 100,
                certificate_from=None
                if certificate is None
                else EFFECTIVE + timedelta(days=certificate),
                certificate_to=None
                if certificate is None
                else EFFECTIVE + timedelta(days=certificate + 120),
                exempt=draw(st.booleans()),
                sole_proprietor=draw(st.booleans()),
                licensed=draw(st.booleans()),
            )
        )
    return found


@st.composite
def wc_policies(draw, states: tuple[str, ...]):
    mods = tuple(
        ExperienceMod(
            draw(factor("0.50", "2.00")),
            EFFECTIVE + timedelta(days=draw(st.integers(-30, 300))),
            draw(st.sampled_from((None, *states))),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    schedule = tuple(
        ScheduleRating(state, draw(factor("-0.25", "0.25")))
        for state in states
        if draw(st.booleans())
    )
    adjustments = tuple(
        PremiumAdjustment(
            draw(st.sampled_from(states)),
            draw(st.sampled_from(ADJUSTMENT_KINDS)),
            draw(factor("-0.20", "0.20")),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    cancelled = draw(st.none() | st.integers(30, TERM_DAYS - 1))
    cancellation = (
        None
        if cancelled is None
        else Cancellation(
            EFFECTIVE + timedelta(days=cancelled), draw(st.sampled_from(("pro_rata", "short_rate")))
        )
    )
    return policy(
        states=states,
        experience_mods=mods,
        schedule_rating=schedule,
        premium_adjustments=adjustments,
        premium_discount=draw(st.integers(0, 2)) > 0,
        premium_discount_type=draw(st.sampled_from(("type_a", "type_b"))),
        assigned_risk=draw(st.integers(0, 3)) == 0,
        cancellation=cancellation,
    )


@st.composite
def wc_worksheets(
    draw,
    pool: tuple[str, ...] = ("IN", "CA", "NV"),
    named_in: tuple[str, ...] = ("IN", "CA", "NV"),
    estimated_audits: bool = True,
):
    states = tuple(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)))
    pol = draw(wc_policies(states))
    estimates = tuple(
        Estimate(state, draw(st.sampled_from(CLASSES[state])), draw(money(2_000_000)))
        for state in states
    )
    if estimated_audits and draw(st.integers(0, 5)) == 0:
        return Worksheet(pol, estimates, AuditFacts(), Audit(type="estimated"))
    facts = AuditFacts(
        payroll=tuple(draw(payroll_lines(states, named_in, pol.audit_period.days))),
        owners=tuple(draw(owners(states))),
        subcontractors=tuple(draw(subcontractors(states))),
    )
    return Worksheet(pol, estimates, facts)


def exposure_figures(result: Result) -> list[tuple[object, ...]]:
    return [
        (e.state, e.class_code, e.basis, e.period_start, e.amount) for e in result.audited.exposures
    ]


# --- The adjustment -------------------------------------------------------------------------------


@SETTINGS
@given(ws=wc_worksheets())
def test_the_adjustment_is_audited_minus_estimated_and_its_lines_sum_to_it(ws):
    result = rate(ws, RATES)

    assert result.adjustment == result.audited_premium - result.estimated_premium
    assert sum((a.difference for a in result.adjustments), D(0)) == result.adjustment
    assert sum((a.estimated_premium for a in result.adjustments), D(0)) == (
        result.estimated_premium
    )
    assert sum((a.audited_premium for a in result.adjustments), D(0)) == result.audited_premium


@st.composite
def gl_worksheets(draw):
    classes = (("16900", "gross_sales"), ("61217", "area"), ("49451", "each"))
    estimates = tuple(
        Estimate("IN", code, draw(money(2_000_000)), basis)
        for code, basis in classes
        if draw(st.booleans())
    ) or (Estimate("IN", "16900", draw(money(2_000_000)), "gross_sales"),)
    # At least one audited exposure (an empty audit is a worked example in test_premium.py).
    audited = tuple(
        GLExposure("IN", code, basis, draw(money(2_000_000)))
        for code, basis in classes
        if draw(st.booleans())
    ) or (GLExposure("IN", "49451", "each", draw(money(100))),)
    pol = policy(
        line="GL",
        gl_audit=draw(st.sampled_from(("two_way", "one_way"))),
        gl_minimum_premium=draw(st.none() | money(5_000)),
    )
    return Worksheet(pol, estimates, AuditFacts(gl_exposures=audited))


GL_RATES = rate_table(
    "IN GL 16900 3.25 gross_sales", "IN GL 61217 45.678 area min=500", "IN GL 49451 150 each"
)


@SETTINGS
@given(ws=gl_worksheets())
def test_gl_adjustment_lines_sum_to_the_adjustment_and_one_way_audits_never_return(ws):
    result = rate(ws, GL_RATES)

    assert result.adjustment == result.audited_premium - result.estimated_premium
    assert sum((a.difference for a in result.adjustments), D(0)) == result.adjustment
    if ws.policy.gl_audit == "one_way":
        assert result.adjustment >= 0


# --- Exclusions -----------------------------------------------------------------------------------


@SETTINGS
@given(ws=wc_worksheets(estimated_audits=False))
def test_no_exclusion_makes_an_audited_exposure_negative(ws):
    result = rate(ws, RATES)

    assert all(e.amount >= 0 for e in result.audited.exposures)
    for state in result.audited.states:
        assert all(c.exposure >= 0 and c.manual_premium >= 0 for c in state.classes)


# --- Rounding and allocation ----------------------------------------------------------------------

INCREMENTS = st.sampled_from([D(x) for x in ("0.01", "1", "0.05", "0.25", "5", "10", "1E+2")])
MODES = st.sampled_from(("ROUND_HALF_UP", "ROUND_HALF_EVEN"))
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=6)


@SETTINGS
@given(value=AMOUNTS, increment=INCREMENTS, mode=MODES)
def test_rounding_twice_is_the_same_as_rounding_once(value, increment, mode):
    once = quantize(value, increment, mode)

    assert quantize(once, increment, mode) == once
    # and it is a multiple of the increment, at most half an increment away
    assert (once / increment) == (once / increment).to_integral_value()
    assert abs(once - value) <= increment / 2


@SETTINGS
@given(value=AMOUNTS, line=INCREMENTS, premium=INCREMENTS, mode=MODES)
def test_rounding_lines_and_premiums_is_idempotent(value, line, premium, mode):
    rounding = Rounding(line=line, premium=premium, mode=mode)

    assert rounding.line_amount(rounding.line_amount(value)) == rounding.line_amount(value)
    assert rounding.premium_amount(rounding.premium_amount(value)) == rounding.premium_amount(value)


@SETTINGS
@given(
    units=st.integers(-(10**9), 10**9),
    increment=st.sampled_from([D("0.01"), D("1"), D("0.05")]),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=8),
)
def test_allocated_parts_sum_to_the_total_and_stay_within_one_increment_of_the_share(
    units, increment, weights
):
    total = units * increment
    parts = allocate(total, weights, increment)

    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == total
    weight_sum = sum(weights, D(0))
    for part, weight in zip(parts, weights, strict=True):
        assert part / increment == (part / increment).to_integral_value()
        if weight_sum:
            exact = Fraction(total) * Fraction(weight) / Fraction(weight_sum)
            assert abs(Fraction(part) - exact) < Fraction(increment)
    if not weight_sum:
        assert parts == [total] + [D(0)] * (len(weights) - 1)


# --- Monotonicity ---------------------------------------------------------------------------------
# Adding a payroll line never lowers a one-state premium, premium discount included: the discount
# is a piecewise-linear function of standard premium S whose marginal rate is at most 12.3% (type A)
# or 14.4% (type B), so S - discount(S) rises with S; rounding the discount to the cent cannot undo
# a rise of a cent or more, because the rounded discount rises by at most one cent for each cent.
# Every other step (mods, schedule rating, surcharge, short rate, charges, minimum) is a
# non-decreasing function of payroll, and so is rounding. The new line belongs to a new employee
# so that classification rules (a standard exception that meets other work) cannot move pay.
# Multistate policies are monotone only to within rounding: see the example below.


@SETTINGS
@given(ws=wc_worksheets(pool=("IN",), estimated_audits=False), data=st.data())
def test_adding_payroll_never_lowers_the_premium(ws, data):
    period_days = ws.policy.audit_period.days
    code = data.draw(st.sampled_from(CLASSES["IN"]))
    employee = data.draw(st.sampled_from((None, "Newcomer")))
    extra = data.draw(payroll_line("IN", code, employee, period_days))
    more = replace(ws, audited=replace(ws.audited, payroll=(*ws.audited.payroll, extra)))

    assert rate(more, RATES).audited_premium >= rate(ws, RATES).audited_premium


def test_adding_payroll_in_one_state_lowers_a_multistate_premium_by_no_more_than_rounding():
    rates = rate_table("IN WC 5645 5.00", "KY WC 5645 4.00")
    before = Worksheet(
        policy(states=("IN", "KY"), premium_discount=True),
        (Estimate("IN", "5645", D("100000")),),
        AuditFacts(
            payroll=(
                PayrollLine("IN", "5645", D("4140737.31")),
                PayrollLine("KY", "5645", D("2410824.73")),
            )
        ),
    )
    after = replace(
        before,
        audited=replace(
            before.audited,
            payroll=(*before.audited.payroll, PayrollLine("KY", "5645", D("10"))),
        ),
    )
    # KY standard premium rises by 10 × 4% = 0.40. The policy total, and with it the average
    # discount rate, rises, so IN's discount rises by a cent; IN's premium before rounding falls
    # across a half dollar (to $188,252 from $188,253) while KY's does not reach the next one.
    # Each state rounds its own premium (the rule book's per-state rounding), so the policy
    # premium is monotone only to within $1 for each state past the first.
    assert rate(after, rates).audited_premium >= rate(before, rates).audited_premium - 1


# --- Line order -----------------------------------------------------------------------------------
# NV payroll lines are unnamed here; a capped employee's lines in any order are checked below.


@SETTINGS
@given(ws=wc_worksheets(named_in=("IN", "CA"), estimated_audits=False), seed=st.integers())
def test_line_order_does_not_change_the_result(ws, seed):
    shuffler = random.Random(seed)
    facts = ws.audited
    shuffled = replace(
        ws,
        audited=AuditFacts(
            payroll=tuple(shuffler.sample(facts.payroll, len(facts.payroll))),
            owners=tuple(shuffler.sample(facts.owners, len(facts.owners))),
            subcontractors=tuple(shuffler.sample(facts.subcontractors, len(facts.subcontractors))),
        ),
    )
    first, second = rate(ws, RATES), rate(shuffled, RATES)

    assert second.audited_premium == first.audited_premium
    assert second.adjustments == first.adjustments
    assert exposure_figures(second) == exposure_figures(first)


def test_line_order_does_not_change_how_a_capped_employees_payroll_is_split_between_classes():
    rates = rate_table("NV WC 5645 5.00", "NV WC 5403 9.00")
    lines = [PayrollLine("NV", "5645", D("10000"), employee="Ann")] * 5 + [
        PayrollLine("NV", "5403", D("10000"), employee="Ann")
    ] * 2

    def rated(order: list[PayrollLine]) -> Result:
        return rate(
            Worksheet(
                policy(states=("NV",)),
                (Estimate("NV", "5645", D("70000")),),
                AuditFacts(payroll=tuple(order)),
            ),
            rates,
        )

    # 70,000 is capped at 36,000: 36,000 / 7 = 5,142.857... a line: 5,142.85 each and five
    # leftover cents, tied, so they go to the first five lines: 5645 gets 25,714.30 in one order
    # and 25,714.28 in the other.
    assert exposure_figures(rated(lines)) == exposure_figures(rated(lines[::-1]))
