"""Class rate tables, loaded from CSV.

Columns: ``state, line, class, basis, effective, rate, minimum_premium, description, status``.
WC rates are per $100 of payroll; GL rates are per unit of the class's premium basis (the units are
in the rule book's ``gl_bases``). A policy is rated with the rates in force on its effective date.

TrueUp ships *illustrative* demo rates (``demo_rates.csv``, every row marked ``illustrative``); real
bureau loss costs × the carrier's multiplier are loaded by the user from their own file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from trueup.rating.errors import RuleBookError

DEMO_RATES = Path(__file__).parent / "demo_rates.csv"
COLUMNS = ("state", "line", "class", "basis", "effective", "rate", "minimum_premium")
STATUSES = frozenset({"published", "derived", "unverified", "illustrative"})
BASES = frozenset({"payroll", "gross_sales", "area", "admissions", "each", "units", "total_cost"})


@dataclass(frozen=True, slots=True)
class ClassRate:
    state: str
    line: str
    class_code: str
    basis: str
    effective: date
    rate: Decimal
    minimum_premium: Decimal | None
    description: str
    status: str


class RateTable:
    """Rates by (state, line, class), each a list of dated versions."""

    def __init__(self, rows: list[ClassRate], version: str) -> None:
        self.version = version
        grouped: dict[tuple[str, str, str], list[ClassRate]] = {}
        for row in rows:
            grouped.setdefault((row.state, row.line, row.class_code), []).append(row)
        self._rates = {k: sorted(v, key=lambda r: r.effective) for k, v in grouped.items()}
        self._dates = {k: [r.effective for r in v] for k, v in self._rates.items()}
        # Each state and line's classes, in the table's order: a page listing one state's
        # classes reads those, not the whole table's.
        self._codes: dict[tuple[str, str], list[str]] = {}
        for state, line, code in self._rates:
            self._codes.setdefault((state, line), []).append(code)

    def lookup(self, state: str, line: str, class_code: str, on: date) -> ClassRate | None:
        key = (state, line, class_code)
        dates = self._dates.get(key)
        if dates is None:
            return None
        index = bisect_right(dates, on) - 1
        return self._rates[key][index] if index >= 0 else None

    def classes(self, state: str, line: str, on: date) -> list[ClassRate]:
        found = []
        for code in self._codes.get((state, line), ()):
            rate = self.lookup(state, line, code, on)
            if rate is not None:
                found.append(rate)
        return found

    @classmethod
    def from_csv_text(cls, text: str, name: str = "rates") -> RateTable:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RuleBookError(f"{name}: missing column(s) {', '.join(missing)}")
        rows: list[ClassRate] = []
        seen: set[tuple[str, str, str, date]] = set()
        for number, raw in enumerate(reader, start=2):
            where = f"{name} row {number}"
            try:
                effective = date.fromisoformat(raw["effective"].strip())
            except ValueError as exc:
                raise RuleBookError(f"{where}, column effective: not a date (YYYY-MM-DD)") from exc
            rate = _decimal(raw["rate"], where, "rate")
            if rate is None or rate < 0:
                raise RuleBookError(f"{where}, column rate: a rate of zero or more is required")
            status = (raw.get("status") or "").strip() or "published"
            if status not in STATUSES:
                raise RuleBookError(
                    f"{where}, column status: {status!r} is not one of {sorted(STATUSES)}"
                )
            basis = raw["basis"].strip()
            if basis not in BASES:
                raise RuleBookError(
                    f"{where}, column basis: {basis!r} is not one of {sorted(BASES)}"
                )
            row = ClassRate(
                state=raw["state"].strip().upper(),
                line=raw["line"].strip().upper(),
                class_code=raw["class"].strip(),
                basis=basis,
                effective=effective,
                rate=rate,
                minimum_premium=_decimal(raw["minimum_premium"], where, "minimum_premium"),
                description=(raw.get("description") or "").strip(),
                status=status,
            )
            key = (row.state, row.line, row.class_code, row.effective)
            if key in seen:
                raise RuleBookError(f"{where}: a second rate for {'/'.join(map(str, key))}")
            seen.add(key)
            rows.append(row)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return cls(rows, f"{name}-{digest}")

    @classmethod
    def from_csv(cls, path: Path) -> RateTable:
        return cls.from_csv_text(path.read_text(encoding="utf-8-sig"), path.stem)


def _decimal(text: str | None, where: str, column: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RuleBookError(f"{where}, column {column}: {text!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise RuleBookError(f"{where}, column {column}: {text!r} is not a number of zero or more")
    return value


@cache
def demo_rates() -> RateTable:
    """The illustrative demo rates shipped with TrueUp, loaded once per process."""
    return RateTable.from_csv(DEMO_RATES)
