"""The rule-book loader and the rate tables: shipped files load, every rule is dated and sourced,
the version in force is picked by the policy's effective date, and bad files are refused with an
error that says where."""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.rating.factories import (
    HEADER,
    D,
    audited_exposure,
    policy,
    rate,
    rate_table,
    worksheet,
)
from trueup.rating import RateTable, RuleBook, RuleBookError, WorksheetError
from trueup.rating.rulebook import DEFAULT_DIRECTORY, STATUSES
from trueup.rating.worksheet import Estimate, Owner, PayrollLine

SHIPPED_FILES = sorted(DEFAULT_DIRECTORY.glob("*.toml"))

MINIMAL_NCCI = """
jurisdiction = "NCCI"
name = "NCCI (test)"

[[expense_constant]]
effective = 2020-01-01
amount = "160"
source = "test default"
status = "illustrative"

[[terrorism]]
effective = 2020-01-01
rate_per_100 = "0.01"
source = "test default"
status = "illustrative"
"""


def write_rules(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def copy_shipped(directory: Path) -> Path:
    for path in SHIPPED_FILES:
        shutil.copy(path, directory / path.name)
    return directory


# --- The shipped rule book ------------------------------------------------------------------------


def test_every_shipped_file_loads_as_its_own_jurisdiction():
    book = RuleBook.load(DEFAULT_DIRECTORY)

    # one jurisdiction per file, named like the file (a second file for one jurisdiction would
    # silently replace the first)
    assert sorted(book.jurisdictions) == sorted(p.stem.upper() for p in SHIPPED_FILES)
    assert re.fullmatch(r"rulebook-[0-9a-f]{12}", book.version)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_each_shipped_file_loads_beside_the_ncci_default(path, tmp_path):
    shutil.copy(DEFAULT_DIRECTORY / "ncci.toml", tmp_path / "ncci.toml")
    shutil.copy(path, tmp_path / path.name)

    book = RuleBook.load(tmp_path)
    jurisdiction = book.jurisdictions[path.stem.upper()]
    if jurisdiction.code == "NCCI":
        return
    assert jurisdiction.inherits == "NCCI"
    # a monopolistic state's file names the fund and holds no rules; every other holds its own
    assert bool(jurisdiction.rules) != jurisdiction.monopolistic
    assert bool(jurisdiction.state_fund) == jurisdiction.monopolistic


@pytest.mark.parametrize("state", ["NCCI", *RuleBook.load().private_states()])
def test_every_shipped_state_has_the_rules_the_premium_algorithm_requires_in_force(state):
    rules = RuleBook.load().rules_for(state, date(2025, 1, 1))

    for rule_id in (
        "classification",
        "subcontractors",
        "overtime",
        "schedule_rating",
        "assigned_risk_surcharge",
        "non_compliance",
        "cancellation",
        "gl_bases",
    ):
        rules.require(rule_id)
    assert rules.rounding.line == D("0.01")


def test_every_rule_version_has_a_source_a_status_and_an_effective_date():
    book = RuleBook.load(DEFAULT_DIRECTORY)

    versions = [
        version
        for jurisdiction in book.jurisdictions.values()
        for rule_versions in jurisdiction.rules.values()
        for version in rule_versions
    ]
    assert versions
    for version in versions:
        assert version.source.strip(), version.cite()
        assert version.status in STATUSES, version.cite()
        assert isinstance(version.effective, date), version.cite()
        assert version.expires is None or version.expires > version.effective, version.cite()


def test_no_two_versions_of_a_rule_take_effect_on_the_same_day():
    book = RuleBook.load(DEFAULT_DIRECTORY)

    for jurisdiction in book.jurisdictions.values():
        for rule_id, versions in jurisdiction.rules.items():
            days = [v.effective for v in versions]
            assert len(days) == len(set(days)), f"{jurisdiction.code}:{rule_id}"


# --- The version in force -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "weekly_min", "weekly_max", "annual_min", "annual_max"),
    [
        # ICRB payroll limitations (RULES.md 2)
        (date(2024, 1, 1), "950", "4500", "49400", "234000"),
        (date(2024, 12, 31), "950", "4500", "49400", "234000"),
        (date(2025, 1, 1), "1000", "4600", "52000", "239200"),
        (date(2025, 12, 31), "1000", "4600", "52000", "239200"),
        (date(2026, 1, 1), "1050", "4900", "54600", "254800"),
    ],
)
def test_the_indiana_officer_limits_in_force_are_picked_by_date(
    on, weekly_min, weekly_max, annual_min, annual_max
):
    rule = RuleBook.load().rules_for("IN", on).require("officers.executive_officer")

    assert rule.jurisdiction == "IN"
    assert rule.effective == date(on.year, 1, 1)
    assert rule.decimal("weekly_min") == D(weekly_min)
    assert rule.decimal("weekly_max") == D(weekly_max)
    assert rule.decimal("annual_min") == D(annual_min)
    assert rule.decimal("annual_max") == D(annual_max)


