"""A register imported in parts (batches of its rows): what each part gives (``Part``), what a
part needs of the ones above it (``Across``), and the parts put together into the import's
result (``merged``), the same as the register imported whole."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import polars as pl

from trueup.payroll.ingest.classification import unresolved_added, unresolved_of
from trueup.payroll.ingest.columns import Headers
from trueup.payroll.ingest.facts import Ingested
from trueup.payroll.ingest.mapping import Category, Profile, categories
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import (
    Known,
    Seen,
    excluded_added,
    excluded_of,
    unmapped_added,
    unmapped_of,
)
from trueup.payroll.ingest.summaries import (
    _lines,
    _totals,
    employees_added,
    employees_of,
    inferred_added,
    inferred_of,
    line_keys,
    line_numbers,
    quarters_added,
    quarters_of,
    sums_added,
    sums_of,
)
from trueup.payroll.ingest.totals import Check, add_rows, stated_totals

# What a register read in batches is read again by: each call reads it from its first row.
Batches = Callable[[], Iterator[pl.DataFrame]]


@dataclass
class Across:
    """What a batch's import needs of the batches above it: the rows kept so far, to find copies
    of them (``Seen`` on a first pass, ``Known`` on a second; none when the register is imported
    whole), and which columns of unknown headers hold amounts, as the whole register says (none:
    the frame is the whole register)."""

    copies: Seen | Known | None = None
    holds: Mapping[str, bool] | None = None


@dataclass
class Part:
    """One batch's import: its partial sums and lists, gathered by ``merged``."""

    register: Headers
    sums: pl.DataFrame
    quarters: pl.DataFrame
    cells: pl.DataFrame
    employees: pl.DataFrame
    exceptions: pl.DataFrame
    rows_read: int
    rows_used: int
    rows_excepted: int
    unresolved: pl.DataFrame
    left_out: dict[str, dict[str, int]]
    inferred: pl.DataFrame
    labels: pl.Series  # the batch's totals rows
    checks: list[Check]
    unmapped: pl.DataFrame
    excluded: pl.DataFrame


def add_earlier_rows(
    labels: list[pl.Series], checks: list[list[Check]], batches: Batches, profile: Profile
) -> None:
    """A totals row totals rows of the batches above its own too: those batches are read again
    and their rows added to its check (``labels``: each batch's totals rows, never summed;
    ``checks``: each batch's checks). Read only when a batch after the first has totals rows."""
    last = max((index for index, found in enumerate(checks) if found), default=0)
    if last == 0:
        return
    for index, frame in enumerate(batches()):
        if index >= last:
            break
        later = [check for found in checks[index + 1 :] for check in found]
        add_rows(later, frame, profile, labels[index])


def owned(part: Part) -> Part:
    """The part with what it keeps of the batch's text copied out of the batch's buffers
    (``_own``), so that the batch's cells are let go once it is imported. Its cells hold no
    text."""
    return dataclasses.replace(
        part,
        sums=_own(part.sums),
        quarters=_own(part.quarters),
        employees=_own(part.employees),
        exceptions=_own(part.exceptions),
        unresolved=_own(part.unresolved),
        inferred=_own(part.inferred),
        unmapped=_own(part.unmapped),
        excluded=_own(part.excluded),
    )


def fold(parts: list[Part]) -> Part:
    """Parts (two or more) put together into one, still partial: summed by their keys, listed
    in row order."""
    first = parts[0]
    return Part(
        register=first.register,
        sums=sums_added([part.sums for part in parts]),
        quarters=quarters_added([part.quarters for part in parts]),
        cells=pl.concat([part.cells for part in parts]),
        employees=employees_added([part.employees for part in parts]),
        exceptions=pl.concat([part.exceptions for part in parts]),
        rows_read=sum(part.rows_read for part in parts),
        rows_used=sum(part.rows_used for part in parts),
        rows_excepted=sum(part.rows_excepted for part in parts),
        unresolved=unresolved_added([part.unresolved for part in parts]),
        left_out=_left_out_of([part.left_out for part in parts]),
        inferred=inferred_added([part.inferred for part in parts]),
        labels=pl.concat([part.labels for part in parts]),
        checks=[check for part in parts for check in part.checks],
        unmapped=unmapped_added([part.unmapped for part in parts]),
        excluded=excluded_added([part.excluded for part in parts]),
    )


def _own(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its text in buffers of its own. Polars keeps a text column's cells in the
    buffers they were read into: a few thousand names grouped out of a batch of a register hold
    the whole batch's text, and a large register's batches would all be held to the end."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(pl.col(text).str.replace(r"^", ""))


def merged(part: Part, profile: Profile) -> Ingested:
    """The import's result from its one part, or from its parts folded into one."""
    sums = sums_of(part.sums, categories())
    return Ingested(
        quarters=quarters_of(part.quarters),
        profile=profile,
        lines=_lines(sums),
        cells=line_numbers(part.cells, part.sums),
        state_column=part.register.state_column,
        class_column=part.register.class_column,
        employees=employees_of(part.employees),
        exceptions=part.exceptions,
        totals=_totals(sums),
        rows_read=part.rows_read,
        rows_used=part.rows_used,
        rows_excepted=part.rows_excepted,
        unresolved=unresolved_of(part.unresolved),
        left_out=part.left_out,
        inferred=inferred_of(part.inferred),
        stated_totals=stated_totals(part.checks),
        unmapped=unmapped_of(part.unmapped),
        excluded=excluded_of(part.excluded),
    )


def _left_out_of(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    added: dict[str, dict[str, int]] = {}
    for part in parts:
        for kind, found in part.items():
            into = added.setdefault(kind, {"rows": 0, "cents": 0})
            into["rows"] += found["rows"]
            into["cents"] += found["cents"]
    return dict(sorted(added.items()))


def cells_of(priced: pl.DataFrame, known: Mapping[str, Category], columns: pl.Enum) -> pl.DataFrame:
    """What a part keeps of each amount behind a line (``Ingested.cells``): its line's key (its
    number once the lines are known), its field, whether in gross pay, its row and its column
    (one of the register's ``columns``)."""
    return priced.select(
        line_keys(priced),
        pl.col("field").cast(fields_enum(known)),
        "in_gross",
        pl.col(ROW).cast(pl.UInt32),  # a register's rows are fewer than 2**32: 4 bytes a cell
        pl.col("column").cast(columns),
    )


def fields_enum(known: Mapping[str, Category]) -> pl.Enum:
    """The payroll lines' fields, as a cell's field is kept: a number, not a text on each cell."""
    return pl.Enum(sorted({category.field for category in known.values() if category.field}))
