"""The import itself: a register frame → payroll lines for the engine, a per-employee summary,
totals by category and the exceptions, with money as integer cents throughout. A register read
in batches (``ingest_batches``) goes through the same steps a batch at a time."""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import polars as pl

from trueup.payroll.ingest.cells import _date, cents
from trueup.payroll.ingest.classification import (
    _classify,
    _without_excluded_employees,
    unresolved,
)
from trueup.payroll.ingest.columns import (
    _column_amounts,
    _long,
    _resolve,
    amount_questions,
    headers,
)
from trueup.payroll.ingest.facts import Ingested, Options
from trueup.payroll.ingest.mapping import Profile, categories, pay_categories
from trueup.payroll.ingest.parts import (
    Across,
    Batches,
    Part,
    add_earlier_rows,
    cells_of,
    fold,
    merged,
    owned,
)
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import (
    UNMAPPED_READS,
    WARNINGS,
    Known,
    Problems,
    Seen,
    _in_period,
    _officers,
    _pay_amounts,
    _readable_amounts,
    _unaccounted,
    _unmapped,
    _without_copies,
    _without_excluded,
    _without_totals,
    among,
)
from trueup.payroll.ingest.summaries import (
    _employees,
    _grouped,
    _inferred,
    _priced,
    _quarters,
    _rows_excepted,
    _sums,
)
from trueup.payroll.ingest.totals import (
    TOTALS,
    Check,
    totals_checks,
    totals_rows,
    without_exempt,
)

__all__ = ["TOTALS", "ingest", "ingest_batches"]

# A pay period in one cell: "06/27/2025 - 07/10/2025", "06/27/2025 to 07/10/2025",
# "2025-06-27 – 2025-07-10". An ISO date holds dashes, so it is matched whole.
PAY_PERIOD = (
    r"(?i)^\s*(\d{4}-\d{1,2}-\d{1,2}|[^\s\-–—]+)\s*(?:-|–|—|to|through|thru)\s*"
    r"(\d{4}-\d{1,2}-\d{1,2}|[^\s\-–—]+)\s*$"
)


def ingest(frame: pl.DataFrame, profile: Profile, options: Options) -> Ingested:
    """The register's frame imported. The frame is let go once every step that reads it has:
    a caller that hands it over (``Export.take_frame``) frees the register's cells before the
    import's largest steps."""
    held = [frame]
    del frame
    return merged(_part(held, profile, options, Across(), first_label=0), profile)


def ingest_batches(batches: Batches, profile: Profile, options: Options) -> Ingested:
    """A register read in batches of rows (``read_register_batches``), imported as the whole
    would be, to the cent and to the exception: memory is held for one batch at a time, and for
    what the import keeps of each row it uses. ``batches`` reads the register again from its
    first row each time it is called: a second pass is made when a column's kind or a totals
    row's scope depends on rows of other batches, or when rows copy rows of earlier batches
    (they are known only once every batch is read, and are then left out as copies)."""
    holds = _amount_columns(batches, profile)
    options = replace(options, class_problem=_asked_once(options.class_problem))
    with tempfile.TemporaryDirectory(prefix="trueup-import-") as name:
        folder = Path(name)
        seen = Seen(_folder(folder / "hashes"))
        imported = _Imported(batches, profile, options, Spilled(_folder(folder / "parts")))
        imported.run(Across(seen, holds))
        later = seen.later()
        shutil.rmtree(seen.folder)
        if not later.is_empty():
            imported.again(Across(Known(later), holds), later)
        whole = imported.whole()
    return merged(whole, profile)


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


