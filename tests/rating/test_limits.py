"""Worksheets too deep or with numbers too large are refused by JSON path, never with a traceback.

JSON nested deeper than a worksheet can be is refused when it is read, with the path of the first
list or object too deep. Numbers larger than the system of record can store, and dates outside
1900 to 2999, are refused before the engine does any arithmetic with them, so neither
``decimal.InvalidOperation`` nor ``OverflowError`` can escape. Text that could not be printed is
refused when it is read.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from trueup.rating import (
    Problem,
    WorksheetError,
    default_rulebook,
    demo_rates,
    rate_worksheet,
    worksheet_from_dict,
    worksheet_from_json,
)
from trueup.rating.jsonio import MAX_NESTING
from trueup.rating.validate import validate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOO_DEEP = "is nested too deep: a worksheet nests lists and objects at most 32 deep"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def read_problems(text: str) -> list[Problem]:
    with pytest.raises(WorksheetError) as refused:
        worksheet_from_json(text)
    return list(refused.value.problems)


def check(data: dict[str, Any]) -> list[Problem]:
    """What the validator says of a worksheet that reads without problems."""
    return validate(worksheet_from_dict(data), default_rulebook(), demo_rates())


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# --- Nesting --------------------------------------------------------------------------------------


def test_a_value_nested_1000_deep_is_refused_when_read_with_the_path_of_the_first_list_too_deep():
    data = example("01-two-class-single-state.json")
    data["policy"]["insured_name"] = "NESTED"
    text = json.dumps(data).replace('"NESTED"', nested(1000))

    # The root object and policy are two levels, the insured name's list the third: the 33rd
    # level is 30 lists further in.
    assert read_problems(text) == [Problem("$.policy.insured_name" + "[0]" * 30, TOO_DEEP)]


def test_the_path_of_a_list_too_deep_counts_the_items_and_keys_before_it():
    text = '{"a": [1, {"x": "]]", "y": [2, 3, ' + nested(40) + "]}]}"

    assert read_problems(text) == [Problem("$.a[1].y[2]" + "[0]" * 28, TOO_DEEP)]


def test_brackets_inside_strings_do_not_count_as_nesting():
    # Written out by json.dumps as [[[...\"{\"{...: escaped quotes do not end the string.
    name = "[" * 100 + '"{' * 100
    data = example("01-two-class-single-state.json")
    data["policy"]["insured_name"] = name

    assert worksheet_from_json(json.dumps(data)).policy.insured_name == name


def test_nesting_up_to_the_limit_is_read_and_refused_only_for_its_type():
    data = example("01-two-class-single-state.json")
    data["policy"]["insured_name"] = "NESTED"
    # Two levels above the insured name: the deepest list is at the limit.
    text = json.dumps(data).replace('"NESTED"', nested(MAX_NESTING - 2))

    assert read_problems(text) == [Problem("$.policy.insured_name", "must be a non-empty string")]


def test_an_object_without_a_key_nested_too_deep_is_refused_with_an_empty_key_in_its_path():
    assert read_problems("{[" * 40) == [Problem("$" + '[""][0]' * 16, TOO_DEEP)]


def test_invalid_json_nested_too_deep_is_refused_for_its_depth_with_a_path():
    assert read_problems('{"policy": ' + "[" * 5000) == [Problem("$.policy" + "[0]" * 31, TOO_DEEP)]


# --- Numbers too large ----------------------------------------------------------------------------

TOO_MUCH_MONEY = "is out of range: an amount has at most 12 digits before the decimal point"


@pytest.mark.parametrize("amount", ["1" + "0" * 28, 10**28, "-1" + "0" * 28, "1000000000000"])
def test_a_gl_amount_of_13_digits_or_more_is_refused_with_its_path(amount: str | int):
    data = example("03-general-liability.json")
    data["audited"]["gl_exposures"][1]["amount"] = amount

    assert check(data) == [Problem("$.audited.gl_exposures[1].amount", TOO_MUCH_MONEY)]
    with pytest.raises(WorksheetError) as refused:
        rate_worksheet(worksheet_from_dict(data))
    assert refused.value.problems == (Problem("$.audited.gl_exposures[1].amount", TOO_MUCH_MONEY),)


def test_the_largest_amount_the_system_of_record_stores_is_rated():
    data = example("03-general-liability.json")
    data["audited"]["gl_exposures"][1]["amount"] = "999999999999.99"

    assert rate_worksheet(worksheet_from_dict(data)).audited_premium > 0


def test_an_integer_too_long_for_python_to_read_is_refused_by_the_limits_with_its_path():
    data = example("03-general-liability.json")
    data["audited"]["gl_exposures"][0]["amount"] = "LONG"
    text = json.dumps(data).replace('"LONG"', "9" * 5000)

    assert validate(worksheet_from_json(text), default_rulebook(), demo_rates()) == [
        Problem("$.audited.gl_exposures[0].amount", TOO_MUCH_MONEY)
    ]


def test_a_whole_number_field_too_long_for_python_is_refused_as_too_large():
    data = example("02-multistate-officers-subcontractor.json")
    data["audited"]["officers"][0]["weeks_covered"] = "LONG"
    text = json.dumps(data).replace('"LONG"', "5" * 5000)

    assert read_problems(text) == [
        Problem("$.audited.officers[0].weeks_covered", "is too large a number")
    ]


@pytest.mark.parametrize(
    ("example_name", "where", "value", "reason"),
    [
        (
            "02-multistate-officers-subcontractor.json",
            ("policy", "deposit_premium"),
            "1000000000000",
            TOO_MUCH_MONEY,
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("policy", "experience_mods", 1, "factor"),
            "10",
            "is out of range: a factor has at most 1 digit before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("policy", "schedule_rating", 0, "factor"),
            "-10",
            "is out of range: a factor has at most 1 digit before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("policy", "premium_adjustments", 0, "rate"),
            "12.5",
            "is out of range: a rate has at most 1 digit before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("estimated", 2, "exposure"),
            "1" + "0" * 28,
            TOO_MUCH_MONEY,
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "payroll", 5, "severance"),
            "1" + "0" * 28,
            TOO_MUCH_MONEY,
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "payroll", 0, "hours"),
            "100000000",
            "is out of range: a number of hours has at most 8 digits before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "payroll", 0, "hourly_rate"),
            "1000000",
            "is out of range: an hourly rate has at most 6 digits before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "officers", 1, "actual_pay"),
            "-1000000000000",
            TOO_MUCH_MONEY,
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "officers", 0, "ownership_percent"),
            "1000",
            "is out of range: a percentage has at most 3 digits before the decimal point",
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "subcontractors", 0, "stated_labor"),
            "1000000000000",
            TOO_MUCH_MONEY,
        ),
        (
            "02-multistate-officers-subcontractor.json",
            ("audited", "subcontractors", 1, "days_worked"),
            "10000",
            "is out of range: a number of months or days has at most 4 digits before the "
            "decimal point",
        ),
        (
            "05-estimated-non-compliance.json",
            ("audit", "non_compliance_multiplier"),
            "10",
            "is out of range: a factor has at most 1 digit before the decimal point",
        ),
        (
            "05-estimated-non-compliance.json",
            ("audit", "audit_costs"),
            "1000000000000",
            TOO_MUCH_MONEY,
        ),
    ],
)
def test_each_number_is_refused_past_the_limit_of_its_kind_before_any_other_check(
    example_name: str, where: tuple[str | int, ...], value: str, reason: str
):
    data = example(example_name)
    *parents, name = where
    holder: Any = data
    for key in parents:
        holder = holder[key]
    holder[name] = value
    path = "$" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in where)

    assert check(data) == [Problem(path, reason)]


def test_numbers_that_are_not_finite_from_python_callers_are_refused():
    data = example("01-two-class-single-state.json")
    data["audited"]["payroll"][0]["gross"] = Decimal("NaN")
    data["audited"]["payroll"][1]["tips"] = Decimal("-Infinity")

    assert check(data) == [
        Problem("$.audited.payroll[0].gross", "is not a finite number"),
        Problem("$.audited.payroll[1].tips", "is not a finite number"),
    ]


@pytest.mark.parametrize(
    "number",
    [
        "1e5",
        "1E+999999999",
        "-1e-999999999",
        "1234.5",
        "1e9999999999999999999999999",
        "-1.5e-9999999999999999999999999",
    ],
)
def test_json_numbers_with_an_exponent_or_fraction_are_refused_however_large_as_before(
    number: str,
):
    data = example("03-general-liability.json")
    data["audited"]["gl_exposures"][0]["amount"] = "NUMBER"
    text = json.dumps(data).replace('"NUMBER"', number)

    assert read_problems(text) == [
        Problem(
            "$.audited.gl_exposures[0].amount",
            'write amounts as strings ("1234.56") or whole numbers, never fractional JSON numbers',
        )
    ]


# --- Dates and text -------------------------------------------------------------------------------

DATE_OUT_OF_RANGE = "is out of range: dates must fall between 1900-01-01 and 2999-12-31"


def test_last_days_the_engine_would_add_a_day_to_are_refused_with_their_paths():
    data = example("02-multistate-officers-subcontractor.json")
    data["audited"]["officers"][1]["covered_to"] = "9999-12-31"
    data["audited"]["subcontractors"][0]["work_to"] = "9999-12-31"
    data["audited"]["subcontractors"][1]["certificate_from"] = "1899-12-31"

    assert check(data) == [
        Problem("$.audited.officers[1].covered_to", DATE_OUT_OF_RANGE),
        Problem("$.audited.subcontractors[0].work_to", DATE_OUT_OF_RANGE),
        Problem("$.audited.subcontractors[1].certificate_from", DATE_OUT_OF_RANGE),
    ]


def test_a_policy_term_at_the_ends_of_the_date_range_is_checked_as_usual():
    data = example("01-two-class-single-state.json")
    data["policy"]["effective"] = "1900-01-01"
    data["policy"]["expiration"] = "2999-12-31"

    assert DATE_OUT_OF_RANGE not in {problem.reason for problem in check(data)}


def test_text_with_an_unpaired_surrogate_is_refused_when_read():
    data = example("01-two-class-single-state.json")
    data["audited"]["payroll"][2]["employee"] = "Off\ud800ice"

    assert read_problems(json.dumps(data)) == [
        Problem(
            "$.audited.payroll[2].employee",
            "is not valid text: it has an unpaired surrogate (\\ud800 to \\udfff)",
        )
    ]


def test_an_unknown_key_that_is_not_a_name_is_quoted_in_its_path():
    data = example("01-two-class-single-state.json")
    data["policy"]["two words\n"] = 1
    data["policy"]["ok_name"] = 1

    assert read_problems(json.dumps(data)) == [
        Problem("$.policy.ok_name", "is not a known field"),
        Problem('$.policy["two words\\n"]', "is not a known field"),
    ]
