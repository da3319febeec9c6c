"""``statistical.toml`` and ``routing.toml``: when reports are due, the codes written in them and
which bureau receives each state's data. Pure: no Django."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from trueup.core import ruledata

HERE = Path(__file__).parent
# Made once: the batch reads the rules for every report it writes.
STATISTICAL, ROUTING = HERE / "statistical.toml", HERE / "routing.toml"


def rules(on: date) -> dict[str, Any]:
    """The reporting rules in force on the day."""
    return ruledata.load(STATISTICAL).on(on)


@dataclass(frozen=True)
class Route:
    """Where one state's data goes: a bureau's code and name, or nowhere (``bureau`` empty) with
    why."""

    state: str
    bureau: str
    name: str
    source: str

    @property
    def reported(self) -> bool:
        return bool(self.bureau)


def route(state: str, on: date) -> Route | None:
    """The bureau for the state's data; a monopolistic fund state has none; None: not known."""
    data = ruledata.load(ROUTING).on(on)
    for code, bureau in (data.get("bureaus") or {}).items():
        if state in bureau.get("states", ()):
            return Route(state, code, str(bureau["name"]), str(bureau["source"]))
    mono = data.get("monopolistic") or {}
    if state in mono.get("states", ()):
        return Route(
            state, "", "State fund (monopolistic): no private carrier report", mono["source"]
        )
    return None


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Timing:
    valued_on: date
    due_on: date


def first_report(effective: date) -> Timing:
    """The first report of a policy effective on the day: valued on the first of the month 18
    months after its effective month, due by the end of the 20th."""
    timing = rules(effective)["timing"]
    return Timing(
        valued_on=add_months(effective, int(timing["first_valuation_months"])),
        due_on=end_of_month(add_months(effective, int(timing["first_due_months"]))),
    )


def effective_months_due(start: date, end: date, on: date) -> tuple[date, date]:
    """The policies' effective dates whose first report falls due between ``start`` and ``end``."""
    months = int(rules(on)["timing"]["first_due_months"])
    return add_months(start, -months), end_of_month(add_months(end, -months))


def next_sequence(used: list[str], on: date) -> str:
    """The next correction sequence within a report level after those used: 1–9, then A–Z."""
    sequence = str(rules(on)["corrections"]["sequence"])
    taken = [sequence.index(s) for s in used if s and s in sequence]
    position = max(taken) + 1 if taken else 0
    if position >= len(sequence):
        raise ValueError(f"every correction sequence ({sequence[0]}–{sequence[-1]}) is used")
    return sequence[position]


def batch_window(today: date) -> tuple[date, date]:
    """The due dates the daily batch generates reports for."""
    batch = rules(today)["batch"]
    return (
        add_months(today, -int(batch["lookback_months"])),
        end_of_month(add_months(today, int(batch["ahead_months"]))),
    )


def batch_parts(today: date) -> int:
    """How many background tasks the daily batch is split into."""
    return max(1, int(rules(today)["batch"].get("parts", 1)))