class _Imported:
    """The batches imported so far (``_part``), each batch's part written aside (``Spilled``);
    each batch's totals rows and checks, and its last row, kept."""

    def __init__(
        self, batches: Batches, profile: Profile, options: Options, spilled: Spilled
    ) -> None:
        self.batches, self.profile, self.options = batches, profile, options
        self.spilled = spilled
        self.labels: list[pl.Series] = []
        self.checks: list[list[Check]] = []
        self.last_rows: list[int] = []

    def run(self, across: Across, only: set[int] | None = None) -> None:
        """Every batch imported, or only the batches numbered in ``only`` (in place of what
        they gave before)."""
        for index, held in enumerate(_handed(self.batches())):
            if index == len(self.last_rows):
                self.last_rows.append(_last_row(held[0], self.last_rows))
            if only is not None and index not in only:
                continue
            first_label = sum(s.len() for s in self.labels[:index])
            part = _part(held, self.profile, self.options, across, first_label)
            if index == len(self.labels):
                self.labels.append(part.labels)
                self.checks.append(part.checks)
            else:  # the same totals rows as before, their checks not yet given other batches'
                self.checks[index] = part.checks
            self.spilled.kept(index, owned(part))
            del part

    def again(self, across: Across, rows: pl.Series) -> None:
        """The batches holding these rows (copies of rows in earlier batches) imported again."""
        holding = pl.Series(self.last_rows).search_sorted(rows, side="left")
        self.run(across, only=set(holding.unique().to_list()))

    def whole(self) -> Part:
        """The batches put together in one part, the totals rows' checks given the rows of the
        batches above them, and the cells read back."""
        add_earlier_rows(self.labels, self.checks, self.batches, self.profile)
        count = len(self.labels)
        whole: Part | None = None
        # A few batches at a time: what is summed stays the size of its keys, not the rows'.
        for start in range(0, count, FOLDED):
            parts = [self.spilled.part(index) for index in range(start, min(count, start + FOLDED))]
            if whole is not None:
                parts.insert(0, whole)
            whole = fold(parts) if len(parts) > 1 else parts[0]
            del parts
        assert whole is not None, "a register read in batches has one at least"
        return replace(whole, cells=self.spilled.cells(count))


def _last_row(frame: pl.DataFrame, before: list[int]) -> int:
    """A batch's last row (the one before's if it has none): a row's batch is the first whose
    last row is not above it."""
    if frame.is_empty():
        return before[-1] if before else 0
    return int(frame.item(-1, ROW))


class Spilled:
    """Each batch's part written to files as the batch is imported, and read back once every
    batch is: a large register's cells (14 bytes each, millions of them), and its batches' sums,
    employees and lists, are not held while the batches after them are imported; and a batch
    imported again (``_Imported.again``) takes the place of what it gave the first time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Each batch's part without its frames (``FRAMES``): its counts, totals rows and checks.
        self.shells: dict[int, Part] = {}

    def kept(self, index: int, part: Part) -> None:
        for name in (*FRAMES, "cells"):
            getattr(part, name).write_ipc(self._path(index, name))
        self.shells[index] = _with_frames(part, dict.fromkeys((*FRAMES, "cells"), pl.DataFrame()))

    def part(self, index: int) -> Part:
        """Batch ``index``'s part, but for its cells."""
        frames = {name: self._read(index, name) for name in FRAMES}
        return _with_frames(self.shells[index], frames)

    def cells(self, count: int) -> pl.DataFrame:
        # In as many pieces as there were batches: the cells are only filtered (``cells_of``).
        return pl.concat([self._read(index, "cells") for index in range(count)])

    def _read(self, index: int, name: str) -> pl.DataFrame:
        return pl.read_ipc(self._path(index, name), memory_map=False)

    def _path(self, index: int, name: str) -> Path:
        return self.folder / f"{index:06d}-{name}.arrow"


def _with_frames(part: Part, frames: Mapping[str, pl.DataFrame]) -> Part:
    """The part with these frames (by field name) in place of its own."""
    return replace(part, **frames)  # type: ignore[arg-type]  # every name is a frame field


# A part's frames written aside (``Spilled``) and read back to be put together, its cells apart.
FRAMES = (
    "sums",
    "quarters",
    "employees",
    "exceptions",
    "unresolved",
    "inferred",
    "unmapped",
    "excluded",
)

# How many batches' parts are put together at once (``fold``): each is a few thousand rows of
# sums and employees, and putting them together costs a pass over all of them.
FOLDED = 32


def _handed(frames: Iterator[pl.DataFrame]) -> Iterator[list[pl.DataFrame]]:
    """Each frame in a list the import empties (``_part``): no reference is left here to keep a
    batch's cells while the next one is read."""
    for frame in frames:
        held = [frame]
        del frame
        yield held


def _asked_once(
    problem: Callable[[str, str], str | None] | None,
) -> Callable[[str, str], str | None] | None:
    """The rate table asked once for each (state, class), not once in every batch."""
    if problem is None:
        return None
    return functools.cache(problem)


def _amount_columns(batches: Batches, profile: Profile) -> dict[str, bool] | None:
    """A wide register's columns no profile names are read as earnings when every filled cell
    in them is an amount: over the whole register, before any batch is imported."""
    if profile.shape == "long" or profile.unknown_columns != "earnings":
        return None
    filled: dict[str, bool] = {}
    amounts: dict[str, bool] = {}
    for frame in batches():
        questions = amount_questions(frame, profile)
        if not questions:
            break  # its header names every column, as every batch's does: no pass is needed
        for column in questions:
            some, every = _column_amounts(frame, column)
            filled[column] = filled.get(column, False) or some
            amounts[column] = amounts.get(column, True) and every
    return {column: filled[column] and amounts[column] for column in filled}


