"""The ``trueup rate`` command: JSON out, plain language with --explain, exit 2 on bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from trueup.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_rate_prints_the_result_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", str(EXAMPLES / "01-two-class-single-state.json")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["policy_number"] == "WC-2025-01001"
    assert result["outcome"] in ("additional", "return", "zero")
    assert Decimal(result["adjustment"]) == Decimal(result["audited_premium"]) - Decimal(
        result["estimated_premium"]
    )


def test_explain_prints_the_largest_driver_with_its_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rate", "--explain", str(EXAMPLES / "01-two-class-single-state.json")]) == 0
    out = capsys.readouterr().out
    assert "payroll in class 5645 in IN rose from $350,000 to $436,500" in out
    assert "overtime premium excluded: -$12,000 of payroll" in out


def test_a_bad_worksheet_exits_2_and_lists_every_problem_by_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "policy": {
            "line": "WC",
            "number": "X",
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN"],
        },
        "estimated": [{"state": "IN", "class": "8810", "exposure": "1000"}],
        "audited": {
            "payroll": [{"state": "IN", "class": "8810", "gross": "1000", "tips": "1500"}],
            "officers": [
                {"name": "A", "role": "boss", "state": "IN", "class": "8810", "actual_pay": "10"}
            ],
        },
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert main(["rate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "2 problem(s)" in captured.err
    assert "$.audited.payroll[0].gross: gross pay 1000 is less than" in captured.err
    assert "$.audited.officers[0].role: must be one of" in captured.err
    assert "Traceback" not in captured.err


def test_a_worksheet_with_unknown_fields_and_missing_ones_names_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"policy": {"line": "WC", "colour": "red"}, "estimated": []}))
    assert main(["rate", str(path)]) == 2
    err = capsys.readouterr().err
    for expected in (
        "$.policy.colour: is not a known field",
        "$.policy.number: is required",
        "$.policy.effective: is required",
        "$.policy.expiration: is required",
    ):
        assert expected in err


def test_invalid_json_exits_2_with_the_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"policy": ')
    assert main(["rate", str(path)]) == 2
    assert "$: not valid JSON" in capsys.readouterr().err


def test_a_missing_file_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "/nonexistent/worksheet.json"]) == 2
    assert "cannot read /nonexistent/worksheet.json" in capsys.readouterr().err


def test_a_class_without_a_rate_is_reported_against_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["audited"]["payroll"][0]["class"] = "0001"
    path = tmp_path / "unrated.json"
    path.write_text(json.dumps(worksheet))
    assert main(["rate", str(path)]) == 2
    assert "$.audited.payroll[0].class: no WC rate for class 0001 in IN" in capsys.readouterr().err


def test_a_malformed_rate_table_exits_2_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "state,line,class,basis,effective,rate,minimum_premium,description,status\n"
        "IN,WC,8810,payroll,2025-01-01,abc,,,\n"
    )
    example = str(EXAMPLES / "01-two-class-single-state.json")
    assert main(["rate", "--rates", str(rates), example]) == 2
    assert "rates row 2, column rate: 'abc' is not a number" in capsys.readouterr().err


def test_a_value_nested_1000_deep_exits_2_with_the_path_of_the_first_list_too_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["audited"]["payroll"][0]["tips"] = "DEEP"
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(worksheet).replace('"DEEP"', "[" * 1000 + "]" * 1000))
    assert main(["rate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"trueup: {path}: 1 problem(s):\n"
        "  $.audited.payroll[0].tips" + "[0]" * 28 + ": is nested too deep: a worksheet nests "
        "lists and objects at most 32 deep\n"
    )


def test_a_gl_amount_of_1_followed_by_28_zeros_exits_2_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "03-general-liability.json").read_text())
    worksheet["audited"]["gl_exposures"][1]["amount"] = "1" + "0" * 28
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(worksheet))
    assert main(["rate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"trueup: {path}: 1 problem(s):\n"
        "  $.audited.gl_exposures[1].amount: is out of range: an amount has at most 12 digits "
        "before the decimal point\n"
    )


def test_a_json_integer_of_5000_digits_exits_2_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["estimated"][1]["exposure"] = "LONG"
    path = tmp_path / "long.json"
    path.write_text(json.dumps(worksheet).replace('"LONG"', "7" * 5000))
    assert main(["rate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"trueup: {path}: 1 problem(s):\n"
        "  $.estimated[1].exposure: is out of range: an amount has at most 12 digits "
        "before the decimal point\n"
    )


def test_a_reason_that_quotes_a_line_break_stays_on_the_line_of_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["audited"]["payroll"][0]["state"] = "I\nN"
    path = tmp_path / "state.json"
    path.write_text(json.dumps(worksheet))
    assert main(["rate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"trueup: {path}: 1 problem(s):\n"
        "  $.audited.payroll[0].state: I\\nN is not one of the policy's states (IN)\n"
    )


def test_an_employee_name_that_cannot_be_printed_exits_2_instead_of_failing_to_print(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["audited"]["payroll"][0]["employee"] = "\udc00"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(worksheet))
    assert main(["rate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"trueup: {path}: 1 problem(s):\n"
        "  $.audited.payroll[0].employee: is not valid text: it has an unpaired surrogate "
        "(\\ud800 to \\udfff)\n"
    )


def test_a_worksheet_in_a_state_with_no_rule_book_exits_2_naming_the_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worksheet = json.loads((EXAMPLES / "01-two-class-single-state.json").read_text())
    worksheet["policy"]["states"] = ["GU"]
    path = tmp_path / "guam.json"
    path.write_text(json.dumps(worksheet))

    assert main(["rate", str(path)]) == 2
    assert (
        "$.policy.states[0]: the rule book has no file for GU: a policy there cannot be rated "
        "until its rules are loaded" in capsys.readouterr().err
    )
