"""Subcontractor worked examples: what an uninsured subcontractor adds to payroll (RULES.md 3).

Every expected figure is worked out by hand in the comment above it from NCCI Rule 2-H-2 and the
shipped state rules (LA stated-labor floors, NV deemed wages). Dates of work are inclusive; a
certificate's ``certificate_to`` is its policy's expiration, which is exclusive (12:01 a.m.).
Unless a test says otherwise the policy is Indiana 2025-01-01 to 2026-01-01. Rates are written in
each test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.rating.factories import D, audit_findings, audited_exposure, rate, rate_table, worksheet
from trueup.rating import Result, WorksheetError
from trueup.rating.result import Reason
from trueup.rating.subcontractors import CONTRACT_LABELS
from trueup.rating.worksheet import Estimate, PayrollLine, Subcontractor

IN_2025 = date(2025, 1, 1)


def audit(*subs: Subcontractor, state: str = "IN", effective: date = IN_2025) -> Result:
    """Rate ``subs`` (class 5645) beside 10,000 of the insured's own 5645 payroll."""
    rates = rate_table(f"{state} WC 5645 4.00")
    ws = worksheet(
        estimated=[Estimate(state, "5645", D("50000"))],
        payroll=[PayrollLine(state, "5645", D("10000"), employee="Iris")],
        subcontractors=list(subs),
        states=(state,),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
    )
    return rate(ws, rates)


def sub(contract_cost: str, state: str = "IN", **kw: Any) -> Subcontractor:
    kw.setdefault("contract_type", "labor_and_materials")
    return Subcontractor("Acme Framing", state, "5645", D(contract_cost), **kw)


def charged(result: Result, state: str = "IN") -> Decimal:
    """What the subcontractors add: the 5645 exposure less the insured's own 10,000."""
    return audited_exposure(result, state, "5645") - D("10000")


def sub_reason(result: Result, state: str = "IN") -> Reason:
    (line,) = [e for e in result.audited.exposures if e.state == state]
    (found,) = [r for r in line.reasons if r.rule == "subcontractors"]
    return found


def codes(result: Result) -> list[str]:
    return [f.code for f in audit_findings(result)]


# --- NCCI Rule 2-H-2 ------------------------------------------------------------------------------


def test_uninsured_subcontractor_without_records_of_labor_is_charged_the_full_contract_cost():
    result = audit(sub("40000"))

    # no certificate, no labor records: the whole 40,000.00 is payroll in 5645
    assert charged(result) == D("40000")
    reason = sub_reason(result)
    assert reason.amount == D("40000")
    assert reason.path == "$.audited.subcontractors[0]"
    assert "Rule 2-H-2" in reason.source
    (finding,) = audit_findings(result)
    assert (finding.code, finding.path) == (
        "uninsured_subcontractor",
        "$.audited.subcontractors[0]",
    )
    # the trace of the line: own payroll 10,000 + subcontractor 40,000 = 50,000
    (line,) = result.audited.exposures
    assert sum((r.amount or D(0) for r in line.reasons), D(0)) == D("50000")


def test_stated_labor_of_an_uninsured_subcontractor_is_accepted_as_shown_under_ncci():
    result = audit(sub("40000", stated_labor=D("12000")))

    # NCCI has no floor (0): the stated 12,000.00 is charged
    assert charged(result) == D("12000")
    assert codes(result) == ["uninsured_subcontractor"]


# --- Louisiana floors on stated labor -------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract_type", "cost", "stated", "expected"),
    [
        # labor only: floor 90% of 20,000 = 18,000 > 15,000 stated → 18,000.00
        ("labor_only", "20000", "15000", "18000.00"),
        # labor and materials: floor 50% of 20,000 = 10,000 > 8,000 → 10,000.00
        ("labor_and_materials", "20000", "8000", "10000.00"),
        # equipment with operator: floor 1/3 of 10,000 = 3,333.333... → 3,333.33 > 3,000
        ("equipment_with_operator", "10000", "3000", "3333.33"),
        # stated labor at or above the floor is accepted: 19,000 ≥ 18,000
        ("labor_only", "20000", "19000", "19000"),
        # 5,000 ≥ 1/3 of 10,000
        ("equipment_with_operator", "10000", "5000", "5000"),
    ],
)
def test_louisiana_does_not_accept_stated_labor_below_its_floor_for_the_contract_type(
    contract_type: str, cost: str, stated: str, expected: str
):
    result = audit(
        sub(cost, "LA", contract_type=contract_type, stated_labor=D(stated)),
        state="LA",
        effective=date(2024, 7, 1),
    )

    assert charged(result, "LA") == D(expected)
    assert "lubawc.com" in sub_reason(result, "LA").source


def test_louisiana_subcontractor_without_records_is_charged_the_full_price():
    result = audit(sub("25000", "LA", contract_type="labor_only"), state="LA")

    # no labor records: full contract price 25,000.00
    assert charged(result, "LA") == D("25000")