def _part(
    held: list[pl.DataFrame], profile: Profile, options: Options, across: Across, first_label: int
) -> Part:
    """One batch of the register's rows imported: what is summed, listed or checked across
    batches is gathered in ``Part``; ``across`` holds what a batch needs of the ones before it."""
    frame = held.pop()
    known = categories()
    register = headers(frame, profile)
    columns_enum = pl.Enum([c for c in frame.columns if c != ROW])
    labels = totals_rows(frame, profile)
    rows, not_pay = _amount_rows(frame, profile, options, labels.get_column(ROW), across.holds)
    read = _rows_read(frame)
    # What is needed to name a row nothing was used from; the rest is let go as the rows are
    # filtered (a large register's memory).
    everything = pl.concat([rows.select(*EVERYTHING), not_pay.select(*EVERYTHING)])
    problems = Problems()
    flag = problems.add
    # Each step flags the rows it leaves out (or keeps with a warning) and passes on the rest.
    # A column is let go once no later step reads it: each filter copies the columns left (a
    # large register's time and memory). For the same reason the amounts and copies steps mark
    # the rows they leave out (``keep``), and the period's step drops them with its own.
    rows = _without_totals(rows, not_pay.select(ROW, "totals"), flag).drop("totals", "blank")
    del not_pay  # its cells are in ``everything``; nothing else reads them
    rows = without_exempt(rows, frame, flag)
    checks = totals_checks(frame, profile, labels, first_label)
    del frame  # nothing below reads the register's cells
    rows, excluded = _without_excluded(rows, flag)
    rows = _readable_amounts(rows, flag)
    rows = _pay_amounts(rows, known, profile, flag).drop("amount")
    rows = _without_copies(rows, flag, across.copies)
    rows = _in_period(rows, register, options, flag)
    rows = _without_excluded_employees(rows, options, flag)
    rows = _classify(rows, register, options, flag).drop(*NAMES, strict=False)
    waiting = unresolved(rows, pay_categories())
    rows = rows.drop("department", "job", "location", "excluded")
    rows = _officers(rows, options, flag).drop("officer")
    paid = ~pl.col("is_officer") & pl.col("ok")
    mapped = pl.col("category").is_not_null()
    # Amounts in codes no mapping names are kept through the steps (an amount outside the period
    # or a copy is no question for the auditor) and gathered here, out of the payroll.
    unmapped = _unmapped(rows.lazy().filter(paid & ~mapped).select(*UNMAPPED_READS).collect(), flag)
    # One copy of the rows, with only what the payroll's summaries and cells read. Eagerly: a
    # lazy filter leaves the rows in pieces, and grouping those cost the summaries twice the time.
    payroll = rows.select(PAYROLL).filter(rows.select(paid & mapped).to_series())
    # The officers' rows, few, are grouped with the payroll's for the employees.
    officers = rows.lazy().filter(pl.col("ok") & mapped & pl.col("is_officer"))
    grouped = _grouped(payroll, officers.select(PAYROLL).collect())
    used = payroll.get_column(ROW).unique()
    _unaccounted(everything, read, used, problems, profile)
    exceptions = problems.frame()
    priced = _priced(payroll.drop("check"), known)
    return Part(
        register=register,
        sums=_sums(grouped),
        quarters=_quarters(payroll),
        cells=cells_of(priced, known, columns_enum),
        employees=_employees(grouped, known),
        exceptions=exceptions,
        rows_read=read.len(),
        rows_used=used.len(),
        rows_excepted=_rows_excepted(exceptions, used),
        unresolved=waiting,
        left_out=_left_out(everything, exceptions, used),
        inferred=_inferred(priced),
        labels=labels.get_column(ROW),
        checks=checks,
        unmapped=unmapped,
        excluded=excluded,
    )


# What is kept of every amount, used or not, to say what a row nothing was used from held.
EVERYTHING = (ROW, "blank", "category", "cents", "column")
# What the payroll's summaries, cells and inferred states read of each row used.
PAYROLL = (
    ROW,
    "state_final",
    "class_final",
    "state_from",
    "who",
    "category",
    "cents",
    "check",
    "column",
)
# The employee's name and id as the register writes them: read only to look an employee up in
# the employee table or the auditor's exclusions (``who`` is the one the import names).
NAMES = ("employee", "employee_id")