@pytest.mark.parametrize(
    ("effective", "rated"),
    [
        # 2024 is a leap year: 366 days = 53 weeks (a part week counts);
        # min(950 × 53 = 50,350, 49,400) = 49,400
        (date(2024, 1, 1), "49400"),
        # min(1,000 × 53 = 53,000, 52,000) = 52,000
        (date(2025, 1, 1), "52000"),
        # half the term falls in 2026, but the policy took effect in 2025: 52,000
        (date(2025, 7, 1), "52000"),
        # min(1,050 × 53 = 55,650, 54,600) = 54,600
        (date(2026, 1, 1), "54600"),
    ],
)
def test_the_policys_effective_date_picks_the_indiana_officer_minimum(effective, rated):
    rates = rate_table("IN WC 5645 5.00", "IN WC 8810 0.17")
    ws = worksheet(
        policy_=policy(effective=effective, expiration=effective.replace(year=effective.year + 1)),
        owners=[Owner("Pat", "executive_officer", "IN", "8810", D("10000"))],
    )
    result = rate(ws, rates)

    # actual pay 10,000 is raised to the annual minimum of the version in force
    assert audited_exposure(result, "IN", "8810") == D(rated)


def test_a_version_that_expires_gives_way_to_the_next():
    book = RuleBook.load()

    # IN expense constant: published for 2016-2018 (expires 2019-01-01), then carried forward
    old = book.rules_for("IN", date(2018, 12, 31)).require("expense_constant")
    new = book.rules_for("IN", date(2019, 1, 1)).require("expense_constant")
    assert (old.effective, old.status) == (date(2016, 1, 1), "published")
    assert (new.effective, new.status) == (date(2019, 1, 1), "unverified")


def test_the_assigned_risk_surcharge_in_force_is_picked_by_the_policys_effective_date():
    rates = rate_table("IN WC 5645 5.00", effective="2010-01-01")

    def surcharge(effective: date) -> Decimal:
        ws = worksheet(
            policy_=policy(
                effective=effective,
                expiration=effective.replace(year=effective.year + 1),
                assigned_risk=True,
            ),
            estimated=[Estimate("IN", "5645", D("100000"))],
            payroll=[PayrollLine("IN", "5645", D("200000"))],
        )
        step = rate(ws, rates).audited.state("IN").step("assigned_risk_surcharge")
        assert step is not None
        return step.amount

    # standard 200,000 × 5% = 10,000
    # 2011 version: 25% of the premium above 2,500 = 25% × 7,500 = 1,875.00
    assert surcharge(date(2015, 1, 1)) == D("1875.00")
    # current version (dated 2020): 30% above 2,750 = 30% × 7,250 = 2,175.00
    assert surcharge(date(2025, 1, 1)) == D("2175.00")


# --- Inheritance ----------------------------------------------------------------------------------


def test_a_state_inherits_ncci_for_rules_it_does_not_define_and_the_version_says_so():
    rules = RuleBook.load().rules_for("IN", date(2025, 1, 1))

    assert rules.known
    own = rules.require("officers.executive_officer")
    assert (own.jurisdiction, own.inherited_by) == ("IN", None)
    for rule_id in ("terrorism", "catastrophe", "cancellation"):
        inherited = rules.require(rule_id)
        assert (inherited.jurisdiction, inherited.inherited_by) == ("NCCI", "IN")
        assert inherited.inherit_reason


def test_a_state_inherits_ncci_for_a_date_before_its_own_first_version():
    rules = RuleBook.load().rules_for("IN", date(2015, 6, 1))

    # Indiana's own expense constant starts in 2016; before that the NCCI default applies, and
    # the version handed out says why
    found = rules.require("expense_constant")
    assert (found.jurisdiction, found.inherited_by) == ("NCCI", "IN")
    assert found.inherit_reason == "no Indiana version of this rule is in force on 2015-06-01"
    assert found.status == "illustrative"


def test_a_state_without_a_file_is_refused_naming_the_state():
    rates = rate_table("PR WC 5645 5.00")
    ws = worksheet(
        states=("PR",),
        estimated=[Estimate("PR", "5645", D("100000"))],
        payroll=[PayrollLine("PR", "5645", D("100000"))],
    )

    with pytest.raises(WorksheetError) as refused:
        rate(ws, rates)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        (
            "$.policy.states[0]",
            "the rule book has no file for PR: a policy there cannot be rated until its rules "
            "are loaded",
        )
    ]


