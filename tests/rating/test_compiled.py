"""What the engine keeps between ratings: a state's rules build their plans once and hand the
same ones to every later rating, a failed build is not kept, and nothing one rating does changes
another's result. And the fast record builders make the same records as the constructors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from operator import attrgetter
from typing import Any

import pytest

from tests.rating.factories import D, rate, rate_table, worksheet
from trueup.rating import RuleBook, RuleBookError
from trueup.rating.jsonio import result_to_json
from trueup.rating.payroll import BEYOND_GROSS, WITHIN_GROSS, _item_amounts
from trueup.rating.result import (
    AdjustmentLine,
    ClassPremium,
    ExposureLine,
    Reason,
    Step,
    new_adjustment_line,
    new_class_premium,
    new_exposure_line,
    new_reason,
    new_step,
)
from trueup.rating.rulebook import DEFAULT_DIRECTORY
from trueup.rating.worksheet import LINE_AMOUNTS, Estimate, PayrollLine, payroll_amounts

RATES = rate_table("IN WC 5645 5.43", "IN WC 8810 0.17", "NV WC 5645 6.10", "NV WC 8810 0.25")


def test_a_states_rules_build_a_plan_once_and_hand_the_same_one_to_later_ratings():
    rules = RuleBook.load(DEFAULT_DIRECTORY).rules_for("IN", date(2025, 1, 1))
    built: list[int] = []

    def build() -> list[int]:
        built.append(1)
        return [len(built)]

    first = rules.compiled("a plan", build)
    again = rules.compiled("a plan", build)

    assert first is again
    assert built == [1]


def test_a_build_that_fails_is_not_kept_and_fails_again_on_the_next_rating():
    rules = RuleBook.load(DEFAULT_DIRECTORY).rules_for("IN", date(2025, 1, 1))

    def build() -> None:
        raise RuleBookError("no such value")

    for _ in range(2):
        with pytest.raises(RuleBookError, match="no such value"):
            rules.compiled("broken", build)


def test_each_date_and_state_keeps_its_own_plans():
    book = RuleBook.load(DEFAULT_DIRECTORY)
    indiana = book.rules_for("IN", date(2025, 1, 1))
    nevada = book.rules_for("NV", date(2025, 1, 1))
    later = book.rules_for("IN", date(2026, 1, 1))

    assert indiana.compiled("plan", lambda: "IN 2025") == "IN 2025"
    assert nevada.compiled("plan", lambda: "NV 2025") == "NV 2025"
    assert later.compiled("plan", lambda: "IN 2026") == "IN 2026"
    assert indiana.compiled("plan", lambda: "built again") == "IN 2025"


def test_rating_worksheets_in_any_order_gives_each_the_same_result():
    def line(state: str, code: str, gross: str, **amounts: Any) -> PayrollLine:
        return PayrollLine(state, code, D(gross), employee="Ann", **amounts)

    sheets = [
        worksheet(payroll=[line("IN", "5645", "50000", overtime_total=D("3000"), tips=D("200"))]),
        worksheet(
            states=("NV",),
            estimated=[Estimate("NV", "5645", D("60000"))],
            payroll=[line("NV", "5645", "40000"), line("NV", "8810", "9000")],
        ),
        worksheet(payroll=[line("IN", "8810", "1000", section_125=D("100"))]),
    ]

    forwards = [result_to_json(rate(ws, RATES)) for ws in sheets]
    backwards = [result_to_json(rate(ws, RATES)) for ws in reversed(sheets)][::-1]

    assert forwards == backwards
    assert '"capped at' not in forwards[0]
    assert "is capped at $36,000 per employee" in forwards[1]


def test_the_fast_builders_make_the_same_records_as_the_constructors():
    amount = D("12.50")
    reason = Reason("rule", "paid {}", amount, "IN", None, "", "fact", (), "$.x", (amount,))
    fields = tuple(reason)

    built = new_reason(fields)

    assert type(built) is Reason
    assert built == reason
    assert built.text == "paid $12.50"
    step = new_step(("manual", amount, reason, True))
    assert (type(step), step) == (Step, Step("manual", amount, reason, True))
    line = new_exposure_line(("IN", "5645", "payroll", amount, (reason,), None))
    assert (type(line), line) == (
        ExposureLine,
        ExposureLine("IN", "5645", "payroll", amount, (reason,)),
    )
    premium = (*("IN", "5645", "payroll"), amount, D("5.43"), amount, amount, reason, None)
    assert new_class_premium(premium) == ClassPremium(*premium)
    adjustment = ("IN", "5645", True, amount, amount, amount, amount, D("0"))
    assert new_adjustment_line(adjustment) == AdjustmentLine(*adjustment)


def test_a_states_rules_copied_for_another_date_keep_nothing_built_for_the_first():
    rules = RuleBook.load(DEFAULT_DIRECTORY).rules_for("IN", date(2025, 1, 1))
    rules.compiled("plan", lambda: "2025")

    later = replace(rules, on=date(2026, 1, 1))

    assert later.compiled("plan", lambda: "2026") == "2026"


def test_a_lines_amounts_read_field_by_field_are_the_named_fields_in_order() -> None:
    # Each amount different, so that a field read twice or out of order shows.
    names = LINE_AMOUNTS
    amounts: dict[str, Any] = {name: D(n + 1) for n, name in enumerate(names)}
    line = PayrollLine("IN", "8810", **amounts)
    assert payroll_amounts(line) == attrgetter(*names)(line)
    assert _item_amounts(line) == attrgetter(*WITHIN_GROSS, *BEYOND_GROSS)(line)
