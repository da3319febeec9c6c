"""The import itself: a register frame → payroll lines for the engine, a per-employee summary,
totals by category and the exceptions, with money as integer cents throughout."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import polars as pl

from trueup.payroll.ingest.mapping import FIELDS, Category, Profile, categories
from trueup.payroll.ingest.readers import ROW, RegisterError, normalise

Basis = Literal["check", "earned"]
EXCEL_EPOCH = date(1899, 12, 30)
# "Total", "Subtotal", "Grand Total", "Totals for …"; and labels ending so: "Report Total".
TOTALS = r"(?i)^\s*(grand\s+)?(sub\s*)?totals?\b|\btotals?\s*:?\s*$"
TRUE = ("y", "yes", "true", "1", "x", "officer")
# Exceptions that keep their row: the row is used, and the exception is a warning.
WARNINGS = ("negative_amount",)
EXCEPTION_SCHEMA = {"row": pl.Int64, "column": pl.String, "kind": pl.String, "message": pl.String}


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


class Problems:
    """The exceptions list, gathered as the rows go through the steps."""

    def __init__(self) -> None:
        self.found: list[pl.DataFrame] = []

    def add(self, rows: pl.DataFrame, mask: pl.Expr, kind: str, message: pl.Expr) -> None:
        found = rows.filter(mask).select(
            row=pl.col(ROW), column=pl.col("column"), kind=pl.lit(kind), message=message
        )
        if found.height:
            self.found.append(found)

    def frame(self) -> pl.DataFrame:
        if not self.found:
            return pl.DataFrame(schema=EXCEPTION_SCHEMA)
        return pl.concat(self.found).sort(["row", "kind"])


Flag = Callable[[pl.DataFrame, pl.Expr, str, pl.Expr], None]


# Parentheses or a minus sign before or after; thousands in groups of three; at most two decimals.
AMOUNT = (
    r"^(?<open>\()?(?<lead>-)?(?<whole>\d{1,3}(?:,\d{3})+|\d+)?"
    r"(?:\.(?<fraction>\d{0,2}))?(?<trail>-)?(?<close>\))?$"
)
# The most dollar digits a payroll amount holds (the audit's money columns: 14 digits, 2 decimal).
MAX_WHOLE_DIGITS = 12


def cents(column: str) -> pl.Expr:
    """The exact amount in cents of a text cell: $, thousands separators, a minus sign (before or
    after) or parentheses for negatives, at most two decimals; a lone dash (how accounting formats
    print zero) is 0. Null when the text is not an amount, or has more dollar digits than a payroll
    amount holds."""
    text = pl.col(column).str.replace_all(r"[\$\s]", "")
    # One regex (a lone dash is its first branch) whose groups are read inside the struct it
    # makes: each group read from outside the struct ran the regex again (most of an import's
    # time), and a separate test for the dash made Polars panic on a column of several chunks.
    whole = pl.field("whole").str.replace_all(",", "")
    fraction = pl.field("fraction")
    digits = whole.str.len_chars().fill_null(0) + fraction.str.len_chars().fill_null(0)
    signs = sum(pl.field(name).is_not_null().cast(pl.Int8) for name in ("open", "lead", "trail"))
    matched = (
        (digits > 0)
        & (pl.field("open").is_null() == pl.field("close").is_null())
        & (signs <= 1)
        & (whole.str.len_chars().fill_null(0) <= MAX_WHOLE_DIGITS)
    )
    dollars = whole.fill_null("0").cast(pl.Int64, strict=False)
    hundredths = fraction.fill_null("").str.pad_end(2, "0").cast(pl.Int64, strict=False)
    value = dollars * 100 + hundredths
    amount = (
        pl.when(pl.field("dashes").is_not_null())
        .then(pl.lit(0, pl.Int64))
        .when(matched)
        .then(pl.when(signs > 0).then(-value).otherwise(value))
        .otherwise(None)
    )
    parts = text.str.extract_groups(rf"^(?<dashes>-+)$|{AMOUNT}")
    return parts.struct.with_fields(amount=amount).struct.field("amount")


def _date(column: str, formats: tuple[str, ...]) -> pl.Expr:
    return pl.col(column).map_batches(lambda cells: _dates(cells, formats), return_dtype=pl.Date)


def _dates(cells: pl.Series, formats: tuple[str, ...]) -> pl.Series:
    """Dates in the profile's formats (and ISO, with or without a time). The few cells that do not
    read so are tried again: a time of day after the date ("2/1/2025 0:00", as Excel saves date
    cells), a two-digit year ("02/01/25": 00-68 are 2000s, 69-99 1900s), or an Excel serial day
    number ("45689", "45689.5")."""
    text = cells.str.strip_chars()
    frame = pl.DataFrame({"text": text})
    cell = pl.col("text")
    plain = frame.select(
        pl.coalesce(
            cell.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            *[cell.str.to_date(fmt, strict=False) for fmt in formats],
        )
    ).to_series()
    retry = (plain.is_null() & (text.str.len_bytes() > 0)) | (plain < date(100, 1, 1))
    if not retry.any():
        return plain
    day = cell.str.extract(r"^(\S+)")
    two_digit = [fmt.replace("%Y", "%y") for fmt in formats if "%Y" in fmt]
    serial = pl.lit(EXCEL_EPOCH) + pl.duration(
        days=cell.str.extract(r"^(\d{5})(?:\.\d+)?$").cast(pl.Int64, strict=False)
    )
    again = (
        frame.with_row_index("at")
        .filter(retry)
        .select(
            "at",
            date=pl.coalesce(
                *[day.str.to_date(fmt, strict=False) for fmt in (*two_digit, *formats)], serial
            ),
        )
        .drop_nulls()
    )
    return plain.scatter(again["at"], again["date"])


def _resolve(frame: pl.DataFrame, profile: Profile) -> dict[str, str]:
    """TrueUp field → the frame's actual column, matching headers without regard to case."""
    by_name = {normalise(c): c for c in frame.columns}
    return {
        name: by_name[normalise(header)]
        for name, header in profile.columns.items()
        if normalise(header) in by_name
    }


