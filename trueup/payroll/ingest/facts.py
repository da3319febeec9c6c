"""What an import is asked to do (``Options``) and what it gives back (``Ingested``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from trueup.payroll.ingest.mapping import Profile
from trueup.payroll.ingest.readers import ROW

Basis = Literal["check", "earned"]


@dataclass(frozen=True)
class Options:
    effective: date
    expiration: date
    basis: Basis = "check"
    # employee id or name (as written) → (state, class): for registers without those columns.
    employee_classes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    officer_names: frozenset[str] = frozenset()
    default_state: str | None = None
    # The policy's states: a row in any other state is an exception (none given: not checked).
    states: tuple[str, ...] = ()
    # (state, class) → why the class cannot be rated (no rate in the table in use), or None.
    class_problem: Callable[[str, str], str | None] | None = None


@dataclass
class Ingested:
    profile: Profile
    lines: list[dict[str, object]]  # engine payroll lines: state, class_code, employee, amounts
    employees: pl.DataFrame  # one row per employee: state, class, officer, gross (cents), rows
    exceptions: pl.DataFrame  # row, column, kind, message
    totals: dict[str, int]  # cents by category, for the rows taken into the facts
    rows_read: int  # rows with anything in them (wholly blank rows are not counted)
    rows_used: int  # rows whose amounts are in the lines
    # Rows named in an exception and not used: rows_read = rows_used + rows_excepted. (A row kept
    # with a warning, a negative amount, counts as used.)
    rows_excepted: int = 0
    # Cents by state, quarter of the check date ("2025Q1"; "" without dates) and category: what
    # the reconciliation to quarterly tax filings compares.
    quarters: pl.DataFrame = field(default_factory=pl.DataFrame)
    # The amounts behind the lines, with their cells: see ``cells_of``.
    cells: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def gross_cents(self) -> int:
        return sum(int(line["gross_cents"]) for line in self.lines)  # type: ignore[call-overload]

    def cells_of(self, index: int, name: str) -> list[tuple[int, str]]:
        """The register's (row, column) cells behind field ``name`` of line ``index``: the
        amounts summed into it ("gross": those in gross pay), or the cells its "state" or
        "class" came from; a field with no cells of its own (gross pay where only deductions
        were given) gives the line's amount cells. Worked out only when asked for: a problem
        with a line is rare, and an import has many cells."""
        line = self.lines[index]
        mine = self.cells.filter(
            (pl.col("state_final") == line["state"])
            & (pl.col("class_final") == line["class_code"])
            & (pl.col("who") == line["employee"])
        )
        column = {"state": "state_column", "class": "class_column"}.get(name, "column")
        if name == "gross":
            found = mine.filter(pl.col("in_gross"))
        elif name in ("state", "class"):
            found = mine
        else:
            found = mine.filter(pl.col("field") == name)
        if found.is_empty():
            found = mine
        return sorted(set(found.select(ROW, column).iter_rows()))
