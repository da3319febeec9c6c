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
    # employee id or name (as written) → why their pay is left out (not this policy's).
    excluded_employees: Mapping[str, str] = field(default_factory=dict)
    officer_names: frozenset[str] = frozenset()
    default_state: str | None = None
    # The policy's states: a row in any other state is an exception (none given: not checked).
    states: tuple[str, ...] = ()
    # (state, class) → why the class cannot be rated (no rate in the table in use), or None.
    class_problem: Callable[[str, str], str | None] | None = None
    # The insured's saved answers. (kind, value normalised) → (state, class), either may be "":
    # kind is "department", "job" or "location" (work location), for rows the register and the
    # employee table leave without a state or class.
    groups: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # Earnings code or wide column (normalised) → category, beside the profile's own codes.
    codes: Mapping[str, str] = field(default_factory=dict)
    # Earnings code or wide column (normalised) → why its amounts are left out of the payroll.
    excluded_codes: Mapping[str, str] = field(default_factory=dict)


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
    # The amounts behind the lines: each one's line (its index in ``lines``), field, whether in
    # gross pay, row and column (see ``cells_of``); and the register's state and class headers.
    cells: pl.DataFrame = field(default_factory=pl.DataFrame)
    state_column: str = ""
    class_column: str = ""
    # What the auditor resolves before a commit, each as JSON-ready rows (cents are integers):
    # amounts in codes or columns no mapping names: code, column, rows, first_row, cents.
    unmapped: list[dict[str, object]] = field(default_factory=list)
    # amounts in codes the auditor excluded: code, reason, rows, cents.
    excluded: list[dict[str, object]] = field(default_factory=list)
    # rows without a class or state: missing ("class"/"state"), employee, department, job,
    # location, rows, first_row, cents.
    unresolved: list[dict[str, object]] = field(default_factory=list)
    # states taken from elsewhere than the register: state, source (words), employees, cents.
    inferred: list[dict[str, object]] = field(default_factory=list)
    # The table read ({"read": "rows 5–60: …", "skipped": [{"rows": "…", "what": "…"}]}).
    tables: dict[str, object] = field(default_factory=dict)
    # The register's own totals rows against TrueUp's sum of the rows they total: label, row,
    # column, stated_cents, summed_cents, difference_cents.
    stated_totals: list[dict[str, object]] = field(default_factory=list)
    # Rows and cents left out, by exception kind: {"outside_period": {"rows": 2, "cents": 1}}.
    left_out: dict[str, dict[str, int]] = field(default_factory=dict)
    # What the reader says about the file (a summary report has no per-check detail, …).
    notes: list[str] = field(default_factory=list)

    @property
    def gross_cents(self) -> int:
        return sum(int(line["gross_cents"]) for line in self.lines)  # type: ignore[call-overload]

    def cells_of(self, index: int, name: str) -> list[tuple[int, str]]:
        """The register's (row, column) cells behind field ``name`` of line ``index``: the
        amounts summed into it ("gross": those in gross pay), or the cells its "state" or
        "class" came from; a field with no cells of its own (gross pay where only deductions
        were given) gives the line's amount cells. Worked out only when asked for: a problem
        with a line is rare, and an import has many cells."""
        mine = self.cells.filter(pl.col("line") == index)
        if name == "gross":
            found = mine.filter(pl.col("in_gross"))
        elif name in ("state", "class"):
            header = self.state_column if name == "state" else self.class_column
            return sorted({(row, header) for row in mine.get_column(ROW)})
        else:
            found = mine.filter(pl.col("field").cast(pl.String) == name)
        if found.is_empty():
            found = mine
        return sorted(set(found.select(ROW, pl.col("column").cast(pl.String)).iter_rows()))