def _text(columns: Mapping[str, str], name: str) -> pl.Expr:
    if name in columns:
        return pl.col(columns[name]).str.strip_chars().fill_null("")
    return pl.lit("")


def _long(frame: pl.DataFrame, profile: Profile) -> pl.LazyFrame:
    """One row per earnings amount: (row, fields…, source column, code, amount text)."""
    columns = _resolve(frame, profile)
    if "employee" not in columns and "employee_id" not in columns:
        wanted = profile.columns.get("employee") or profile.columns.get("employee_id")
        raise RegisterError(f"{profile.name}: the column {wanted!r} is missing")
    keep = {
        ROW: pl.col(ROW),
        **{name: _text(columns, name) for name in FIELD_NAMES},
        "has_check_date": pl.lit("check_date" in columns),
        "has_period": pl.lit("period_start" in columns and "period_end" in columns),
        "date_column": pl.lit(columns.get("check_date", "")),
        "state_column": pl.lit(columns.get("state", "")),
        "class_column": pl.lit(columns.get("class_code", "")),
    }
    if profile.shape == "long":
        for name in ("code", "amount"):
            if name not in columns:
                raise RegisterError(
                    f"{profile.name}: the column {profile.columns.get(name)!r} is missing"
                )
        return (
            frame.lazy()
            .select(
                **keep,
                column=pl.lit(columns["amount"]),
                code=pl.col(columns["code"]).str.strip_chars().fill_null(""),
                amount=pl.col(columns["amount"]),
            )
            .with_columns(
                category=pl.col("code")
                .str.to_lowercase()
                .str.replace_all(r"\s+", " ")
                .replace_strict(dict(profile.codes), default=None)
            )
        )
    present = {normalise(c): c for c in frame.columns}
    earnings = {
        present[normalise(header)]: category
        for header, category in profile.earnings.items()
        if normalise(header) in present
    }
    if not earnings:
        raise RegisterError(
            f"{profile.name}: none of the earnings columns is there ({', '.join(profile.earnings)})"
        )
    base = frame.lazy().select(*[pl.col(c) for c in earnings], **keep)
    return (
        base.unpivot(
            index=[ROW, *FIELD_NAMES, *ROW_FACTS],
            on=list(earnings),
        )
        .rename({"variable": "column", "value": "amount"})
        .with_columns(
            code=pl.col("column"),
            category=pl.col("column").replace_strict(earnings, default=None),
        )
    )


# The mapped fields carried on every amount row (the code and amount are the row's own).
FIELD_NAMES = tuple(name for name in FIELDS if name not in ("code", "amount"))
# What every amount row also carries about its register: which columns it has.
ROW_FACTS = ("has_check_date", "has_period", "date_column", "state_column", "class_column")