# --- A contract on record without a labor figure -------------------------------------------------


@pytest.mark.parametrize(
    ("contract_type", "expected", "words"),
    [
        # labor and materials: 50% of 10,000 = 5,000.00
        ("labor_and_materials", "5000.00", "0.50 of $10,000 = $5,000"),
        # labor only: 90% of 10,000 = 9,000.00
        ("labor_only", "9000.00", "0.90 of $10,000 = $9,000"),
        # equipment with operator: 1/3 of 10,000 = 3,333.333... → 3,333.33
        ("equipment_with_operator", "3333.33", "1/3 of $10,000 = $3,333.33"),
    ],
)
def test_a_louisiana_contract_on_record_without_a_labor_figure_is_charged_the_state_share(
    contract_type: str, expected: str, words: str
):
    result = audit(
        sub("10000", "LA", contract_type=contract_type, labor_records="contract_only"),
        state="LA",
    )

    assert charged(result, "LA") == D(expected)
    reason = sub_reason(result, "LA")
    assert reason.amount == D(expected)
    assert "is on record but shows no labor figure" in reason.text
    assert f"the state's labor share for {CONTRACT_LABELS[contract_type]} contracts" in reason.text
    assert words in reason.text
    assert dict(reason.inputs)["labor_share"] == expected


def test_a_contract_without_a_labor_figure_where_the_state_sets_no_share_is_charged_in_full():
    result = audit(sub("10000", labor_records="contract_only"))

    # Indiana keeps the NCCI default, a floor of 0: no share to charge, so the full 10,000.00
    assert charged(result) == D("10000.00")
    reason = sub_reason(result)
    assert reason.amount == D("10000.00")
    assert "IN sets no labor share for labor and materials contracts" in reason.text
    assert "the full contract cost $10,000 is charged" in reason.text


def test_a_subcontractor_with_no_records_of_the_labor_is_charged_the_full_cost_in_louisiana_too():
    result = audit(sub("10000", "LA", labor_records="none"), state="LA")

    # no records at all: the whole 10,000.00, not Louisiana's 50% share
    assert charged(result, "LA") == D("10000.00")
    assert "no records of the labor portion" in sub_reason(result, "LA").text


def test_stated_labor_records_are_rated_as_a_stated_labor_amount_always_was():
    stated = audit(sub("20000", "LA", stated_labor=D("8000"), labor_records="stated"), state="LA")
    implied = audit(sub("20000", "LA", stated_labor=D("8000")), state="LA")

    # floor 50% of 20,000 = 10,000.00 > 8,000 stated, with or without saying "stated"
    assert charged(stated, "LA") == charged(implied, "LA") == D("10000.00")


# --- Certificates of insurance --------------------------------------------------------------------


def test_certificate_covering_the_whole_work_period_means_no_charge_and_an_exclusion():
    covered = sub(
        "40000",
        work_from=date(2025, 3, 1),
        work_to=date(2025, 5, 31),
        certificate_from=date(2025, 1, 15),
        certificate_to=date(2026, 1, 15),
    )
    result = audit(covered)

    # insured for every day of the work: nothing charged, the 40,000 listed as not rated
    assert charged(result) == D("0")
    (exclusion,) = result.audited.exclusions
    assert exclusion.rule == "subcontractors"
    assert exclusion.amount == D("40000")
    assert exclusion.path == "$.audited.subcontractors[0].certificate_from"
    assert codes(result) == []


def test_certificate_that_expires_during_the_work_leaves_the_later_days_charged_pro_rata():
    lapsed = sub(
        "10000",
        work_from=date(2025, 3, 1),
        work_to=date(2025, 3, 31),
        certificate_from=date(2024, 3, 21),
        certificate_to=date(2025, 3, 21),
    )
    result = audit(lapsed)

    # work Mar 1-31 = 31 days; the certificate covers Mar 1-20 = 20 days (it ends at 12:01 a.m.
    # on Mar 21); 11 days uninsured: 10,000 × 11/31 = 3,548.387... → 3,548.39
    assert charged(result) == D("3548.39")
    assert sub_reason(result).amount == D("3548.39")
    assert codes(result) == ["uninsured_subcontractor"]


def test_certificate_that_starts_during_the_work_leaves_the_earlier_days_charged_pro_rata():
    late = sub(
        "31000",
        stated_labor=D("12400"),
        work_from=date(2025, 3, 1),
        work_to=date(2025, 3, 31),
        certificate_from=date(2025, 3, 10),
        certificate_to=date(2026, 3, 10),
    )
    result = audit(late)

    # covered Mar 10-31 = 22 days; Mar 1-9 = 9 days uninsured: stated labor 12,400 × 9/31 = 3,600.00
    assert charged(result) == D("3600.00")