def _amount_rows(
    frame: pl.DataFrame,
    profile: Profile,
    options: Options,
    totals: pl.Series,
    holds: Mapping[str, bool] | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per amount, with its cents, dates, employee and whether it is a totals row (a
    totals label in any of its text columns); and a wide register's cells that are not pay (one
    a row: ``Long.not_pay``) with the same but their fields. A pay period in one cell gives the
    period's start and end where the register has no columns of its own for them."""
    formats = profile.date_formats
    one_cell = "pay_period" in _resolve(frame, profile)
    # Without an employee table or exclusions, ``who`` is all the steps read of the names.
    unread = () if options.employee_classes or options.excluded_employees else NAMES

    # Only the earned basis reads a pay period's dates (``_in_period``): on the check-date basis
    # they are not read (two dates a row, a large register's time).
    earned = options.basis == "earned"

    def per_row(rows: pl.LazyFrame) -> pl.LazyFrame:
        if earned:
            rows = _with_period(rows, one_cell, formats)
        return rows.with_columns(
            check=_date("check_date", formats),
            who=pl.when(pl.col("employee") != "")
            .then(pl.col("employee"))
            .otherwise(pl.col("employee_id")),
            totals=pl.col(ROW).is_in(totals.implode()),
        ).drop("pay_period", "period_start", "period_end", *unread)

    long = _long(frame, profile, options, per_row, holds)
    read = {
        "cents": cents("amount"),
        "blank": pl.col("amount").is_null() | (pl.col("amount").str.strip_chars() == ""),
    }
    not_pay = long.not_pay.with_columns(
        **read, category=pl.lit("ignore"), totals=pl.col(ROW).is_in(totals.implode())
    )
    return long.rows.with_columns(**read).collect(), not_pay.collect()


def _with_period(rows: pl.LazyFrame, one_cell: bool, formats: tuple[str, ...]) -> pl.LazyFrame:
    """The pay period's first and last days (``start``, ``end``): from the register's columns
    for them, else from a pay period in one cell."""
    if one_cell:
        period = {
            "period_from": pl.col("pay_period").str.extract(PAY_PERIOD, 1),
            "period_to": pl.col("pay_period").str.extract(PAY_PERIOD, 2),
        }
    else:
        period = {"period_from": pl.lit(None, pl.String), "period_to": pl.lit(None, pl.String)}
    return (
        rows.with_columns(**period)
        .with_columns(
            start=pl.coalesce(_date("period_start", formats), _date("period_from", formats)),
            end=pl.coalesce(_date("period_end", formats), _date("period_to", formats)),
        )
        .drop("period_from", "period_to")
    )


def _left_out(
    everything: pl.DataFrame,
    exceptions: pl.DataFrame,
    used: pl.Series,
) -> dict[str, dict[str, int]]:
    """Rows named in an exception and not used, by the first kind named for each, with the
    cents of their pay (amounts in gross, and amounts no mapping names): the dollars an import
    leaves out, shown beside those it takes."""
    # A totals row's amounts are sums of other rows, not pay of their own: not counted here.
    kept = ~pl.col("kind").is_in([*WARNINGS, "totals_row"])
    named = (
        exceptions.with_columns(used=among(exceptions.get_column("row"), used))
        .filter(kept & ~pl.col("used"))
        .sort("row", "kind")
        .unique("row", keep="first")
        .select(pl.col("row").alias(ROW), "kind")
    )
    if named.is_empty():
        return {}
    counted = pl.col("category").is_in(list(pay_categories())) | pl.col("category").is_null()
    cents = pl.when(counted & ~pl.col("blank")).then(pl.col("cents").fill_null(0)).otherwise(0)
    per_row = (
        everything.lazy()
        .filter(pl.col(ROW).is_in(named.get_column(ROW).implode()))
        .group_by(ROW)
        .agg(cents=cents.sum())
    ).collect()
    return {
        kind: {"rows": int(rows), "cents": int(total)}
        for kind, rows, total in named.join(per_row, on=ROW, how="left")
        .group_by("kind")
        .agg(rows=pl.len(), cents=pl.col("cents").fill_null(0).sum())
        .sort("kind")
        .iter_rows()
    }


def _rows_read(frame: pl.DataFrame) -> pl.Series:
    """A row with nothing in any cell is no row of payroll; every other row is read, and ends up
    used or named in an exception."""
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame.get_column(ROW).clear()
    # Most rows are filled in their fullest column: only the others are looked at cell by cell
    # (every cell of a large register is a regex's time).
    fullest = max(cells, key=lambda c: frame.height - frame.get_column(c).null_count())
    filled = frame.get_column(fullest).str.contains(r"\S").fill_null(False)
    if filled.all():
        return frame.get_column(ROW)
    rest = frame.filter(~filled).select(
        pl.any_horizontal(pl.col(cells).str.contains(r"\S")).fill_null(False)
    )
    filled = filled.scatter((~filled).arg_true(), rest.to_series())
    return frame.get_column(ROW).filter(filled)