def _bad_amount(text: pl.Expr) -> pl.Expr:
    """Why a cell is not an amount, in words."""
    cell = text.str.replace_all(r"[\$\s]", "")
    whole = cell.str.extract(r"^[(\-]?([\d,]*)", 1).str.replace_all(",", "")
    return (
        pl.when(cell.str.starts_with("="))
        .then(pl.lit("is a formula, not an amount (export the register with values)"))
        .when(cell.str.contains(r"(?i)^[(\-+]?\d*\.?\d+e[+-]?\d+\)?-?$"))
        .then(pl.lit("is in scientific notation (write the amount in full)"))
        .when(cell.str.contains(r"^[(\-]?[\d,]*\.\d{3,}\)?-?$"))
        .then(pl.lit("has more than two decimals (amounts are dollars and cents)"))
        .when(whole.str.len_chars() > MAX_WHOLE_DIGITS)
        .then(pl.lit("is more than the largest amount a payroll line holds ($999,999,999,999.99)"))
        .otherwise(pl.lit("is not an amount"))
    )


def ingest(frame: pl.DataFrame, profile: Profile, options: Options) -> Ingested:
    known = categories()
    rows = _amount_rows(frame, profile)
    read = _rows_read(frame)
    # What is needed to name a row nothing was used from; the rest is let go as the rows are
    # filtered (a large register's memory).
    everything = rows.select(ROW, "blank", "category", "cents", "column")
    problems = Problems()
    flag = problems.add
    # Each step flags the rows it leaves out (or keeps with a warning) and passes on the rest.
    rows = _without_totals(rows, flag)
    rows = _readable_amounts(rows, flag)
    rows = _pay_amounts(rows, known, profile, flag)
    rows = _without_copies(rows, flag)
    rows = _in_period(rows, options, flag)
    rows = _classify(rows, options, flag)
    rows = _officers(rows, options, flag)
    payroll = rows.filter(~pl.col("is_officer") & pl.col("ok"))
    used = payroll.get_column(ROW).unique()
    _unaccounted(everything, read, used, problems, profile)
    exceptions = problems.frame()
    table = _category_table(known)
    priced = payroll.join(table, on="category", how="left")
    return Ingested(
        quarters=_quarters(payroll),
        profile=profile,
        lines=_lines(priced),
        cells=priced.select(
            "state_final",
            "class_final",
            "who",
            "field",
            "in_gross",
            ROW,
            "column",
            "state_column",
            "class_column",
        ),
        employees=_employees(rows, table),
        exceptions=exceptions,
        totals=_totals(payroll),
        rows_read=read.len(),
        rows_used=used.len(),
        rows_excepted=_rows_excepted(exceptions, used),
    )


