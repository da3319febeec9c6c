"""Worked examples of every anomaly flag, on worksheets rated by the engine (no database).

The clean audit: Indiana and Illinois on the policy, 2025 (365 days), estimating IN 5645 $300,000
and IN 8810 $60,000; the audit finds six carpenters at $52,000 ($312,000) and two clerks at
$31,000 ($62,000). The flags' figures are those of ``anomalies.toml``."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from tests.rating.factories import rate_table
from trueup.anomalies.detect import Audited, Flag, Inputs, detect
from trueup.anomalies.rules import rules
from trueup.rating import rate_worksheet, to_jsonable, worksheet_from_dict

RATES = rate_table("IN WC 5645 5.00", "IN WC 8810 0.17", "IL WC 5645 6.00", "IL WC 8810 0.20")
RULES = rules(date(2025, 12, 31))


def clean() -> dict[str, Any]:
    carpenters = [
        {"state": "IN", "class": "5645", "employee": f"Carpenter {n}", "gross": "52000"}
        for n in range(6)
    ]
    clerks = [
        {"state": "IN", "class": "8810", "employee": f"Clerk {n}", "gross": "31000"}
        for n in range(2)
    ]
    return {
        "policy": {
            "line": "WC",
            "number": "WC-FLAGS",
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN", "IL"],
            "premium_discount": False,
        },
        "estimated": [
            {"state": "IN", "class": "5645", "exposure": "300000"},
            {"state": "IN", "class": "8810", "exposure": "60000"},
        ],
        "audited": {"payroll": carpenters + clerks, "officers": [], "subcontractors": []},
        "audit": {"type": "final"},
    }


def rated(data: dict[str, Any]) -> Audited:
    sheet = worksheet_from_dict(data)
    return Audited(to_jsonable(sheet), to_jsonable(rate_worksheet(sheet, rates=RATES)))


def flags(
    data: dict[str, Any], prior: dict[str, Any] | None = None, unreconciled: list[str] | None = None
) -> list[Flag]:
    before = rated(prior) if prior is not None else None
    return detect(Inputs(rated(data), before, unreconciled or [], RULES))


def only(found: list[Flag], code: str) -> list[str]:
    return [f.text for f in found if f.code == code]


def test_a_clean_audit_raises_no_flag() -> None:
    assert flags(clean(), prior=clean()) == []


def test_pay_per_worker_far_below_the_class_norm() -> None:
    data = clean()
    for line in data["audited"]["payroll"][:6]:
        line["gross"] = "12000"
    found = flags(data)
    # $72,000 over six carpenters: $12,000 each, 21 % of the $56,000 carpenters' norm.
    assert only(found, "pay_per_employee") == [
        "IN 5645: $12,000 a worker over 6 workers is 21 % of the norm $56,000 for the 365 days "
        "audited (Carpenters)"
    ]
    flag = next(f for f in found if f.code == "pay_per_employee")
    assert (flag.key, flag.state, flag.class_code) == ("pay_per_employee:IN-5645", "IN", "5645")
    assert "Occupational Employment and Wage Statistics" in flag.source


def test_a_class_with_fewer_workers_than_the_minimum_is_not_compared() -> None:
    data = clean()
    for line in data["audited"]["payroll"][6:]:
        line["gross"] = "1000"  # two clerks only: below the three the rule asks for
    assert only(flags(data), "pay_per_employee") == []


def test_clerical_share_grown_against_the_estimate_and_the_prior_audit() -> None:
    data = clean()
    data["audited"]["payroll"] += [
        {"state": "IN", "class": "8810", "employee": f"New clerk {n}", "gross": "26000"}
        for n in range(3)
    ]
    # Clerical $140,000 of $452,000 is 31 % against 17 % estimated ($60,000 of $360,000) and
    # 17 % at the prior audit ($62,000 of $374,000): 14 points more.
    assert only(flags(data, prior=clean()), "clerical_share") == [
        "clerical (8810) is 31 % of the audited payroll against 17 % on the estimate",
        "clerical (8810) is 31 % of the audited payroll against 17 % on the prior audit",
    ]


def test_subcontracting_large_against_payroll() -> None:
    data = clean()
    data["audited"]["subcontractors"] = [
        {
            "name": "Framers LLC",
            "state": "IN",
            "class": "5645",
            "contract_cost": "200000",
            "contract_type": "labor_only",
            "certificate_from": "2025-01-01",
            "certificate_to": "2026-01-01",
        }
    ]
    # $200,000 against the $374,000 payroll: 53 %, over 50 %.
    assert only(flags(data), "subcontracting") == [
        "subcontracts of $200,000 are 53 % of the $374,000 payroll"
    ]
    assert only(flags(data), "uncertified_1099") == []


def test_a_subcontractor_who_was_an_employee_last_year_without_a_certificate() -> None:
    prior = clean()
    prior["audited"]["payroll"][0]["employee"] = "Ana Ruiz"
    data = clean()
    data["audited"]["subcontractors"] = [
        {
            "name": "ana  RUIZ",
            "state": "IN",
            "class": "5645",
            "contract_cost": "30000",
            "contract_type": "labor_only",
        }
    ]
    found = flags(data, prior=prior)
    assert only(found, "subcontractor_was_employee") == [
        "ana  RUIZ was paid $30,000 as a subcontractor and was on the payroll at the prior audit"
    ]
    assert only(found, "uncertified_1099") == [
        "1 subcontractor(s) paid $30,000 with no certificate on file: ana  RUIZ"
    ]


def test_an_exempt_subcontractor_needs_no_certificate() -> None:
    data = clean()
    data["audited"]["subcontractors"] = [
        {
            "name": "Solo Sam",
            "state": "IN",
            "class": "5645",
            "contract_cost": "8000",
            "contract_type": "labor_only",
            "exempt": True,
        }
    ]
    assert only(flags(data), "uncertified_1099") == []


def test_audited_exposure_far_from_the_estimate() -> None:
    data = clean()
    for line in data["audited"]["payroll"][:6]:
        line["gross"] = "23000"
    # $138,000 against $300,000: 46 %, below 50 %.
    assert only(flags(data), "exposure_ratio") == [
        "IN 5645: audited $138,000 is 46 % of the estimated $300,000"
    ]


def _with_officer(pay: str) -> dict[str, Any]:
    data = clean()
    data["audited"]["officers"] = [
        {
            "name": "Lee Park",
            "role": "executive_officer",
            "state": "IN",
            "class": "8810",
            "actual_pay": pay,
        }
    ]
    return data


def test_officer_pay_exactly_at_the_maximum_two_years_running() -> None:
    # Indiana's executive officer maximum for a full year is $239,200.
    assert only(
        flags(_with_officer("239200"), prior=_with_officer("239200")), "officer_at_limit"
    ) == [
        "Lee Park's pay is exactly the maximum $239,200 in this audit and was the maximum "
        "$239,200 in the prior one"
    ]


def test_officer_pay_at_the_limit_once_is_not_a_flag() -> None:
    assert (
        only(flags(_with_officer("239200"), prior=_with_officer("150000")), "officer_at_limit")
        == []
    )
    assert only(flags(_with_officer("239200")), "officer_at_limit") == []


def test_a_state_with_payroll_and_no_estimate_and_the_reverse() -> None:
    data = clean()
    data["audited"]["payroll"].append(
        {"state": "IL", "class": "5645", "employee": "Carpenter 9", "gross": "40000"}
    )
    assert only(flags(data), "state_mismatch") == [
        "IL: payroll audited where nothing was estimated"
    ]
    reverse = clean()
    reverse["estimated"].append({"state": "IL", "class": "8810", "exposure": "20000"})
    assert only(flags(reverse), "state_mismatch") == [
        "IL: estimated on the policy, no payroll found"
    ]


def test_tax_filings_that_do_not_reconcile_are_flagged_as_given() -> None:
    said = "2025Q2 941 line 2 (wages): $5,000.00 unexplained, over the $1,000.00 tolerance"
    found = flags(clean(), unreconciled=[said])
    assert only(found, "unreconciled_941") == [said]
    assert found[-1].key == "unreconciled_941:0"


def test_exposure_identical_to_the_estimate_to_the_dollar() -> None:
    data = clean()
    for line in data["audited"]["payroll"][:6]:
        line["gross"] = "50000"
    for line in data["audited"]["payroll"][6:]:
        line["gross"] = "30000.20"  # $60,000.40: the same to the dollar
    assert only(flags(data), "identical_to_estimate") == [
        "every class's audited exposure equals its estimate to the dollar ($360,000.40 in all)"
    ]


def test_an_estimated_audit_raises_only_what_its_estimate_can_show() -> None:
    data = clean()
    data["audited"] = None
    data["audit"] = {"type": "estimated"}
    assert flags(data) == []


@pytest.mark.parametrize("code", sorted(k for k in RULES if k != "norms"))
def test_every_flag_has_a_title_and_a_source_in_the_rule_data(code: str) -> None:
    assert RULES[code]["title"] and RULES[code]["source"]


def test_a_decision_key_stays_the_same_when_the_figures_move() -> None:
    first = copy.deepcopy(clean())
    for line in first["audited"]["payroll"][:6]:
        line["gross"] = "12000"
    second = copy.deepcopy(first)
    second["audited"]["payroll"][0]["gross"] = "11000"
    keys = [f.key for f in flags(first) if f.code == "pay_per_employee"]
    assert keys == [f.key for f in flags(second) if f.code == "pay_per_employee"]