def test_a_state_file_overrides_only_the_rules_it_defines(tmp_path):
    iowa = """
jurisdiction = "IA"
name = "Iowa (test)"
inherits = "NCCI"

[[expense_constant]]
effective = 2024-01-01
amount = "250"
source = "test"
status = "illustrative"
"""
    book = RuleBook.load(write_rules(tmp_path, {"ncci.toml": MINIMAL_NCCI, "ia.toml": iowa}))
    rules = book.rules_for("IA", date(2025, 1, 1))

    assert rules.require("expense_constant").decimal("amount") == D("250")
    assert rules.require("terrorism").jurisdiction == "NCCI"
    # before Iowa's version takes effect, NCCI's applies
    earlier = book.rules_for("IA", date(2022, 1, 1)).require("expense_constant")
    assert (earlier.jurisdiction, earlier.decimal("amount")) == ("NCCI", D("160"))


def test_a_state_that_inherits_an_unknown_jurisdiction_is_refused(tmp_path):
    orphan = 'jurisdiction = "IA"\nname = "Iowa"\ninherits = "XXCI"\n'
    directory = write_rules(tmp_path, {"ncci.toml": MINIMAL_NCCI, "ia.toml": orphan})

    with pytest.raises(RuleBookError, match="IA inherits unknown jurisdiction XXCI"):
        RuleBook.load(directory)


def test_a_rule_book_without_the_ncci_default_is_refused(tmp_path):
    iowa = 'jurisdiction = "IA"\nname = "Iowa"\n'
    with pytest.raises(RuleBookError, match="no NCCI default file"):
        RuleBook.load(write_rules(tmp_path, {"ia.toml": iowa}))


def test_two_files_for_the_same_jurisdiction_are_refused(tmp_path):
    directory = copy_shipped(tmp_path)
    shutil.copy(directory / "in.toml", directory / "in_2025.toml")

    with pytest.raises(RuleBookError, match="IN"):
        RuleBook.load(directory)


# --- Refused files --------------------------------------------------------------------------------


def test_a_float_in_a_rule_file_is_refused(tmp_path):
    bad = MINIMAL_NCCI.replace('amount = "160"', "amount = 160.0")
    directory = write_rules(tmp_path, {"ncci.toml": bad})

    with pytest.raises(RuleBookError) as caught:
        RuleBook.load(directory)
    message = str(caught.value)
    assert "ncci.toml" in message
    assert "160.0" in message
    assert "as a string" in message


def test_a_float_in_a_nested_table_is_refused(tmp_path):
    bad = (
        MINIMAL_NCCI
        + """
[[premium_discount.type_a]]
effective = 2020-01-01
layers = [{ up_to = "10000", rate = 0.091 }]
source = "test"
status = "illustrative"
"""
    )
    with pytest.raises(RuleBookError, match=r"ncci\.toml: write the number 0\.091 as a string"):
        RuleBook.load(write_rules(tmp_path, {"ncci.toml": bad}))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("effective = 2020-01-01", "expense_constant[0]: 'effective' must be a TOML date"),
        ('source = "test default"', "expense_constant[0]: every rule version needs a 'source'"),
        ('status = "illustrative"', "expense_constant[0]: 'status' must be one of"),
    ],
)
def test_a_rule_version_without_effective_source_or_status_is_refused(tmp_path, line, message):
    # drop the line from the first rule (expense_constant) only
    bad = MINIMAL_NCCI.replace(line + "\n", "", 1)
    assert bad != MINIMAL_NCCI

    with pytest.raises(RuleBookError) as caught:
        RuleBook.load(write_rules(tmp_path, {"ncci.toml": bad}))
    assert str(caught.value).startswith("ncci.toml: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('status = "illustrative"', 'status = "guess"', "'status' must be one of"),
        ('source = "test default"', 'source = "  "', "needs a 'source'"),
        ("effective = 2020-01-01", 'effective = "2020-01-01"', "'effective' must be a TOML date"),
    ],
)
def test_a_blank_source_an_unknown_status_or_a_text_date_is_refused(tmp_path, old, new, message):
    bad = MINIMAL_NCCI.replace(old, new, 1)

    with pytest.raises(RuleBookError, match=re.escape(message)):
        RuleBook.load(write_rules(tmp_path, {"ncci.toml": bad}))


