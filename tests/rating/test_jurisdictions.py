"""Every jurisdiction, explicitly: a worksheet rates in every private-carrier state with that
state's own class codes, a value taken from the NCCI default is reported as such, monopolistic
states and states with no rule book are refused, and each independent bureau's distinctive rule
gives its published figures."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.rating.factories import D, audited_exposure, rate_table, worksheet
from trueup.rating import RuleBook, WorksheetError, rate_worksheet
from trueup.rating.rates import demo_rates
from trueup.rating.rulebook import DEFAULT_DIRECTORY
from trueup.rating.rulebook.coverage import TABLE_DATE, state_table, undeclared
from trueup.rating.worksheet import Estimate, Owner, PayrollLine

BOOK = RuleBook.load()
README = Path(__file__).resolve().parents[2] / "README.md"
# The 50 states and DC: 46 private-carrier states and DC, and four monopolistic state funds
ALL_JURISDICTIONS = 51
MONOPOLISTIC = ("ND", "OH", "WA", "WY")


def two_class_worksheet(state: str, on: date = date(2025, 1, 1)):
    """Two of the state's demo classes: 100,000 estimated in each, 120,000 and 80,000 audited."""
    first, second = sorted(r.class_code for r in demo_rates().classes(state, "WC", on))[:2]
    return worksheet(
        states=(state,),
        effective=on,
        expiration=on.replace(year=on.year + 1),
        estimated=[Estimate(state, first, D("100000")), Estimate(state, second, D("100000"))],
        payroll=[
            PayrollLine(state, first, D("120000"), employee="Ana"),
            PayrollLine(state, second, D("80000"), employee="Ben"),
        ],
    )


# --- The whole country ----------------------------------------------------------------------------


def test_the_rule_book_has_a_file_for_every_state_and_dc():
    assert len(BOOK.states()) == ALL_JURISDICTIONS
    assert [s for s in BOOK.states() if BOOK.jurisdictions[s].monopolistic] == list(MONOPOLISTIC)
    assert len(BOOK.private_states()) == ALL_JURISDICTIONS - len(MONOPOLISTIC)


@pytest.mark.parametrize("state", BOOK.private_states())
def test_every_private_state_file_declares_every_rule_of_the_default(state):
    # its own versions, or an explicit inherit entry saying why the default applies
    assert undeclared(BOOK, state) == []
    jurisdiction = BOOK.jurisdictions[state]
    assert jurisdiction.bureau
    assert jurisdiction.class_system


@pytest.mark.parametrize("state", BOOK.private_states())
def test_a_two_class_worksheet_rates_in_every_private_state(state):
    result = rate_worksheet(two_class_worksheet(state))

    # both classes are rated with the state's own (illustrative) rates
    assert len(result.audited.states[0].classes) == 2
    assert result.audited_premium > 0
    # a figure from the NCCI default is never silent: a finding names the rules for the state
    used_default = [
        st.reason
        for s in result.audited.states
        for st in s.steps
        if st.reason.inherited_from == "NCCI"
    ]
    findings = [f for f in result.findings if f.code == "inherited_rule"]
    assert bool(used_default) == bool(findings)
    for finding in findings:
        assert finding.state == state
        assert BOOK.jurisdictions[state].name in finding.message


def test_the_readme_carries_the_rule_books_state_table():
    # regenerate with: .venv/bin/python -m trueup.rating.rulebook.coverage
    text = README.read_text(encoding="utf-8")
    assert state_table(BOOK, TABLE_DATE) in text


# --- No silent default ----------------------------------------------------------------------------


def test_a_rule_taken_from_the_default_says_so_in_the_reason_and_the_findings():
    result = rate_worksheet(two_class_worksheet("IA"))
    (step,) = [s for s in result.audited.states[0].steps if s.code == "expense_constant"]

    assert step.reason.inherited_from == "NCCI"
    assert step.reason.status == "illustrative"
    # the source is the default's own, naming no other state
    assert "Indiana" not in step.reason.source and "Iowa" not in step.reason.source
    (finding,) = [f for f in result.findings if f.code == "inherited_rule"]
    assert finding.message.startswith("no Iowa figure of its own is on file for: ")
    assert "expense constant" in finding.message


