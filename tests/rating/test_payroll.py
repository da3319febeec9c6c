"""Remuneration worked examples: gross pay → payroll for premium.

Every expected figure is worked out by hand in the comment above it from RULES.md 1 and the shipped
rule book (NCCI Rule 2-B and 2-C-2; the Nevada, California overrides). Rates are written in each
test and are all 1.00: these tests are about payroll, not premium. Unless a test says otherwise the
policy is Indiana 2025-01-01 to 2026-01-01, where the NCCI remuneration rules apply unchanged.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.rating.factories import D, audit_findings, audited_exposure, rate, rate_table, worksheet
from trueup.rating import Result, WorksheetError
from trueup.rating.result import ExposureLine, Reason
from trueup.rating.worksheet import Estimate, PayrollLine

IN_2025 = date(2025, 1, 1)
NV_2025 = date(2025, 1, 1)
CA_2024_09 = date(2024, 9, 1)  # the CA payroll-limited classes cap is in force from 9/1/2024


def audit(
    *lines: PayrollLine,
    state: str = "IN",
    effective: date = IN_2025,
    classes: tuple[str, ...] = ("5645",),
) -> Result:
    """Rate ``lines`` on a one-state policy of one year with a rate of 1.00 for every class."""
    rates = rate_table(*(f"{state} WC {code} 1.00" for code in classes))
    ws = worksheet(
        estimated=[Estimate(state, classes[0], D("100000"))],
        payroll=list(lines),
        states=(state,),
        effective=effective,
        expiration=effective.replace(year=effective.year + 1),
    )
    return rate(ws, rates)


def exposure_line(result: Result, state: str, class_code: str) -> ExposureLine:
    found = [e for e in result.audited.exposures if e.state == state and e.class_code == class_code]
    assert len(found) == 1, f"expected one {state} {class_code} exposure line, got {found}"
    return found[0]


def reason(line: ExposureLine, rule: str) -> Reason:
    found = [r for r in line.reasons if r.rule == rule]
    assert len(found) == 1, f"expected one {rule!r} reason, got {[r.rule for r in line.reasons]}"
    return found[0]


def reasons_total(line: ExposureLine) -> Decimal:
    return sum((r.amount for r in line.reasons if r.amount is not None), D(0))


def problem_paths(excinfo: pytest.ExceptionInfo[WorksheetError]) -> list[str]:
    return [p.path for p in excinfo.value.problems]


# --- Inclusions and exclusions (NCCI Rule 2-B) ----------------------------------------------------


def test_tips_severance_and_military_pay_come_out_of_gross_while_salary_deferrals_stay_in():
    line = PayrollLine(
        "IN",
        "5645",
        D("50000"),
        employee="Ana",
        tips=D("2000"),
        severance=D("3000"),
        military_pay=D("1000"),
        section_125=D("1500"),
        deferred_401k=D("2500"),
    )
    result = audit(line)

    # Rule 2-B-2 excludes tips, severance and military pay; 2-B-1 keeps Section 125 and 401(k)
    # reductions: 50,000 - 2,000 - 3,000 - 1,000 = 44,000.00
    assert audited_exposure(result, "IN", "5645") == D("44000.00")
    exposure = exposure_line(result, "IN", "5645")
    assert reason(exposure, "remuneration.tips").amount == D("-2000")
    assert reason(exposure, "remuneration.severance").amount == D("-3000")
    assert reason(exposure, "remuneration.military_pay").amount == D("-1000")
    assert reason(exposure, "remuneration.section_125").amount == D("0")
    assert reason(exposure, "remuneration.deferred_401k").amount == D("0")
    assert "Rule 2-B-2" in reason(exposure, "remuneration.tips").source
    assert reason(exposure, "remuneration.tips").path == "$.audited.payroll[0].tips"
    # the trace: gross 50,000 + (-2,000) + (-3,000) + (-1,000) + 0 + 0 = 44,000
    assert reasons_total(exposure) == D("44000.00")


def test_unsupported_reimbursements_and_meals_are_added_but_benefits_and_valid_expenses_are_not():
    line = PayrollLine(
        "IN",
        "5645",
        D("40000"),
        employer_benefits=D("6000"),
        reimbursements_substantiated=D("1000"),
        reimbursements_unsubstantiated=D("800"),
        meals_lodging=D("1200"),
    )
    result = audit(line)

    # paid on top of gross: unsubstantiated reimbursements and meals/lodging are payroll (2-B-1),
    # employer plan contributions and valid expense reimbursements are not (2-B-2):
    # 40,000 + 800 + 1,200 = 42,000.00
    assert audited_exposure(result, "IN", "5645") == D("42000.00")
    exposure = exposure_line(result, "IN", "5645")
    assert reason(exposure, "remuneration.reimbursements_unsubstantiated").amount == D("800")
    assert reason(exposure, "remuneration.meals_lodging").amount == D("1200")
    assert reason(exposure, "remuneration.employer_benefits").amount == D("0")
    assert reason(exposure, "remuneration.reimbursements_substantiated").amount == D("0")
    assert reasons_total(exposure) == D("42000.00")


def test_nevada_keeps_tips_termination_pay_and_cafeteria_plan_reductions_in_payroll():
    line = PayrollLine(
        "NV",
        "5645",
        D("30000"),
        employee="Ben",
        tips=D("4000"),
        severance=D("2000"),
        section_125=D("1000"),
        military_pay=D("500"),
    )
    result = audit(line, state="NV", effective=NV_2025)

    # NAC 616A.200 includes tips (13)-(14), termination pay (11) and Section 125 (17); military
    # pay is not named there, so the NCCI exclusion stands: 30,000 - 500 = 29,500.00
    assert audited_exposure(result, "NV", "5645") == D("29500.00")
    exposure = exposure_line(result, "NV", "5645")
    tips = reason(exposure, "remuneration.tips")
    assert tips.amount == D("0")
    assert tips.state == "NV"
    assert "NAC 616A.200" in tips.source
    assert reason(exposure, "remuneration.severance").amount == D("0")
    assert reason(exposure, "remuneration.military_pay").amount == D("-500")
    assert reasons_total(exposure) == D("29500.00")


def test_california_leaves_out_the_meals_and_lodging_that_ncci_adds():
    def meals(state: str) -> PayrollLine:
        return PayrollLine(state, "9079", D("40000"), meals_lodging=D("3000"))

    california = audit(meals("CA"), state="CA", effective=CA_2024_09, classes=("9079",))
    indiana = audit(meals("IN"), classes=("9079",))

    # WCIRB: meals and lodging are not payroll unless in lieu of wages: 40,000.00 in CA;
    # NCCI 2-B-1 adds them: 40,000 + 3,000 = 43,000.00 in IN
    assert audited_exposure(california, "CA", "9079") == D("40000.00")
    assert audited_exposure(indiana, "IN", "9079") == D("43000.00")
    ca_meals = reason(exposure_line(california, "CA", "9079"), "remuneration.meals_lodging")
    assert ca_meals.amount == D("0")
    assert "WCIRB" in ca_meals.source


# --- Overtime (NCCI Rule 2-C-2) -------------------------------------------------------------------


def test_overtime_premium_portion_shown_separately_is_excluded_in_full():
    result = audit(PayrollLine("IN", "5645", D("60000"), overtime_premium=D("2500")))

    # 60,000 - 2,500 = 57,500.00
    assert audited_exposure(result, "IN", "5645") == D("57500.00")
    exposure = exposure_line(result, "IN", "5645")
    overtime = reason(exposure, "overtime")
    assert overtime.amount == D("-2500")
    assert "Rule 2-C-2" in overtime.source
    assert overtime.path == "$.audited.payroll[0].overtime_premium"
    assert reasons_total(exposure) == D("57500.00")


def test_overtime_shown_only_as_a_total_has_a_third_excluded():
    result = audit(PayrollLine("IN", "5645", D("52000"), overtime_total=D("4000")))

    # time-and-a-half total 4,000: the premium is 1/3 of it = 1,333.333... → 1,333.33;
    # 52,000 - 1,333.33 = 50,666.67
    assert audited_exposure(result, "IN", "5645") == D("50666.67")
    exposure = exposure_line(result, "IN", "5645")
    assert reason(exposure, "overtime").amount == D("-1333.33")
    assert reasons_total(exposure) == D("50666.67")


def test_double_time_shown_separately_has_half_excluded_beside_a_third_of_time_and_a_half():
    line = PayrollLine(
        "IN", "5645", D("52000"), overtime_total=D("3000"), double_time_total=D("1500")
    )
    result = audit(line)

    # 1/3 of 3,000 = 1,000.00; 1/2 of 1,500 = 750.00; 52,000 - 1,000 - 750 = 50,250.00
    assert audited_exposure(result, "IN", "5645") == D("50250.00")
    exposure = exposure_line(result, "IN", "5645")
    overtime = sorted(r.amount or D(0) for r in exposure.reasons if r.rule == "overtime")
    assert overtime == [D("-1000.00"), D("-750.00")]
    assert reasons_total(exposure) == D("50250.00")


def test_nothing_is_excluded_for_overtime_without_adequate_records():
    line = PayrollLine(
        "IN",
        "5645",
        D("52000"),
        overtime_total=D("6000"),
        double_time_total=D("2000"),
        overtime_records=False,
    )
    result = audit(line)

    # no adequate records: no premium portion is excluded, payroll is the whole 52,000.00
    assert audited_exposure(result, "IN", "5645") == D("52000.00")
    overtime = reason(exposure_line(result, "IN", "5645"), "overtime")
    assert overtime.amount == D("0")
    assert overtime.path == "$.audited.payroll[0].overtime_records"


def test_nevada_keeps_overtime_pay_in_payroll_in_full():
    line = PayrollLine(
        "NV", "5645", D("30000"), overtime_total=D("6000"), double_time_total=D("1000")
    )
    result = audit(line, state="NV", effective=NV_2025)

    # NAC 616A.200(10): overtime pay is payroll; nothing excluded: 30,000.00
    assert audited_exposure(result, "NV", "5645") == D("30000.00")
    overtime = reason(exposure_line(result, "NV", "5645"), "overtime")
    assert overtime.amount == D("0")
    assert "NAC 616A.200(10)" in overtime.source


# --- Per-employee payroll caps --------------------------------------------------------------------


def test_nevada_caps_an_employees_payroll_at_36000_counting_overtime_and_tips():
    line = PayrollLine(
        "NV",
        "5645",
        D("41000"),
        employee="Cal",
        overtime_total=D("6000"),
        tips=D("2000"),
    )
    result = audit(line, state="NV", effective=NV_2025)

    # overtime and tips stay in NV payroll: 41,000; NAC 616A.200 counts only the first 36,000
    # per employee: 41,000 → 36,000.00, a change of -5,000.00
    assert audited_exposure(result, "NV", "5645") == D("36000.00")
    exposure = exposure_line(result, "NV", "5645")
    cap = reason(exposure, "payroll_cap")
    assert cap.amount == D("-5000.00")
    assert "NAC 616A.200" in cap.source
    # gross 41,000 + overtime 0 + tips 0 + cap -5,000 = 36,000
    assert reasons_total(exposure) == D("36000.00")
    assert [f.code for f in audit_findings(result)] == ["payroll_cap"]


def test_nevada_cap_is_shared_between_an_employees_classes_in_proportion_to_their_pay():
    result = audit(
        PayrollLine("NV", "5645", D("30000"), employee="Dee"),
        PayrollLine("NV", "5403", D("20000"), employee="Dee"),
        PayrollLine("NV", "5645", D("20000"), employee="Eli"),
        state="NV",
        effective=NV_2025,
        classes=("5645", "5403"),
    )

    # Dee earned 50,000 > 36,000: 36,000 × 30/50 = 21,600.00 in 5645, 36,000 × 20/50 = 14,400.00
    # in 5403 (21,600 + 14,400 = 36,000); Eli's 20,000 is under the cap.
    # 5645 = 21,600 + 20,000 = 41,600.00
    assert audited_exposure(result, "NV", "5645") == D("41600.00")
    assert audited_exposure(result, "NV", "5403") == D("14400.00")
    caps = sorted(
        r.amount or D(0)
        for e in result.audited.exposures
        for r in e.reasons
        if r.rule == "payroll_cap"
    )
    assert caps == [D("-8400.00"), D("-5600.00")]  # 21,600 - 30,000; 14,400 - 20,000
    assert reasons_total(exposure_line(result, "NV", "5403")) == D("14400.00")
    assert [f.code for f in audit_findings(result)] == ["payroll_cap"]


def test_nevada_payroll_without_an_employee_cannot_be_capped_and_is_flagged():
    result = audit(
        PayrollLine("NV", "5645", D("20000"), employee="Fox"),
        PayrollLine("NV", "5645", D("50000")),  # no employee named
        state="NV",
        effective=NV_2025,
    )

    # the cap is per employee: the unnamed 50,000 stays whole; 20,000 + 50,000 = 70,000.00
    assert audited_exposure(result, "NV", "5645") == D("70000.00")
    flagged = [f for f in result.findings if f.code == "cap_not_applied"]
    assert len(flagged) == 1
    assert flagged[0].path == "$.audited.payroll[1]"
    assert flagged[0].state == "NV"


def test_california_caps_payroll_limited_classes_at_159900_per_employee():
    result = audit(
        PayrollLine("CA", "8820", D("175000"), employee="Gil"),
        PayrollLine("CA", "9079", D("200000"), employee="Hal"),
        state="CA",
        effective=CA_2024_09,
        classes=("8820", "9079"),
    )

    # 8820 is payroll-limited (USRP 9/1/2024): 175,000 → 159,900.00; 9079 is not: 200,000.00
    assert audited_exposure(result, "CA", "8820") == D("159900.00")
    assert audited_exposure(result, "CA", "9079") == D("200000.00")
    cap = reason(exposure_line(result, "CA", "8820"), "payroll_cap")
    assert cap.amount == D("-15100.00")  # 159,900 - 175,000
    assert "WCIRB" in cap.source


def test_california_cap_is_split_to_the_cent_across_an_employees_limited_classes():
    result = audit(
        PayrollLine("CA", "8741", D("100000"), employee="Ivy"),
        PayrollLine("CA", "8743", D("80000"), employee="Ivy"),
        state="CA",
        effective=CA_2024_09,
        classes=("8741", "8743"),
    )

    # 180,000 > 159,900: 159,900 × 100/180 = 88,833.333... and 159,900 × 80/180 = 71,066.666...;
    # rounded down to 88,833.33 + 71,066.66 = 159,899.99, the last cent to the larger remainder
    # (0.00666 > 0.00333): 71,066.67. 88,833.33 + 71,066.67 = 159,900.00
    assert audited_exposure(result, "CA", "8741") == D("88833.33")
    assert audited_exposure(result, "CA", "8743") == D("71066.67")


def test_california_cap_counts_only_pay_in_the_limited_classes():
    result = audit(
        PayrollLine("CA", "8601", D("150000"), employee="Jo"),
        PayrollLine("CA", "9079", D("100000"), employee="Jo"),
        state="CA",
        effective=CA_2024_09,
        classes=("8601", "9079"),
    )

    # Jo's pay in limited class 8601 is 150,000 ≤ 159,900: nothing capped, although all of Jo's
    # pay (250,000) is above the cap
    assert audited_exposure(result, "CA", "8601") == D("150000.00")
    assert audited_exposure(result, "CA", "9079") == D("100000.00")
    assert "payroll_cap" not in [f.code for f in result.findings]


def test_california_cap_does_not_apply_to_policies_before_its_effective_date():
    result = audit(
        PayrollLine("CA", "8820", D("175000"), employee="Kai"),
        state="CA",
        effective=date(2024, 1, 1),
        classes=("8820",),
    )

    # the rule book's payroll_cap for CA starts 2024-09-01: a 2024-01-01 policy is not capped
    assert audited_exposure(result, "CA", "8820") == D("175000.00")


# --- Wrap-ups, temporary and leased labor ---------------------------------------------------------


def test_wrap_up_payroll_is_not_rated_and_is_listed_as_an_exclusion():
    result = audit(
        PayrollLine("IN", "5645", D("80000"), employee="Lee"),
        PayrollLine("IN", "5645", D("25000"), employee="Lee", wrap_up=True),
    )

    # the OCIP/CCIP payroll is insured by the wrap-up policy: only 80,000.00 is rated
    assert audited_exposure(result, "IN", "5645") == D("80000.00")
    (excluded,) = result.audited.exclusions
    assert excluded.amount == D("25000")
    assert excluded.path == "$.audited.payroll[1]"
    assert "wrap-up" in excluded.text


def test_temporary_and_leased_labor_insured_by_the_labor_contractor_is_excluded():
    result = audit(
        PayrollLine("IN", "5645", D("60000")),
        PayrollLine("IN", "5645", D("15000"), labor_source="temporary", covered_elsewhere=True),
        PayrollLine("IN", "5645", D("9000"), labor_source="leased", covered_elsewhere=True),
    )

    # both are insured by the agency (certificate on file): only the 60,000.00 is rated
    assert audited_exposure(result, "IN", "5645") == D("60000.00")
    excluded = {r.path: r.amount for r in result.audited.exclusions}
    assert excluded == {"$.audited.payroll[1]": D("15000"), "$.audited.payroll[2]": D("9000")}


def test_casual_and_temporary_labor_without_other_coverage_is_rated_like_employee_pay():
    result = audit(
        PayrollLine("IN", "5645", D("60000")),
        PayrollLine("IN", "5645", D("4500"), labor_source="casual", tips=D("500")),
        PayrollLine("IN", "5645", D("12000"), labor_source="temporary"),
    )

    # no certificate: the insured's policy covers them, with the same remuneration rules:
    # 60,000 + (4,500 - 500 tips) + 12,000 = 76,000.00
    assert audited_exposure(result, "IN", "5645") == D("76000.00")
    assert result.audited.exclusions == ()
    exposure = exposure_line(result, "IN", "5645")
    assert any("temporary labor" in r.text for r in exposure.reasons)
    assert reasons_total(exposure) == D("76000.00")


# --- Bad input ------------------------------------------------------------------------------------


def test_gross_less_than_the_amounts_it_includes_is_refused_at_the_gross_field():
    line = PayrollLine("IN", "5645", D("1000"), tips=D("600"), section_125=D("500"))

    # tips 600 + Section 125 500 = 1,100 > gross 1,000
    with pytest.raises(WorksheetError) as excinfo:
        audit(PayrollLine("IN", "5645", D("5000")), line)
    assert problem_paths(excinfo) == ["$.audited.payroll[1].gross"]


def test_overtime_total_with_its_premium_portion_rates_with_the_given_premium_excluded():
    line = PayrollLine(
        "IN", "5645", D("52000"), overtime_total=D("4500"), overtime_premium=D("1500")
    )
    result = audit(line)

    # The register gives the premium portion of its 4,500 overtime: that 1,500 comes off, not a
    # third of the total again: 52,000 - 1,500 = 50,500.00
    assert audited_exposure(result, "IN", "5645") == D("50500.00")
    exposure = exposure_line(result, "IN", "5645")
    overtime = reason(exposure, "overtime")
    assert overtime.amount == D("-1500")
    assert overtime.path == "$.audited.payroll[0].overtime_premium"
    assert overtime.text == "overtime premium portion $1,500 of total overtime pay $4,500 excluded"
    assert dict(overtime.inputs) == {"overtime_premium": "1500", "overtime_total": "4500"}
    assert reasons_total(exposure) == D("50500.00")


def test_overtime_total_with_its_premium_portion_stays_in_full_where_overtime_is_payroll():
    line = PayrollLine(
        "NV", "5645", D("52000"), overtime_total=D("4500"), overtime_premium=D("1500")
    )
    result = audit(line, state="NV", effective=NV_2025)

    # Nevada rates overtime in full: the premium portion given is not taken out either.
    overtime = reason(exposure_line(result, "NV", "5645"), "overtime")
    assert (overtime.amount, overtime.text) == (
        D("0"),
        "overtime pay stays in payroll in full in this state",
    )


def test_a_premium_portion_larger_than_the_total_overtime_it_is_part_of_is_refused():
    line = PayrollLine(
        "IN", "5645", D("50000"), overtime_premium=D("3000.01"), overtime_total=D("3000")
    )

    with pytest.raises(WorksheetError) as excinfo:
        audit(line)
    assert problem_paths(excinfo) == ["$.audited.payroll[0].overtime_premium"]
    assert "premium portion 3000.01 is more than the total overtime pay 3000" in str(excinfo.value)


def test_negative_amounts_and_an_unknown_labor_source_are_each_reported_by_path():
    line = PayrollLine("IN", "5645", D("50000"), tips=D("-1"), labor_source="volunteer")

    with pytest.raises(WorksheetError) as excinfo:
        audit(line)
    assert sorted(problem_paths(excinfo)) == [
        "$.audited.payroll[0].labor_source",
        "$.audited.payroll[0].tips",
    ]
