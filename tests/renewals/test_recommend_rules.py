"""The recommendation's arithmetic alone, without a database: the trend, its cap both ways, the
average over more terms when the rules ask for them, and exposures that are not payroll."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trueup.renewals.recommend import Term, recommend
from trueup.renewals.rules import rules

RULES = rules(date(2026, 1, 1))


def _term(year: int, exposure: str, basis: str = "payroll") -> Term:
    key = ("OH", "5183")
    return Term(date(year, 1, 1), date(year + 1, 1, 1), {key: Decimal(exposure)}, {key: basis})


def test_the_rules_in_force_trend_over_two_terms_capped_at_ten_percent() -> None:
    assert RULES["trend"]["terms"] == 2
    assert RULES["trend"]["cap_percent"] == 10
    assert RULES["threshold"]["min_change_percent"] == 5
    assert RULES["rounding"]["exposure_to"] == 100


def test_a_fall_is_capped_too() -> None:
    [line, _mod] = recommend(
        terms=[_term(2024, "200000"), _term(2025, "150000")],
        estimates={("OH", "5183"): Decimal(200000)},
        officers=[],
        mod=None,
        rules=RULES,
    )
    # 150,000 × 0.90: the 25 % fall held at 10 %.
    assert line.recommended == Decimal(135000)
    assert line.action == "exposure_change"
    assert line.why == (
        "Payroll in 5183 (OH) fell 25 % over two audits: $200,000 → $150,000; recommended "
        "$135,000 (the trend applied is capped at 10 %), against $200,000 on the renewal."
    )


def test_three_terms_average_their_growth_when_the_rules_ask_for_three() -> None:
    three = {**RULES, "trend": {**RULES["trend"], "terms": 3}}
    [line, _mod] = recommend(
        terms=[_term(2023, "100000"), _term(2024, "104000"), _term(2025, "106080")],
        estimates={("OH", "5183"): Decimal(100000)},
        officers=[],
        mod=None,
        rules=three,
    )
    # Growth of 4 % then 2 %: 3 % on average, so 106,080 × 1.03 = 109,262.40 → 109,300.
    assert line.growth_percent == Decimal(3)
    assert line.recommended == Decimal(109300)
    assert line.audited == (Decimal(100000), Decimal(104000), Decimal(106080))


def test_gross_sales_are_said_as_figures_not_dollars_of_payroll() -> None:
    [line, mod] = recommend(
        terms=[_term(2024, "1000000", "gross_sales"), _term(2025, "1040000", "gross_sales")],
        estimates={("OH", "5183"): Decimal(900000)},
        officers=[],
        mod=None,
        rules=RULES,
    )
    assert line.recommended == Decimal(1081600)
    assert line.why == (
        "Gross sales in 5183 (OH) grew 4 % over two audits: 1,000,000 → 1,040,000; "
        "recommended 1,081,600, against 900,000 on the renewal."
    )
    assert mod.why == "No experience mod is in force on the renewal: it is rated at unity (1.00)."