def test_a_states_own_rule_is_not_marked_inherited():
    owner = Owner("Pat", "executive_officer", "IN", "8810", D("300000"))
    ws = worksheet(
        states=("IN",),
        estimated=[Estimate("IN", "8810", D("60000"))],
        owners=[owner],
    )
    result = rate_worksheet(ws, rates=rate_table("IN WC 8810 0.50", effective="2015-01-01"))
    (reason,) = [r for r in result.audited.exposures[0].reasons if r.rule.startswith("officers")]

    assert (reason.inherited_from, reason.status) == (None, "published")


# --- Refused, not rated ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "fund"),
    [
        ("OH", "Ohio Bureau of Workers' Compensation (BWC)"),
        ("WA", "Washington State Department of Labor & Industries (L&I)"),
        ("ND", "Workforce Safety & Insurance (WSI)"),
        ("WY", "Wyoming Workers' Compensation Division"),
    ],
)
def test_workers_compensation_in_a_monopolistic_state_is_refused_naming_the_fund(state, fund):
    ws = worksheet(states=(state,), estimated=[Estimate(state, "8810", D("100000"))])

    with pytest.raises(WorksheetError) as refused:
        rate_worksheet(ws, rates=rate_table(f"{state} WC 8810 0.50"))
    name = BOOK.jurisdictions[state].name
    assert (refused.value.problems[0].path, refused.value.problems[0].reason) == (
        "$.policy.states[0]",
        f"workers' compensation in {name} is written only by the state fund ({fund}): it is "
        "not rated here",
    )


def test_an_ncci_class_code_in_pennsylvania_is_refused_naming_the_states_code_system():
    ws = worksheet(states=("PA",), estimated=[Estimate("PA", "8810", D("100000"))])

    with pytest.raises(WorksheetError) as refused:
        rate_worksheet(ws)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "$.estimated[0].class",
            "8810 is not a Pennsylvania class code: Pennsylvania uses the PCRB's three-digit "
            "class codes",
        )
    ]


def test_pennsylvania_clerical_class_953_rates_with_the_pcrb_code():
    ws = worksheet(
        states=("PA",),
        estimated=[Estimate("PA", "953", D("100000"))],
        payroll=[PayrollLine("PA", "953", D("100000"))],
    )

    result = rate_worksheet(ws)
    assert audited_exposure(result, "PA", "953") == D("100000.00")


# --- Each independent bureau's distinctive rule, with its published figures ----------------------


def officer_rated(state: str, pay: str, effective: date, role: str = "executive_officer"):
    code = "0953" if state == "DE" else "8810"
    coverage = "included" if role == "executive_officer" else "elected"
    owner = Owner("Pat", role, state, code, D(pay), coverage=coverage)
    rates = rate_table(f"{state} WC {code} 0.50", effective="2015-01-01")
    ws = worksheet(
        states=(state,),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
        estimated=[Estimate(state, code, D("60000"))],
        owners=[owner],
    )
    return audited_exposure(rate_worksheet(ws, rates=rates), state, code)


@pytest.mark.parametrize(
    ("state", "effective", "pay", "rated"),
    [
        # Wisconsin (WCRB), 10/1/2022: $348 to $1,739 a week; 52 × 1,739 = 90,428; 52 × 348 = 18,096
        ("WI", date(2022, 10, 1), "120000", "90428"),
        ("WI", date(2022, 10, 1), "10000", "18096"),
        # Minnesota (MWCIA), 2025: 52 × SAWW $1,372 = 71,344 minimum; 4 × that = 285,376 maximum
        ("MN", date(2025, 1, 1), "40000", "71344"),
        ("MN", date(2025, 1, 1), "400000", "285376"),
        ("MN", date(2025, 1, 1), "150000", "150000"),
        # Massachusetts (WCRIBMA), 10/1/2024: $290 to $1,460 a week
        ("MA", date(2024, 10, 1), "120000", "75920"),
        ("MA", date(2024, 10, 1), "10000", "15080"),
        # Delaware (DCRB), 12/1/2023: $1,301 to $5,200 a week
        ("DE", date(2023, 12, 1), "40000", "67652"),
        ("DE", date(2023, 12, 1), "300000", "270400"),
        # North Carolina (NCRB), 1/1/2017: $44,200 to $88,400 a year
        ("NC", date(2017, 1, 1), "30000", "44200"),
        ("NC", date(2017, 1, 1), "120000", "88400"),
        # New Jersey (NJCRIB), 1/1/2021: $660 to $2,640 a week
        ("NJ", date(2021, 1, 1), "20000", "34320"),
        ("NJ", date(2021, 1, 1), "200000", "137280"),
        # New York (NYCIRB), 10/1/2022: $45,500 to $135,200 a year
        ("NY", date(2022, 10, 1), "30000", "45500"),
        ("NY", date(2022, 10, 1), "200000", "135200"),
    ],
)
def test_an_independent_bureaus_officer_limits_hold_the_officers_payroll(
    state, effective, pay, rated
):
    assert officer_rated(state, pay, effective) == D(rated)