def test_a_certificate_expiring_on_the_last_day_of_work_leaves_that_day_uninsured():
    last_day = sub(
        "10000",
        work_from=date(2025, 3, 1),
        work_to=date(2025, 3, 31),
        certificate_from=date(2024, 3, 31),
        certificate_to=date(2025, 3, 31),
    )
    result = audit(last_day)

    # the certificate ends at 12:01 a.m. Mar 31: 30 of 31 days covered, 1 uninsured:
    # 10,000 × 1/31 = 322.580... → 322.58
    assert charged(result) == D("322.58")


def test_exempt_subcontractor_is_not_charged_and_is_listed_as_an_exclusion():
    result = audit(sub("18000", exempt=True))

    assert charged(result) == D("0")
    (exclusion,) = result.audited.exclusions
    assert exclusion.amount == D("18000")
    assert exclusion.path == "$.audited.subcontractors[0].exempt"
    assert codes(result) == []


# --- Nevada deemed wages of sole-proprietor subcontractors (NAC 616B.789) -------------------------


@pytest.mark.parametrize(
    ("licensed", "months", "days", "expected"),
    [
        (False, "3", None, "900.00"),  # unlicensed: 300 a month × 3 = 900
        (True, "2", None, "1000.00"),  # licensed without an account: 500 a month × 2 = 1,000
        (False, None, "12", "120.00"),  # unlicensed: 10 a day × 12 = 120
        (True, None, "12", "204.00"),  # licensed: 17 a day × 12 = 204
        (False, "1.5", None, "450.00"),  # 300 × 1.5 = 450
    ],
)
def test_nevada_sole_proprietor_subcontractor_is_charged_deemed_wages(
    licensed: bool, months: str | None, days: str | None, expected: str
):
    one_man = sub(
        "30000",
        "NV",
        sole_proprietor=True,
        licensed=licensed,
        months_worked=None if months is None else D(months),
        days_worked=None if days is None else D(days),
    )
    result = audit(one_man, state="NV")

    assert charged(result, "NV") == D(expected)
    assert "NAC 616B.789" in sub_reason(result, "NV").source
    assert codes(result) == ["uninsured_subcontractor"]


def test_nevada_deemed_daily_wage_counts_the_days_of_work_when_no_count_is_given():
    one_man = sub(
        "30000",
        "NV",
        sole_proprietor=True,
        work_from=date(2025, 6, 1),
        work_to=date(2025, 6, 10),
    )
    result = audit(one_man, state="NV")

    # licensed (the default), Jun 1-10 = 10 days: 17 × 10 = 170.00
    assert charged(result, "NV") == D("170.00")


def test_nevada_subcontractor_that_is_not_a_sole_proprietor_is_charged_the_full_contract_price():
    result = audit(sub("30000", "NV"), state="NV")

    # NAC 616B.780: full contract price without payroll records: 30,000.00
    assert charged(result, "NV") == D("30000")


# --- Bad input ------------------------------------------------------------------------------------


def test_stated_labor_above_the_contract_cost_is_refused():
    with pytest.raises(WorksheetError) as excinfo:
        audit(sub("10000", stated_labor=D("10000.01")))
    assert [p.path for p in excinfo.value.problems] == ["$.audited.subcontractors[0].stated_labor"]


def test_a_certificate_with_only_one_date_is_refused():
    with pytest.raises(WorksheetError) as excinfo:
        audit(sub("10000"), sub("10000", certificate_from=date(2025, 1, 1)))
    assert [p.path for p in excinfo.value.problems] == [
        "$.audited.subcontractors[1].certificate_to"
    ]


def test_unknown_contract_type_and_work_ending_before_it_starts_are_refused():
    bad = sub(
        "10000",
        contract_type="turnkey",
        work_from=date(2025, 5, 1),
        work_to=date(2025, 4, 1),
    )
    with pytest.raises(WorksheetError) as excinfo:
        audit(bad)
    assert sorted(p.path for p in excinfo.value.problems) == [
        "$.audited.subcontractors[0].contract_type",
        "$.audited.subcontractors[0].work_to",
    ]


@pytest.mark.parametrize("records", ["none", "contract_only"])
def test_a_labor_amount_with_records_that_show_none_is_refused(records: str):
    with pytest.raises(WorksheetError) as excinfo:
        audit(sub("10000", stated_labor=D("4000"), labor_records=records))
    (problem,) = excinfo.value.problems
    assert problem.path == "$.audited.subcontractors[0].stated_labor"
    assert f'must be left out when labor_records is "{records}"' in problem.reason


def test_stated_labor_records_without_the_labor_amount_are_refused():
    with pytest.raises(WorksheetError) as excinfo:
        audit(sub("10000", labor_records="stated"))
    (problem,) = excinfo.value.problems
    assert problem.path == "$.audited.subcontractors[0].stated_labor"
    assert problem.reason == 'is required when labor_records is "stated"'


def test_an_unknown_kind_of_labor_records_is_refused():
    with pytest.raises(WorksheetError) as excinfo:
        audit(sub("10000", labor_records="receipts"))
    (problem,) = excinfo.value.problems
    assert problem.path == "$.audited.subcontractors[0].labor_records"
    assert problem.reason == "must be one of none, contract_only, stated"