def _amount_rows(frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """One row per amount, with its cents, dates, employee and whether it is a totals row."""
    formats = profile.date_formats
    return (
        _long(frame, profile)
        .with_columns(
            cents=cents("amount"),
            blank=pl.col("amount").is_null() | (pl.col("amount").str.strip_chars() == ""),
            check=_date("check_date", formats),
            start=_date("period_start", formats),
            end=_date("period_end", formats),
            who=pl.when(pl.col("employee") != "")
            .then(pl.col("employee"))
            .otherwise(pl.col("employee_id")),
            totals=pl.col("employee").str.contains(TOTALS)
            | pl.col("employee_id").str.contains(TOTALS),
        )
        .collect()
    )


def _rows_read(frame: pl.DataFrame) -> pl.Series:
    """A row with nothing in any cell is no row of payroll; every other row is read, and ends up
    used or named in an exception."""
    filled = pl.any_horizontal(pl.exclude(ROW).str.contains(r"\S")).fill_null(False)
    return frame.select(pl.col(ROW).filter(filled)).get_column(ROW)


def _drop_rows(rows: pl.DataFrame, mask: pl.Expr) -> pl.DataFrame:
    """Leave out every amount of the rows where ``mask`` holds for any of them: a row with
    one bad cell is an exception as a whole, never used in part."""
    bad = rows.filter(mask).get_column(ROW).unique()
    return rows.filter(~pl.col(ROW).is_in(bad.implode()))


def _without_totals(rows: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    # Totals rows are the report's own sums: never payroll.
    totals_rows = rows.filter(pl.col("totals")).unique(ROW).with_columns(column=pl.lit(""))
    flag(totals_rows, pl.lit(True), "totals_row", pl.lit("a totals row: left out"))
    # Columns mapped to "ignore" (taxes, net pay) are never read: text there is no exception.
    return rows.filter(
        ~pl.col("totals") & ~pl.col("blank") & pl.col("category").ne_missing("ignore")
    )


def _readable_amounts(rows: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    """Rows with a cell that is not an amount, or an earnings code not mapped, are left out."""
    bad_amount = pl.col("cents").is_null()
    flag(
        rows,
        bad_amount,
        "bad_amount",
        pl.concat_str([pl.lit("'"), pl.col("amount"), pl.lit("' "), _bad_amount(pl.col("amount"))])
        + pl.lit(": the row is left out"),
    )
    unknown = pl.col("category").is_null() & ~bad_amount
    flag(
        rows,
        unknown,
        "unknown_code",
        pl.concat_str([pl.lit("earnings code '"), pl.col("code"), pl.lit("' is not mapped")]),
    )
    return _drop_rows(rows, bad_amount | unknown)


def _pay_amounts(
    rows: pl.DataFrame, known: Mapping[str, Category], profile: Profile, flag: Flag
) -> pl.DataFrame:
    """Deductions as positive amounts; zeros and rows without an employee left out; negative
    amounts kept with a warning."""
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
    rows = rows.filter(~zero)
    nameless = rows.filter(pl.col("who") == "").unique(ROW, keep="first")
    flag(nameless, pl.lit(True), "no_employee", pl.lit("no employee name or id: left out"))
    rows = rows.filter(pl.col("who") != "")
    flag(
        rows,
        pl.col("cents") < 0,
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
        rows.filter(pl.col("ok") & pl.col("is_officer"))
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


def _rows_excepted(exceptions: pl.DataFrame, used: pl.Series) -> int:
    """Rows named in an exception and not used (a warning does not except its row)."""
    excepted = exceptions.filter(~pl.col("kind").is_in(WARNINGS)).get_column("row").unique()
    return excepted.filter(~excepted.is_in(used.implode())).len()


def _category_table(known: Mapping[str, Category]) -> pl.DataFrame:
    """Each category's payroll-line field and whether it is part of gross pay."""
    return pl.DataFrame(
        {
            "category": list(known),
            "field": [c.field for c in known.values()],
            "in_gross": [c.in_gross for c in known.values()],
        }
    )


def _employees(rows: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """One row per employee, officers included: states, classes, gross cents and rows."""
    return (
        rows.filter(pl.col("ok"))
        .join(table, on="category", how="left")
        .group_by("who")
        .agg(
            state=pl.col("state_final").unique().sort().str.join(", "),
            class_code=pl.col("class_final").unique().sort().str.join(", "),
            officer=pl.col("is_officer").any(),
            gross_cents=pl.when(pl.col("in_gross")).then(pl.col("cents")).otherwise(0).sum(),
            rows=pl.len(),
        )
        .rename({"who": "employee"})
        .sort("employee")
    )


def _totals(payroll: pl.DataFrame) -> dict[str, int]:
    return {
        category: int(total)
        for category, total in payroll.group_by("category")
        .agg(pl.col("cents").sum())
        .sort("category")
        .iter_rows()
    }


def _quarters(payroll: pl.DataFrame) -> pl.DataFrame:
    """Cents by state, quarter of the check date and category."""
    quarter = pl.when(pl.col("check").is_not_null()).then(
        pl.concat_str([pl.col("check").dt.year(), pl.lit("Q"), pl.col("check").dt.quarter()])
    )
    return (
        payroll.group_by(
            state=pl.col("state_final"), quarter=quarter.fill_null(""), category="category"
        )
        .agg(cents=pl.col("cents").sum())
        .sort("state", "quarter", "category")
    )


def _without_copies(rows: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    """A row with the same employee, check date, state, class and amounts (each code and amount)
    as a row above it is a duplicate, left out as a whole."""
    if rows.is_empty():
        return rows
    keys = ["who", "check", "state", "class_code", "amounts"]
    if rows.get_column(ROW).n_unique() == rows.height:
        # One amount a row (a long register): the row's code and amount are its amounts; no
        # grouping, which costs most of an import's time on a large register.
        signatures = rows.select(
            ROW, "who", "check", "state", "class_code", "column", amounts=pl.struct("code", "cents")
        )
        if not signatures.get_column(ROW).is_sorted():
            signatures = signatures.sort(ROW)
    else:
        signatures = (
            rows.group_by(ROW)
            .agg(
                pl.col("who", "check", "state", "class_code").first(),
                column=pl.lit(""),
                amounts=pl.concat_str(
                    [pl.col("code"), pl.col("cents").cast(pl.String)], separator="="
                )
                .sort()
                .str.join("|"),
            )
            .sort(ROW)
        )
    copies = signatures.filter(~pl.struct(keys).is_first_distinct())
    flag(
        copies,
        pl.lit(True),
        "duplicate",
        pl.concat_str([pl.lit("the same check again for "), pl.col("who"), pl.lit(": left out")]),
    )
    return rows.filter(~pl.col(ROW).is_in(copies.get_column(ROW).implode()))


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
    left = read.filter(~read.is_in(used.implode()) & ~read.is_in(named.implode()))
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
    problems.add(
        found.filter(~pl.col("any_amount")),
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


def _in_period(rows: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Check-date basis: pay days from inception up to (not including) expiration. Earned
    basis: pay periods inside the policy period, and a straddling period prorated by its days in
    the policy period (to the cent, half up)."""
    if rows.is_empty() or not rows["has_check_date"][0]:
        return rows  # a summary report: its rows are the report's period
    inside = (pl.col("check") >= options.effective) & (pl.col("check") < options.expiration)
    undated = rows.filter(pl.col("check").is_null()).unique(ROW, keep="first")
    flag(
        undated.with_columns(column=pl.col("date_column")),
        pl.lit(True),
        "bad_date",
        pl.concat_str([pl.lit("check date '"), pl.col("check_date"), pl.lit("' is not a date")]),
    )
    rows = rows.filter(pl.col("check").is_not_null())
    if options.basis == "earned" and not rows.is_empty() and rows["has_period"][0]:
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
    flag(
        rows,
        ~pl.col("inside"),
        "outside_period",
        pl.concat_str(
            [
                pl.lit("check date "),
                pl.col("check").cast(pl.String),
                pl.lit(" is outside the period"),
            ]
        ),
    )
    return rows.filter(pl.col("inside") & (pl.col("cents") != 0))


def _classify(rows: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """State and class from the register, else from the employee table, else the policy's only
    state; rows still without a class, in a state not on the policy, or in a class without a rate
    are exceptions, left out of the facts."""
    rows = _state_and_class(rows, options, flag)
    # One exception a row for its state or class, in the column it came from (none when the
    # employee table gave it).
    # Only the columns the checks read: a copy of every column would cost a large register's
    # memory.
    checked = (
        rows.lazy()
        .filter(pl.col("ok"))
        .select(
            ROW,
            "state",
            "class_code",
            "state_final",
            "class_final",
            "state_column",
            "class_column",
        )
        .unique(ROW, keep="first")
        .collect()
    )
    classified = checked.get_column(ROW)
    checked = _in_policy_states(checked, options, flag)
    checked = _without_decimal_classes(checked, flag)
    checked = _rated_classes(checked, options, flag)
    bad = classified.filter(~classified.is_in(checked.get_column(ROW).implode()))
    return rows.with_columns(ok=pl.col("ok") & ~pl.col(ROW).is_in(bad.implode()))


def _state_and_class(rows: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Each row's state and class (``state_final``, ``class_final``) and whether it has both
    (``ok``)."""
    table = options.employee_classes
    by_id = {key: value[0] for key, value in table.items()}
    class_by_id = {key: value[1] for key, value in table.items()}

    def looked_up(mapping: dict[str, str]) -> pl.Expr:
        id_hit = pl.col("employee_id").replace_strict(mapping, default=None)
        name_hit = pl.col("employee").replace_strict(mapping, default=None)
        return pl.coalesce(id_hit, name_hit)

    state = (
        pl.when(pl.col("state") != "")
        .then(pl.col("state").str.to_uppercase())
        .otherwise(pl.coalesce(looked_up(by_id), pl.lit(options.default_state)))
    )
    code = (
        pl.when(pl.col("class_code") != "")
        .then(pl.col("class_code"))
        .otherwise(looked_up(class_by_id))
    )
    rows = rows.with_columns(state_final=state, class_final=code)
    no_class = pl.col("class_final").is_null()
    no_state = pl.col("state_final").is_null() & ~no_class
    flag(
        rows,
        no_class,
        "no_class",
        pl.concat_str([pl.lit("no class for "), pl.col("who"), pl.lit(": left out")]),
    )
    flag(
        rows,
        no_state,
        "no_state",
        pl.concat_str([pl.lit("no state for "), pl.col("who"), pl.lit(": left out")]),
    )
    return rows.with_columns(ok=~no_class & ~no_state)


def _in_policy_states(checked: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Rows in a state not on the policy are left out (no policy states given: not checked)."""
    if not options.states:
        return checked
    policy_states = ", ".join(options.states)
    outside = checked.filter(~pl.col("state_final").is_in(list(options.states)))
    flag(
        outside.with_columns(
            column=pl.when(pl.col("state") != "").then(pl.col("state_column")).otherwise(pl.lit(""))
        ),
        pl.lit(True),
        "bad_state",
        pl.concat_str(
            [
                pl.lit("state '"),
                pl.col("state_final"),
                pl.lit(f"' is not one of the policy's states ({policy_states}): left out"),
            ]
        ),
    )
    return checked.filter(pl.col("state_final").is_in(list(options.states)))


def _class_cell() -> pl.Expr:
    """The register column a row's class came from ("" when the employee table gave it)."""
    return pl.when(pl.col("class_code") != "").then(pl.col("class_column")).otherwise(pl.lit(""))


def _without_decimal_classes(checked: pl.DataFrame, flag: Flag) -> pl.DataFrame:
    # A class a spreadsheet wrote as a number with decimals ("8810.0") is not taken for 8810: the
    # column was formatted as numbers, and what else changed in it cannot be told.
    decimal = pl.col("class_final").str.contains(r"^\d+\.\d*$")
    flag(
        checked.with_columns(column=_class_cell()),
        decimal,
        "bad_class",
        pl.concat_str(
            [
                pl.lit("class '"),
                pl.col("class_final"),
                pl.lit("' is a number with decimals, not a class code (format the column as "),
                pl.lit("text): left out"),
            ]
        ),
    )
    return checked.filter(~decimal)


def _rated_classes(checked: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Rows in a class that cannot be rated (``options.class_problem``) are left out; each
    (state, class) is asked once."""
    if options.class_problem is None or checked.is_empty():
        return checked
    pairs = checked.select("state_final", "class_final").unique()
    refused = [
        (state, class_code, reason)
        for state, class_code in pairs.iter_rows()
        if (reason := options.class_problem(state, class_code)) is not None
    ]
    if not refused:
        return checked
    reasons = pl.DataFrame(refused, schema=["state_final", "class_final", "reason"], orient="row")
    flag(
        checked.join(reasons, on=["state_final", "class_final"]).with_columns(column=_class_cell()),
        pl.lit(True),
        "bad_class",
        pl.col("reason") + pl.lit(": left out"),
    )
    return checked.join(reasons, on=["state_final", "class_final"], how="anti")


def _lines(rows: pl.DataFrame) -> list[dict[str, object]]:
    """Engine payroll lines: one per state, class and employee, each amount field in Decimal."""
    if rows.is_empty():
        return []
    grouped = rows.group_by("state_final", "class_final", "who", "field", "in_gross").agg(
        pl.col("cents").sum()
    )
    lines: dict[tuple[str, str, str], dict[str, object]] = {}
    for state, class_code, who, name, in_gross, total in grouped.sort(
        "state_final", "class_final", "who", "field"
    ).iter_rows():
        line = lines.setdefault(
            (state, class_code, who),
            {"state": state, "class_code": class_code, "employee": who, "gross_cents": 0},
        )
        if in_gross:
            line["gross_cents"] = int(line["gross_cents"]) + total  # type: ignore[call-overload]
        if name and name != "gross":
            line[name] = int(line.get(name, 0)) + total  # type: ignore[call-overload]
    result = []
    for line in lines.values():
        amounts = {
            key: Decimal(int(value)).scaleb(-2)  # type: ignore[call-overload]
            for key, value in line.items()
            if key not in ("state", "class_code", "employee", "gross_cents")
        }
        result.append(
            {
                "state": line["state"],
                "class_code": line["class_code"],
                "employee": line["employee"],
                "gross": Decimal(int(line["gross_cents"])).scaleb(-2),  # type: ignore[call-overload]
                "gross_cents": line["gross_cents"],
                **amounts,
            }
        )
    return result
