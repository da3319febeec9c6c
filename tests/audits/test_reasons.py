"""The engine's reasons in the reader's language: the engine records each reason an insured reads
as a code with its figures, and the same code and figures are said in English and in Spanish. A
result stored before codes were recorded is still read, by its stored words."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tests.rating.factories import rate, rate_table, worksheet
from tests.rating.test_premium import payroll
from trueup.audits.explanations import plain_reasons
from trueup.audits.models import Audit
from trueup.audits.reasons import finding_text, reason_text, results_explanation
from trueup.audits.selectors import class_name
from trueup.audits.services import audit_rate
from trueup.rating import rate_worksheet, to_jsonable, worksheet_from_json
from trueup.rating.worksheet import ExperienceMod

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def result(audit: Audit, auditor) -> dict[str, Any]:
    return audit_rate(audit=audit, by=auditor).result


def said(audit: Audit, result: dict[str, Any], language: str) -> list[str]:
    with translation.override(language):
        names = lambda state, code: class_name(audit, state, code)  # noqa: E731
        return [results_explanation(result, names), *plain_reasons(result, names)]


def overtime_reason(result: dict[str, Any]) -> dict[str, Any]:
    return next(
        reason
        for exposure in result["audited"]["exposures"]
        for reason in exposure["reasons"]
        if reason["code"] == "overtime.overtime_total_excluded"
    )


def test_the_engine_records_a_reason_s_code_and_figures_beside_its_english_text(result):
    reason = overtime_reason(result)
    assert (
        reason["text"] == "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500"
    )
    assert reason["figures"] == {"fraction": "1/3", "total": "31500.00", "excluded": "10500.00"}


def test_the_results_explanation_is_said_in_english_from_the_reasons(audit, result):
    assert said(audit, result, "en") == [
        "Your premium rose $4,575 from the estimate, mainly because of class 5645 (Framing and "
        "carpentry on houses) in IN.",
        "IN class 5645 (Framing and carpentry on houses): $436,500 of payroll against $350,000 "
        "estimated, about $4,556 more",
        "IN class 8810 (Office and clerical staff): $61,250 of payroll against $60,000 estimated, "
        "about $1 more",
        "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500",
        "Section 125 salary reductions $8,200 stay in payroll",
        "Overtime premium portion $1,500 excluded",
        "401(k) salary deferrals $2,400 stay in payroll",
        "Substantiated expense reimbursements $1,800 not payroll",
    ]


def test_the_same_reasons_are_said_in_spanish(audit, result):
    assert said(audit, result, "es") == [
        "Su prima aumentó $4,575 respecto a la estimación, principalmente por la clase 5645 "
        "(Framing and carpentry on houses) en IN.",
        "IN, clase 5645 (Framing and carpentry on houses): $436,500 de nómina frente a $350,000 "
        "estimados, unos $4,556 más",
        "IN, clase 8810 (Office and clerical staff): $61,250 de nómina frente a $60,000 "
        "estimados, unos $1 más",
        "Se excluyó 1/3 del pago total de horas extra de $31,500 a tiempo y medio: $10,500",
        "Reducciones salariales de la Sección 125: $8,200 se mantienen en la nómina",
        "Porción adicional de las horas extra de $1,500 excluida",
        "Aportes salariales diferidos al plan 401(k): $2,400 se mantienen en la nómina",
        "Reembolsos de gastos con comprobantes: $1,800 no cuentan como nómina",
    ]


def test_a_result_stored_before_codes_is_read_by_its_stored_words(audit, result):
    old = copy.deepcopy(result)
    for exposure in old["audited"]["exposures"]:
        for reason in exposure["reasons"]:
            del reason["code"], reason["figures"]
    spanish = said(audit, old, "es")
    assert spanish[3:5] == [
        "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500",
        "Section 125 salary reductions $8,200 stay in payroll",
    ]
    # What is not the engine's sentence (each class against its estimate) is still Spanish.
    assert spanish[1].startswith("IN, clase 5645 (Framing and carpentry on houses): $436,500")


def test_a_return_premium_is_explained_by_the_class_that_fell_most(audit, result):
    fell = copy.deepcopy(result)
    fell["adjustment"] = "-2500.00"
    for line in fell["adjustments"]:
        line["difference"] = "-2500.00" if line["item"] == "8810" else "0"
    names = lambda state, code: class_name(audit, state, code)  # noqa: E731
    with translation.override("es"):
        assert results_explanation(fell, names) == (
            "Su prima bajó $2,500 respecto a la estimación, principalmente por la clase 8810 "
            "(Office and clerical staff) en IN."
        )
    assert results_explanation(fell, names) == (
        "Your premium fell $2,500 from the estimate, mainly because of class 8810 (Office and "
        "clerical staff) in IN."
    )


FINDING = {
    "code": "payroll_cap",
    "message": "Ann Lee: $150,000 of payroll capped at $100,000",
    "state": "IN",
    "path": "$.audited.payroll[0]",
    "figures": {"employee": "Ann Lee", "total": "150000", "cap": "100000"},
}


def test_a_finding_is_said_in_either_language_from_its_figures():
    assert finding_text(FINDING) == "Ann Lee: $150,000 of payroll capped at $100,000"
    with translation.override("es"):
        assert finding_text(FINDING) == "Ann Lee: nómina de $150,000 con un tope de $100,000"


def test_a_finding_without_figures_and_a_reason_of_an_unknown_code_keep_their_words():
    with translation.override("es"):
        assert finding_text({**FINDING, "figures": {}}) == FINDING["message"]
        assert reason_text({"code": "new_rule", "figures": {"a": "1"}, "text": "a new rule"}) == (
            "a new rule"
        )


def officer_reason() -> dict[str, Any]:
    """The officer of the multistate example: $310,000 capped at Indiana's annual maximum."""
    sheet = (EXAMPLES / "02-multistate-officers-subcontractor.json").read_text()
    rated = to_jsonable(rate_worksheet(worksheet_from_json(sheet)))
    return next(
        reason
        for exposure in rated["audited"]["exposures"]
        for reason in exposure["reasons"]
        if reason.get("code") == "officer.covered"
        and reason["figures"]["pay"] != reason["figures"]["rated"]
    )


