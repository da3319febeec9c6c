"""The steps the amount rows go through: each flags the rows it leaves out (or keeps with a
warning) in the exceptions list and passes on the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import polars as pl

from trueup.payroll.ingest.cells import _bad_amount
from trueup.payroll.ingest.columns import Headers
from trueup.payroll.ingest.facts import Options
from trueup.payroll.ingest.mapping import Category, Profile
from trueup.payroll.ingest.readers import ROW

TRUE = ("y", "yes", "true", "1", "x", "officer")
# Exceptions that keep their row: the row is used, and the exception is a warning.
WARNINGS = ("negative_amount",)
# Rows an exception is found in: a frame, or a query of one (``Problems.add`` reads only what it
# names of them).
Rows = pl.DataFrame | pl.LazyFrame
EXCEPTION_SCHEMA = {"row": pl.Int64, "column": pl.String, "kind": pl.String, "message": pl.String}


class Problems:
    """The exceptions list, gathered as the rows go through the steps."""

    def __init__(self) -> None:
        self.found: list[pl.DataFrame] = []

    def add(self, rows: Rows, mask: pl.Expr, kind: str, message: pl.Expr) -> None:
        """The rows where ``mask`` holds, named with ``kind`` and ``message``. Lazily: only the
        columns an exception reads are filtered (a large register's rows have many more)."""
        found = (
            rows.lazy()
            .filter(mask)
            .select(row=pl.col(ROW), column=pl.col("column"), kind=pl.lit(kind), message=message)
            .collect()
        )
        if found.height:
            self.found.append(found)

    def frame(self) -> pl.DataFrame:
        if not self.found:
            return pl.DataFrame(schema=EXCEPTION_SCHEMA)
        # Several exceptions of one kind on one row (one per bad cell) stay in the order the
        # steps found them, so the same register lists them the same way on every import.
        return pl.concat(self.found).sort(["row", "kind"], maintain_order=True)


Flag = Callable[[Rows, pl.Expr, str, pl.Expr], None]


def kept(rows: pl.DataFrame, mask: pl.Expr) -> pl.DataFrame:
    """The rows where ``mask`` holds; the frame itself when that is all of them (a large
    register's copy saved: most steps leave out nothing from a clean one)."""
    keep = rows.select(mask.fill_null(False)).to_series()
    return rows if keep.all() else rows.filter(keep)


def among(numbers: pl.Series, rows: pl.Series) -> pl.Series:
    """Whether each of ``numbers`` is one of ``rows`` (register row numbers, none negative):
    read from a mask indexed by row number. ``is_in`` would hash ``rows`` first, and the rows an
    import uses are most of a large register: tens of milliseconds each time it is asked."""
    if numbers.is_empty() or rows.is_empty():
        return pl.zeros(numbers.len(), pl.Boolean, eager=True).rename(numbers.name)
    size = int(max(numbers.max(), rows.max())) + 1  # type: ignore[type-var, arg-type]
    mask: pl.Series = pl.zeros(size, pl.Boolean, eager=True).scatter(rows, True)
    return mask.gather(numbers).rename(numbers.name)


def _drop_rows(rows: pl.DataFrame, mask: pl.Expr) -> pl.DataFrame:
    """Leave out every amount of the rows where ``mask`` holds for any of them: a row with
    one bad cell is an exception as a whole, never used in part."""
    bad = rows.filter(mask).get_column(ROW).unique()
    if bad.is_empty():
        return rows
    return rows.filter(~pl.col(ROW).is_in(bad.implode()))


def _without_totals(rows: pl.DataFrame, not_pay: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    """Totals rows are the report's own sums: never payroll. ``not_pay`` (row, totals) are the
    rows' cells that are not pay, apart from ``rows`` (``Long.not_pay``): a totals row may hold
    nothing else."""
    marked = pl.concat([rows.select(ROW, "totals"), not_pay])
    totals_rows = marked.filter(pl.col("totals")).unique(ROW).with_columns(column=pl.lit(""))
    flag(totals_rows, pl.lit(True), "totals_row", pl.lit("a totals row: left out"))
    # Columns mapped to "ignore" (taxes, net pay) are never read: text there is no exception.
    return kept(
        rows, ~pl.col("totals") & ~pl.col("blank") & pl.col("category").ne_missing("ignore")
    )


def _without_excluded(rows: pl.DataFrame, flag: Flag) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Amounts in codes the auditor excluded are left out (the rest of their row is read), each
    named in the exceptions with the auditor's reason, and gathered by code with their cents
    (``excluded_of`` lists the batches')."""
    if rows.get_column("excluded").null_count() == rows.height:
        return rows, EXCLUDED.clear()  # nothing excluded: no copy of a large register's rows
    # A zero, a blank or text in an excluded column is nothing to list.
    excluded = rows.filter(pl.col("excluded").is_not_null() & (pl.col("cents").fill_null(0) != 0))
    if excluded.is_empty():
        return rows.filter(pl.col("excluded").is_null()), EXCLUDED.clear()
    flag(
        excluded,
        pl.lit(True),
        "excluded_code",
        pl.concat_str(
            [pl.lit("code '"), pl.col("code"), pl.lit("' is excluded: "), pl.col("excluded")]
        ),
    )
    listed = excluded.group_by(key=_code_key(), maintain_order=True).agg(
        code=pl.col("code").first(),
        reason=pl.col("excluded").first(),
        rows=pl.col(ROW).n_unique(),
        cents=pl.col("cents").sum(),
    )
    return rows.filter(pl.col("excluded").is_null()), listed


EXCLUDED = pl.DataFrame(
    schema={
        "key": pl.String,
        "code": pl.String,
        "reason": pl.String,
        "rows": pl.UInt32,
        "cents": pl.Int64,
    }
)


def excluded_of(listed: pl.DataFrame) -> list[dict[str, object]]:
    """The amounts in excluded codes, by code: its first spelling and reason, rows and cents."""
    return listed.sort("code").drop("key").to_dicts()


def excluded_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return (
        pl.concat(parts)
        .group_by("key", maintain_order=True)
        .agg(pl.col("code", "reason").first(), pl.col("rows", "cents").sum())
    )


def _code_key() -> pl.Expr:
    return pl.col("code").str.to_lowercase().str.replace_all(r"\s+", " ")


def _readable_amounts(rows: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    """Rows with a cell that is not an amount are left out. An amount in a code no mapping names
    goes on (category None): once the rows are filtered, it is gathered as unmapped."""
    bad_amount = pl.col("cents").is_null()
    flag(
        rows,
        bad_amount,
        "bad_amount",
        pl.concat_str([pl.lit("'"), pl.col("amount"), pl.lit("' "), _bad_amount(pl.col("amount"))])
        + pl.lit(": the row is left out"),
    )
    return _drop_rows(rows, bad_amount)


def _unmapped(rows: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    """Amounts in the payroll's rows whose code no mapping names, each named in the exceptions
    and gathered by code and column: the import cannot be committed until the auditor maps each
    code to a category or excludes it. The rest of their rows is used."""
    unmapped = rows.filter(pl.col("category").is_null())
    if unmapped.is_empty():
        return UNMAPPED.clear()
    flag(
        unmapped,
        pl.lit(True),
        "unmapped_code",
        pl.concat_str(
            [
                pl.lit("code '"),
                pl.col("code"),
                pl.lit("' is not mapped: map it to a category or exclude it before committing"),
            ]
        ),
    )
    return unmapped.group_by(key=_code_key(), column="column", maintain_order=True).agg(
        code=pl.col("code").first(),
        rows=pl.col(ROW).n_unique(),
        first_row=pl.col(ROW).min(),
        cents=pl.col("cents").sum(),
    )


# What ``_unmapped`` reads of the rows it is given.
UNMAPPED_READS = (ROW, "column", "code", "category", "cents")
UNMAPPED = pl.DataFrame(
    schema={
        "key": pl.String,
        "column": pl.String,
        "code": pl.String,
        "rows": pl.UInt32,
        "first_row": pl.Int64,
        "cents": pl.Int64,
    }
)


def unmapped_of(listed: pl.DataFrame) -> list[dict[str, object]]:
    """The amounts in codes no mapping names, by code and column, in the order of their first
    row: the code as first written, rows, first row and cents."""
    return (
        listed.sort("first_row", "column")
        .select("code", "column", "rows", "first_row", "cents")
        .to_dicts()
    )


def unmapped_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return (
        pl.concat(parts)
        .group_by("key", "column", maintain_order=True)
        .agg(
            pl.col("code").first(),
            pl.col("rows").sum(),
            pl.col("first_row").min(),
            pl.col("cents").sum(),
        )
    )


def _pay_amounts(
    rows: pl.DataFrame, known: Mapping[str, Category], profile: Profile, flag: Flag
) -> pl.DataFrame:
    """Deductions as positive amounts; zeros and rows without an employee left out; negative
    amounts kept with a warning. The rows left out are marked (``keep`` false), not copied
    out: the period's step drops them with its own, so a large register is copied once, not
    twice, and the steps in between read only the rows kept."""
    deductions = [key for key, category in known.items() if category.deduction]
    rows = rows.with_columns(
        cents=pl.when(pl.col("category").is_in(deductions))
        .then(pl.col("cents").abs())
        .otherwise(pl.col("cents"))
    )
    zero = pl.col("cents") == 0
    if profile.shape == "long":
        flag(rows, zero, "zero_amount", pl.lit("a zero amount: left out"))
    # A zero in a wide register's column is an empty cell; a row of nothing but zeros is named
    # later, with the other rows that give nothing.
    nameless = rows.lazy().filter(~zero & (pl.col("who") == "")).unique(ROW, keep="first")
    flag(nameless, pl.lit(True), "no_employee", pl.lit("no employee name or id: left out"))
    rows = rows.with_columns(keep=(~zero & (pl.col("who") != "")).fill_null(False))
    flag(
        rows,
        pl.col("keep") & (pl.col("cents") < 0),
        "negative_amount",
        pl.concat_str([pl.lit("a negative amount ("), pl.col("amount"), pl.lit("): kept")]),
    )
    return rows


def _officers(rows: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Mark officers' rows (``is_officer``): officers are rated as the audit's officers, so their
    pay is named here and kept out of the payroll lines."""
    officer = pl.col("officer").str.to_lowercase().is_in(TRUE) | pl.col("who").is_in(
        list(options.officer_names)
    )
    rows = rows.with_columns(is_officer=officer)
    flag(
        rows.lazy()
        .filter(pl.col("ok") & pl.col("is_officer"))
        .unique(ROW, keep="first")
        .with_columns(column=pl.lit("")),
        pl.lit(True),
        "officer",
        pl.concat_str(
            [
                pl.lit("officer "),
                pl.col("who"),
                pl.lit(": kept out of the payroll lines (officers are rated as the audit's "),
                pl.lit("officers)"),
            ]
        ),
    )
    return rows


def _without_copies(
    rows: pl.DataFrame, flag: Flag, seen: Seen | Known | None = None
) -> pl.DataFrame:
    """A row with the same employee, check date, state, class and amounts (each code and amount)
    as a row above it is a duplicate, left out as a whole: marked, as ``_pay_amounts`` marks
    its rows, and dropped with the period's. Only rows kept so far are compared. A register read
    in batches has its rows compared with the batches above them too (``seen``: ``Seen``, then
    ``Known``)."""
    kept_rows = rows.select(ROW, "keep").filter(pl.col("keep"))
    if kept_rows.is_empty():
        return rows
    keys = ["who", "check", "state", "class_code", "amounts"]
    long = one_amount_a_row(kept_rows)
    if long:
        # One amount a row (a long register): the row's code and amount are its amounts; no
        # grouping, which costs most of an import's time on a large register. The rows left out
        # are signed apart (``keep`` is one of the keys), so a kept row is only ever a copy of a
        # kept one, and no copy of the rows is made to leave them out.
        signatures = rows.select(
            ROW,
            "who",
            "check",
            "state",
            "class_code",
            "column",
            "keep",
            amounts=pl.struct("code", "cents"),
        )
        if not signatures.get_column(ROW).is_sorted():
            signatures = signatures.sort(ROW)
        copies = _later_copies(signatures, [*keys, "keep"]).filter(pl.col("keep"))
    else:
        signed = rows.select(ROW, "who", "check", "state", "class_code", "code", "cents").filter(
            rows.get_column("keep")
        )
        signatures = _signatures(signed.filter(pl.col(ROW).is_in(_alike(signed).implode())))
        copies = _later_copies(signatures, keys)
    if seen is not None:
        copies = seen.copies(rows, copies, long)
    if copies.is_empty():
        return rows
    flag(
        copies,
        pl.lit(True),
        "duplicate",
        pl.concat_str([pl.lit("the same check again for "), pl.col("who"), pl.lit(": left out")]),
    )
    copied = pl.col(ROW).is_in(copies.get_column(ROW).implode())
    return rows.with_columns(keep=pl.col("keep") & ~copied)


class Seen:
    """The first pass over a register read in batches: each batch's kept rows written to files,
    each row by two 64-bit hashes of what makes a row a copy (a long register's row: every key;
    a wide one's: the sums of its amounts' hashes, the same in any order of its columns) and its
    batch. Nothing of the batches before is held or searched: once every batch is imported,
    ``later`` finds the rows that copy a row of an earlier batch, reading one share of the
    hashes at a time. Most registers have none; one that has is imported again (``Known``).
    Two rows that are no copies agree on both hashes about once in 2**64 registers of ten
    million rows; rows within a batch are compared in full, as a register read whole is."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.batches = 0
        # The last batches' hashes, written together: a file costs about a millisecond to
        # write, whatever its size, and a register has many batches.
        self.held: list[pl.DataFrame] = []
        self.writes = 0

    def copies(self, rows: pl.DataFrame, within: pl.DataFrame, long: bool) -> pl.DataFrame:
        """``within`` (the batch's copies of its own rows); the batch's rows are written down."""
        hashed = _row_hashes(_signed(rows, long), long).select(
            ROW, "a", "b", batch=pl.lit(self.batches, pl.UInt32), share=pl.col("b") % SHARES
        )
        self.batches += 1
        self.held.append(hashed)
        if sum(frame.height for frame in self.held) >= HELD_ROWS:
            self._write()
        return within

    def _write(self) -> None:
        held = pl.concat(self.held)
        self.held = []
        for (share,), keys in held.partition_by("share", as_dict=True).items():
            keys.drop("share").write_ipc(self.folder / f"{share:02d}-{self.writes:06d}.arrow")
        self.writes += 1

    def later(self) -> pl.Series:
        """The rows, in order, whose hashes are those of a row in an earlier batch."""
        if self.held:
            self._write()
        found = [pl.Series(ROW, [], pl.Int64)]
        for share in range(SHARES):
            files = sorted(self.folder.glob(f"{share:02d}-*.arrow"))
            if not files:
                continue
            keys = pl.concat([pl.read_ipc(path, memory_map=False) for path in files])
            # Rows alike in one hash are few: only those are grouped by both.
            keys = keys.filter(pl.col("a").is_duplicated())
            first = pl.col("batch").min().over("a", "b")
            found.append(keys.filter(pl.col("batch") > first).get_column(ROW).cast(pl.Int64))
        return pl.concat(found).sort()


# The shares ``Seen`` writes each batch's hashes in (by the second hash's last bits, which are
# spread evenly for both shapes of register): ``later`` holds one share of them at a time. And
# the rows whose hashes are held before they are written (24 MB).
SHARES = 16
HELD_ROWS = 1_000_000


class Known:
    """The second pass over a register whose rows copy rows of earlier batches (``Seen``): those
    rows, known, are left out as copies with the batch's own."""

    def __init__(self, rows: pl.Series) -> None:
        self.rows = rows

    def copies(self, rows: pl.DataFrame, within: pl.DataFrame, long: bool) -> pl.DataFrame:
        """``within`` with the batch's rows that copy a row of an earlier batch, in row order."""
        signed = _signed(rows, long)
        if signed.is_empty():
            return within
        # Only the known rows within this batch's span: a register pasted in twice has
        # millions, and each batch is asked about its own.
        numbers = signed.get_column(ROW)
        mine = self.rows.filter(self.rows.is_between(numbers.min(), numbers.max()))
        found = signed.filter(pl.col(ROW).is_in(mine.implode())).unique(ROW, keep="first")
        if found.is_empty():
            return within
        if not long:  # a wide row's copy is named at no column, as within a batch
            found = found.with_columns(column=pl.lit(""))
        both = pl.concat([within.select(ROW, "who", "column"), found.select(ROW, "who", "column")])
        return both.unique(ROW, keep="first").sort(ROW)


def _signed(rows: pl.DataFrame, long: bool) -> pl.DataFrame:
    """The kept rows, with what makes a row a copy of another."""
    read = [ROW, *SIGNED, *(("column",) if long else ())]
    return rows.select(*read).filter(rows.get_column("keep"))


# What makes a row a copy of another (a long register's amount column too).
SIGNED = ("who", "check", "state", "class_code", "code", "cents")


def _row_hashes(signed: pl.DataFrame, long: bool) -> pl.DataFrame:
    """Each row's two hashes (``Seen``)."""
    keys = signed.select(*SIGNED, *(("column",) if long else ()))
    hashed = pl.DataFrame(
        {
            ROW: signed.get_column(ROW),
            "a": keys.hash_rows(seed=SEEDS[0]),
            "b": keys.hash_rows(seed=SEEDS[1]),
        }
    )
    if long:
        return hashed
    # A wide row's amounts, each hashed with its row's keys, summed: the same whatever the
    # columns' order. Each hash's low 40 bits, so the sum of a row's amounts fits.
    low = (1 << 40) - 1
    return hashed.group_by(ROW).agg(
        a=(pl.col("a") & low).sum() + pl.len().cast(pl.UInt64) * (1 << 44),
        b=(pl.col("b") & low).sum(),
    )


SEEDS = (0x5EED_0001, 0x5EED_0002)


def _alike(rows: pl.DataFrame) -> pl.Series:
    """The register rows of several amounts that may be copies of one another: alike in the sum
    of their amounts' hashes, each amount hashed with its row's employee, check date, state and
    class (a sum: the same whatever the amounts' order). Only these are compared in full."""
    hashed = rows.select("who", "check", "state", "class_code", "code", "cents").hash_rows()
    # Amounts a row has fewer than 2**20 of: their sum of 40-bit parts fits.
    per_row = (
        pl.DataFrame({ROW: rows.get_column(ROW), "hash": hashed % (1 << 40)})
        .group_by(ROW)
        .agg(pl.col("hash").sum())
    )
    return per_row.get_column(ROW).filter(per_row.get_column("hash").is_duplicated())


def _signatures(rows: pl.DataFrame) -> pl.DataFrame:
    """Each register row's employee, check date, state, class, and its codes and amounts as lists
    in one order: no text to build for each amount."""
    return (
        rows.select(ROW, "who", "check", "state", "class_code", "code", "cents")
        .sort(ROW, "code", "cents")
        .group_by(ROW, maintain_order=True)
        .agg(
            pl.col("who", "check", "state", "class_code").first(),
            column=pl.lit(""),
            codes=pl.col("code"),
            cents=pl.col("cents"),
        )
        .with_columns(amounts=pl.struct("codes", "cents"))
    )


def one_amount_a_row(rows: pl.DataFrame) -> bool:
    """Whether no register row has more than one amount row here (a long register's rows)."""
    numbers = rows.get_column(ROW)
    if numbers.len() < 2:
        return True
    if numbers.is_sorted():
        return bool(numbers.diff().min() > 0)  # type: ignore[operator]
    # More amounts than row numbers they fall between (a wide register's): some row has two, found
    # without hashing millions of numbers.
    span = int(numbers.max()) - int(numbers.min()) + 1  # type: ignore[arg-type]
    if numbers.len() > span:
        return False
    return numbers.n_unique() == numbers.len()


def _later_copies(signatures: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The signatures equal to one above them. Each is hashed first, and only those whose hash
    is seen twice are compared in full (comparing a large register's every row in full is most
    of an import's time)."""
    hashed = signatures.select(keys).hash_rows()
    if hashed.n_unique() == hashed.len():
        return signatures.clear()
    alike = signatures.filter(hashed.is_duplicated())
    return alike.filter(~pl.struct(keys).is_first_distinct())


def _unaccounted(
    everything: pl.DataFrame,
    read: pl.Series,
    used: pl.Series,
    problems: Problems,
    profile: Profile,
) -> None:
    """Name every row read that is neither used nor already an exception, with what it holds:
    no amount (a row cut short), only zeros, only amounts that are not pay, or nothing left in
    the period."""
    # A warning (a negative amount, kept) does not account for a row that ends up unused.
    listed = problems.frame()
    named = listed.filter(~pl.col("kind").is_in(WARNINGS)).get_column("row")
    left = read.filter(~among(read, used) & ~among(read, named))
    if left.is_empty():
        return
    pay = ~pl.col("blank") & pl.col("category").ne_missing("ignore")
    column = everything.get_column("column")[0] if profile.shape == "long" else ""
    found = (
        everything.filter(pl.col(ROW).is_in(left.implode()))
        .group_by(ROW)
        .agg(
            any_amount=(~pl.col("blank")).any(),
            any_pay=pay.any(),
            zeros=(pay.not_() | (pl.col("cents") == 0)).all(),
        )
        .with_columns(column=pl.lit(column))
    )
    # A wide register's blank cells are not amount rows: a row with none is absent here.
    empty = pl.DataFrame({ROW: left.filter(~left.is_in(found.get_column(ROW).implode()))})
    problems.add(
        pl.concat(
            [
                found.filter(~pl.col("any_amount")).select(ROW, "column"),
                empty.with_columns(column=pl.lit(column)),
            ]
        ),
        pl.lit(True),
        "no_amount",
        pl.lit("no amount on this row (is it cut short?): left out"),
    )
    problems.add(
        found.filter(pl.col("any_amount") & ~pl.col("any_pay")),
        pl.lit(True),
        "not_pay",
        pl.lit("only amounts that are not pay (taxes, net pay, hours): left out"),
    )
    problems.add(
        found.filter(pl.col("any_pay") & pl.col("zeros")),
        pl.lit(True),
        "zero_amount",
        pl.lit("every amount on this row is zero: left out"),
    )
    problems.add(
        found.filter(pl.col("any_pay") & ~pl.col("zeros")),
        pl.lit(True),
        "not_used",
        pl.lit("nothing on this row is pay in the policy period: left out"),
    )


def _in_period(rows: pl.DataFrame, register: Headers, options: Options, flag: Flag) -> pl.DataFrame:
    """Check-date basis: pay days from inception up to (not including) expiration. Earned
    basis: pay periods inside the policy period, and a straddling period prorated by its days in
    the policy period (to the cent, half up). The rows the steps before marked left out
    (``keep`` false) are dropped here with the period's own, in one copy of the rows, and the
    columns of dates read here are let go before it (``check`` stays: quarters are by it)."""
    if rows.is_empty() or not register.has_check_date:
        # A summary report: its rows are the report's period.
        return kept(rows, pl.col("keep")).drop(*PERIOD_COLUMNS, strict=False)
    dated = pl.col("keep") & pl.col("check").is_not_null()
    inside = (pl.col("check") >= options.effective) & (pl.col("check") < options.expiration)
    # Lazily, as are the rows outside the period: only the columns their exceptions read are
    # filtered.
    undated = (
        rows.lazy().filter(pl.col("keep") & pl.col("check").is_null()).unique(ROW, keep="first")
    )
    flag(
        undated.with_columns(column=pl.lit(register.date_column)),
        pl.lit(True),
        "bad_date",
        pl.concat_str(
            [
                pl.lit("check date '"),
                pl.col("check_date").str.strip_chars().fill_null(""),
                pl.lit("' is not a date"),
            ]
        ),
    )
    if options.basis == "earned" and register.has_period:
        start = pl.max_horizontal(pl.col("start"), pl.lit(options.effective))
        end = pl.min_horizontal(pl.col("end"), pl.lit(options.expiration) - pl.duration(days=1))
        days_in = ((end - start).dt.total_days() + 1).clip(lower_bound=0)
        days = (pl.col("end") - pl.col("start")).dt.total_days() + 1
        has_dates = pl.col("start").is_not_null() & pl.col("end").is_not_null() & (days > 0)
        share = pl.col("cents").abs() * days_in * 2 + days
        prorated = (share // (2 * days)) * pl.col("cents").sign()
        rows = rows.with_columns(
            cents=pl.when(has_dates).then(prorated).otherwise(pl.col("cents")),
            inside=pl.when(has_dates).then(days_in > 0).otherwise(inside),
        )
    else:
        rows = rows.with_columns(inside=inside)
    # Named at the check date's column, once a row: the date is the problem, not the amounts.
    outside = rows.lazy().filter(dated & ~pl.col("inside")).unique(ROW, keep="first")
    flag(
        outside.with_columns(column=pl.lit(register.date_column)),
        pl.lit(True),
        "outside_period",
        pl.concat_str(
            [
                pl.lit("check date "),
                pl.col("check").cast(pl.String),
                pl.lit(" is outside the period"),
            ]
        ),
    )
    used = rows.select(dated & pl.col("inside") & (pl.col("cents") != 0)).to_series()
    return rows.drop(*PERIOD_COLUMNS, strict=False).filter(used)


# What only the period's step reads, with the marks of the rows left out before it.
PERIOD_COLUMNS = ("check_date", "start", "end", "inside", "keep")