def test_the_rule_book_version_changes_when_a_file_changes(tmp_path):
    directory = copy_shipped(tmp_path)
    first = RuleBook.load(directory).version

    assert RuleBook.load(directory).version == first  # same files, same version
    assert first == RuleBook.load(DEFAULT_DIRECTORY).version
    path = directory / "in.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a note\n", encoding="utf-8")
    second = RuleBook.load(directory).version
    assert second != first
    text = path.read_text(encoding="utf-8").replace('amount = "160"', 'amount = "175"')
    path.write_text(text, encoding="utf-8")
    assert RuleBook.load(directory).version not in (first, second)


# --- Rate tables ----------------------------------------------------------------------------------

GOOD_ROW = "IN,WC,5645,payroll,2025-01-01,5.43,,,\n"


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("IN,WC,8810,payroll,2025-01-01,abc,,,\n", "rates row 3, column rate"),
        ("IN,WC,8810,payroll,2025-01-01,-0.17,,,\n", "rates row 3, column rate"),
        ("IN,WC,8810,payroll,2025-01-01,,,,\n", "rates row 3, column rate"),
        ("IN,WC,8810,payroll,2025-13-01,0.17,,,\n", "rates row 3, column effective"),
        ("IN,WC,8810,payroll,01/01/2025,0.17,,,\n", "rates row 3, column effective"),
        ("IN,WC,8810,acreage,2025-01-01,0.17,,,\n", "rates row 3, column basis"),
        ("IN,WC,8810,payroll,2025-01-01,0.17,lots,,\n", "rates row 3, column minimum_premium"),
    ],
)
def test_a_bad_rate_row_is_refused_naming_the_row_and_column(row, where):
    with pytest.raises(RuleBookError, match=re.escape(where)):
        RateTable.from_csv_text(HEADER + GOOD_ROW + row, "rates")


def test_a_duplicate_rate_row_is_refused_naming_the_row():
    with pytest.raises(
        RuleBookError, match=r"rates row 3: a second rate for IN/WC/5645/2025-01-01"
    ):
        RateTable.from_csv_text(HEADER + GOOD_ROW + GOOD_ROW.replace("5.43", "5.50"), "rates")


def test_a_rate_table_missing_a_column_is_refused():
    with pytest.raises(RuleBookError, match="missing column"):
        RateTable.from_csv_text("state,line,class,basis,effective,rate\n", "rates")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "sNaN"])
def test_a_rate_that_is_not_a_finite_number_is_refused_naming_the_row_and_column(value):
    with pytest.raises(RuleBookError, match=re.escape("rates row 2, column rate")):
        RateTable.from_csv_text(HEADER + GOOD_ROW.replace("5.43", value), "rates")


@pytest.mark.parametrize("value", ["-750", "NaN"])
def test_a_negative_or_non_finite_minimum_premium_is_refused(value):
    with pytest.raises(RuleBookError, match=re.escape("rates row 2, column minimum_premium")):
        RateTable.from_csv_text(HEADER + GOOD_ROW.replace(",,,", f",{value},,"), "rates")


RATE_VERSIONS = HEADER + (
    # deliberately out of date order
    "IN,WC,5645,payroll,2026-01-01,5.87,,,\n"
    "IN,WC,5645,payroll,2024-01-01,5.00,,,\n"
    "IN,WC,5645,payroll,2025-01-01,5.43,,,\n"
)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 12, 31), None),
        (date(2024, 1, 1), "5.00"),
        (date(2024, 12, 31), "5.00"),
        (date(2025, 1, 1), "5.43"),
        (date(2025, 6, 30), "5.43"),
        (date(2026, 1, 1), "5.87"),
    ],
)
def test_the_rate_in_force_on_a_date_is_picked(on, expected):
    found = RateTable.from_csv_text(RATE_VERSIONS, "rates").lookup("IN", "WC", "5645", on)

    assert (None if found is None else found.rate) == (None if expected is None else D(expected))


def test_a_policy_is_rated_with_the_rates_in_force_on_its_effective_date():
    rates = RateTable.from_csv_text(RATE_VERSIONS, "rates")
    ws = worksheet(
        policy_=policy(effective=date(2025, 7, 1), expiration=date(2026, 7, 1)),
        estimated=[Estimate("IN", "5645", D("100000"))],
        payroll=[PayrollLine("IN", "5645", D("100000"))],
    )
    (cls,) = rate(ws, rates).audited.state("IN").classes

    # the 2025 rate for the whole term, although half of it falls in 2026: 100,000 × 5.43% = 5,430
    assert cls.rate == D("5.43")
    assert cls.manual_premium == D("5430.00")