def test_an_officer_capped_at_the_annual_maximum_is_said_so_in_english_and_spanish():
    reason = officer_reason()
    assert reason["figures"]["how"] == "capped.annual"
    with translation.override("en"):
        english = reason_text(reason)
    with translation.override("es"):
        spanish = reason_text(reason)
    assert english.endswith("capped at the maximum $239,200 (annual maximum)")
    assert reason["text"].endswith("capped at the maximum $239,200 (annual maximum)")
    assert spanish.endswith("limitado al máximo de $239,200 (máximo anual)")


def coded_reasons(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every reason of a result that has a code: the exposures' and each state's steps'."""
    found = []
    for side in ("estimated", "audited"):
        for exposure in result[side]["exposures"]:
            found += exposure["reasons"]
        for state in result[side]["states"]:
            found += [step["reason"] for step in state["steps"]]
    # Rounding is told without the mode's name (ROUND_HALF_UP) staff read.
    return [reason for reason in found if reason.get("code") not in ("", None, "rounding")]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_each_coded_reason_of_every_example_says_in_english_what_the_engine_wrote(name):
    # The same code and figures give the engine's own English words: nothing said to an insured
    # in English differs from what staff read, and Spanish is said from the same figures.
    sheet = worksheet_from_json((EXAMPLES / name).read_text())
    reasons = coded_reasons(to_jsonable(rate_worksheet(sheet)))
    with translation.override("en"):
        different = [(r["text"], reason_text(r)) for r in reasons if reason_text(r) != r["text"]]
    with translation.override("es"):
        untranslated = [r["text"] for r in reasons if reason_text(r) == r["text"]]
    assert reasons
    assert different == []
    assert untranslated == []


@pytest.mark.parametrize(
    ("table", "english", "spanish"),
    [
        (
            "IN WC 5645 5.43",
            "the premium $704.70 is below the minimum premium $1,500 (class 5645 rate 5.43 × 315 "
            "+ expense constant, capped at $1,500): $795.30 added",
            "la prima de $704.70 es menor que la prima mínima de $1,500 (tarifa de la clase 5645 "
            "de 5.43 × 315 + cargo fijo por gastos, con un máximo de $1,500): se agregan $795.30",
        ),
        (
            "IN WC 5645 5.43 min=750",
            "the premium $704.70 is below the minimum premium $750 (class 5645 minimum premium "
            "$750): $45.30 added",
            "la prima de $704.70 es menor que la prima mínima de $750 (prima mínima de la clase "
            "5645 de $750): se agregan $45.30",
        ),
    ],
)
def test_a_minimum_premium_is_said_in_english_and_spanish_from_its_figures(table, english, spanish):
    rates = rate_table(table, "IN WC 8810 0.17")
    sheet = worksheet(payroll=[payroll("10000"), payroll("1000", "8810")])
    rated = to_jsonable(rate(sheet, rates))
    [step] = [
        step
        for state in rated["audited"]["states"]
        for step in state["steps"]
        if step["code"] == "minimum_premium"
    ]
    reason = step["reason"]
    assert reason["text"] == english
    with translation.override("en"):
        assert reason_text(reason) == english
    with translation.override("es"):
        assert reason_text(reason) == spanish


def test_a_split_period_s_mods_are_said_in_english_and_spanish_from_their_figures():
    sheet = worksheet(
        payroll=[
            payroll("100000", split_period=date(2025, 3, 1)),
            payroll("200000", split_period=date(2025, 9, 1)),
        ],
        experience_mods=(
            ExperienceMod(Decimal("0.90"), date(2025, 1, 1)),
            ExperienceMod(Decimal("1.10"), date(2025, 7, 1)),
        ),
    )
    rated = to_jsonable(rate(sheet, rate_table("IN WC 5645 5.00")))
    [reason] = [
        step["reason"]
        for state in rated["audited"]["states"]
        for step in state["steps"]
        if step["code"] == "experience_mod"
    ]
    english = (
        "experience modification: $5,000 × 0.90 from 2025-01-01; $10,000 × 1.10 from 2025-07-01 "
        "= $15,500"
    )
    assert reason["text"] == english
    with translation.override("en"):
        assert reason_text(reason) == english
    with translation.override("es"):
        assert reason_text(reason) == (
            "modificación por experiencia: $5,000 × 0.90 desde el 2025-01-01; $10,000 × 1.10 "
            "desde el 2025-07-01 = $15,500"
        )