def owner_by_state_default(state: str, role: str, pay: str, effective: date):
    """An owner whose coverage is left to the state's default for the role."""
    owner = Owner("Pat", role, state, "8810", D(pay))
    ws = worksheet(
        states=(state,),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
        estimated=[Estimate(state, "8810", D("60000"))],
        owners=[owner],
    )
    rates = rate_table(f"{state} WC 8810 0.50", effective="2015-01-01")
    return rate_worksheet(ws, rates=rates)


def test_a_texas_sole_proprietor_is_covered_at_the_states_fixed_payroll():
    # TDI/DWC from 10/1/2025: SAWW $1,271.05 × 1.25 × 52, published as $82,600; covered unless
    # excluded by endorsement
    result = owner_by_state_default("TX", "sole_proprietor", "30000", date(2025, 10, 1))
    assert audited_exposure(result, "TX", "8810") == D("82600")


def test_a_michigan_sole_proprietor_is_not_an_employee_of_his_own_business():
    # Michigan LARA: a sole proprietor is never an employee of the sole proprietorship
    result = owner_by_state_default("MI", "sole_proprietor", "60000", date(2025, 1, 1))
    assert [e for e in result.audited.exposures if e.state == "MI"] == []
    (excluded,) = result.audited.exclusions
    assert excluded.amount == D("60000")


def test_a_massachusetts_owner_who_elects_coverage_is_rated_at_the_flat_amount():
    # WCRIBMA, 10/1/2024: sole proprietors, partners and LLC members who elect: $66,600
    assert officer_rated("MA", "250000", date(2024, 10, 1), "sole_proprietor") == D("66600")


# --- The multistate premium discount: rounding of the average is the state's ---------------------

ROUNDED_IA = """
jurisdiction = "IA"
name = "Iowa (test)"
inherits = "NCCI"

[[premium_discount.multistate]]
effective = 2020-01-01
round_average_percent_to = "0.1"
source = "test: the average discount percentage is rounded to 0.1 point"
status = "illustrative"
"""


@pytest.fixture
def book_with_rounding(tmp_path: Path) -> RuleBook:
    for name in ("ncci.toml", "in.toml"):
        shutil.copy(DEFAULT_DIRECTORY / name, tmp_path / name)
    (tmp_path / "ia.toml").write_text(ROUNDED_IA, encoding="utf-8")
    return RuleBook.load(tmp_path)


def test_the_multistate_average_discount_is_rounded_only_where_the_states_rule_says(
    book_with_rounding,
):
    rates = rate_table("IN WC 5645 5.00", "IA WC 5645 5.00")
    ws = worksheet(
        payroll=[
            PayrollLine("IN", "5645", D("3000000")),
            PayrollLine("IA", "5645", D("2000000")),
        ],
        states=("IN", "IA"),
        premium_discount=True,
    )
    result = rate_worksheet(ws, rulebook=book_with_rounding, rates=rates)
    discounts = {
        s.state: next(st for st in s.steps if st.code == "premium_discount")
        for s in result.audited.states
    }

    # total standard 250,000. The NCCI default table on 250,000: 190,000 × 9.1% + 50,000 × 11.3%
    # = 22,940, an average of 9.176%. Indiana (no rounding rule): 150,000 × 9.176% = 13,764.00
    assert discounts["IN"].amount == D("-13764.00")
    # Iowa rounds the average to 0.1 point: 9.176% → 9.2%; 100,000 × 9.2% = 9,200.00
    assert discounts["IA"].amount == D("-9200.00")
    assert "(rounded to the nearest 0.1%)" in discounts["IA"].reason.text
    assert "rounded" not in discounts["IN"].reason.text


def test_the_state_table_lists_each_family_with_its_status():
    table = state_table(BOOK, TABLE_DATE)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()[2:]}

    assert len(rows) == len(BOOK.private_states())
    # Pennsylvania's officer limit in force on 1/1/2026 is the unverified 4/1/2025 version; its
    # other owner roles come from the default
    assert rows["PA Pennsylvania"].split(" | ")[3] == "unverified, inherited"
    assert rows["IN Indiana"].split(" | ")[3] == "published, inherited"
    assert "ND North Dakota" not in rows
