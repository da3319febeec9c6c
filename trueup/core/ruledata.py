"""The one reader of the apps' TOML rule data: every file holds dated editions, each with its
source and status, so a change to a rule applies from its effective date and never re-judges
work that began under the edition before it.

A file is one or more editions; the tables of an edition are the rules themselves::

    [[edition]]
    effective = 2024-01-01
    source = "where these rules come from: a public source or the carrier's decision"
    status = "approved"          # approved | proposed | withdrawn

    [edition.disputes]
    default_days = 30

``load(path).on(day)`` gives the rules of the approved edition in force that day, as the dict the
file's tables make (without ``effective``, ``source`` and ``status``). Numbers with a fraction
are read as ``Decimal`` so figures stay exact; whole numbers stay ``int``. Pure: no Django, so the
pure parts of the product (payroll's reconciliation) can use it too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

STATUSES = ("approved", "proposed", "withdrawn")
META = ("effective", "source", "status")


class RuleDataError(ValueError):
    """A rule data file that cannot be used as it is, or has no rules in force on a day."""


@dataclass(frozen=True)
class Edition:
    effective: date
    source: str
    status: str
    rules: dict[str, Any]


@dataclass(frozen=True)
class RuleData:
    path: Path
    editions: tuple[Edition, ...]  # by effective date, earliest first

    def on(self, day: date) -> dict[str, Any]:
        """The rules of the approved edition in force on ``day``: the latest effective on or
        before it. Proposed and withdrawn editions are never used."""
        in_force = [e for e in self.editions if e.status == "approved" and e.effective <= day]
        if not in_force:
            raise RuleDataError(
                f"{self.path}: no approved edition is in force on {day.isoformat()}"
            )
        return in_force[-1].rules


@cache
def load(path: Path | str) -> RuleData:
    """The editions of one file, read once: rule data changes with a release, not while running."""
    path = Path(path)
    with path.open("rb") as f:
        data = tomllib.load(f, parse_float=Decimal)
    found = data.get("edition")
    if not isinstance(found, list) or not found:
        raise RuleDataError(f"{path}: no [[edition]] found; rule data is kept as dated editions")
    extra = sorted(k for k in data if k != "edition")
    if extra:
        raise RuleDataError(f"{path}: {', '.join(extra)} outside an edition; rules belong to one")
    editions = [_edition(path, n, raw) for n, raw in enumerate(found, start=1)]
    approved = [e.effective for e in editions if e.status == "approved"]
    if len(approved) != len(set(approved)):
        # Two approved editions from the same day would leave the rules in force to file order.
        raise RuleDataError(f"{path}: two approved editions take effect on the same day")
    return RuleData(path, tuple(sorted(editions, key=lambda e: e.effective)))


def _edition(path: Path, n: int, raw: dict[str, Any]) -> Edition:
    missing = [k for k in META if k not in raw]
    if missing:
        raise RuleDataError(f"{path}: edition {n} lacks {', '.join(missing)}")
    effective, source, status = raw["effective"], raw["source"], raw["status"]
    # A datetime is a date too, but an edition starts on a day, not at an hour.
    if not isinstance(effective, date) or hasattr(effective, "hour"):
        raise RuleDataError(f"{path}: edition {n}'s effective must be a date (2024-01-01)")
    if not isinstance(source, str) or not source.strip():
        raise RuleDataError(f"{path}: edition {n}'s source must say where its rules come from")
    if status not in STATUSES:
        raise RuleDataError(f"{path}: edition {n}'s status must be one of {', '.join(STATUSES)}")
    rules = {k: v for k, v in raw.items() if k not in META}
    return Edition(effective, source, status, rules)
