"""The register's columns found by the profile, and its frame turned long: one row per amount,
each with its code, its category (None: no mapping names it) and, when the auditor excluded its
code, why."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

from trueup.payroll.ingest.cells import cents, per_distinct
from trueup.payroll.ingest.facts import Options
from trueup.payroll.ingest.mapping import FIELDS, Profile, _check_categories, categories
from trueup.payroll.ingest.readers import ROW, RegisterError, normalise


def _resolve(frame: pl.DataFrame, profile: Profile) -> dict[str, str]:
    """TrueUp field → the frame's actual column, matching headers without regard to case (the
    profile's header, else its alternatives in order)."""
    by_name = {normalise(c): c for c in frame.columns}
    found = {}
    for name, header in profile.columns.items():
        for candidate in (header, *profile.alternatives.get(name, ())):
            if normalise(candidate) in by_name:
                found[name] = by_name[normalise(candidate)]
                break
    return found


def _text(columns: Mapping[str, str], name: str) -> pl.Expr:
    if name not in columns:
        return pl.lit("")
    if name in READ_AS_DATES:
        return pl.col(columns[name])
    return pl.col(columns[name]).str.strip_chars().fill_null("")


# Fields read only as dates, which trim their cells once for each distinct cell (``_dates``; a pay
# period's pattern allows spaces): trimming a large register's every cell here as well cost more
# than reading them. A message quoting a date's cell trims it.
READ_AS_DATES = frozenset(("check_date", "period_start", "period_end", "pay_period"))


def _normalised(text: pl.Expr) -> pl.Expr:
    """A code as the mappings' keys are written: case and runs of spaces ignored."""
    return text.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")


class Long(NamedTuple):
    """A register turned long: ``rows``, one row per amount (row, fields…, source column, code,
    category, excluded, amount text); and ``not_pay``, one cell a row of a wide register's
    columns that are not pay (row, column, amount text), which only say that a row holds
    something. They are kept apart: carrying each row's fields on them, to be left out by the
    first step, would copy a wide register's rows once more."""

    rows: pl.LazyFrame
    not_pay: pl.LazyFrame


NO_CELLS = {ROW: pl.Int64, "column": pl.String, "amount": pl.String}


def _long(
    frame: pl.DataFrame,
    profile: Profile,
    options: Options | None = None,
    per_row: Callable[[pl.LazyFrame], pl.LazyFrame] = lambda rows: rows,
    holds: Mapping[str, bool] | None = None,
) -> Long:
    """The register turned long (``Long``). ``per_row`` adds what is worked out once per
    register row (its dates, its employee): on a wide register, before its rows are turned into
    many amounts. ``holds`` says which columns hold amounts when the frame is one batch of a
    register (the whole register decides: ``_column_amounts``)."""
    columns = _resolve(frame, profile)
    if "employee" not in columns and "employee_id" not in columns:
        wanted = profile.columns.get("employee") or profile.columns.get("employee_id")
        raise RegisterError(f"{profile.name}: the column {wanted!r} is missing")
    keep = {
        ROW: pl.col(ROW),
        **{name: _text(columns, name) for name in FIELD_NAMES},
    }
    # The insured's answers, keyed as the mappings are (case and spacing ignored).
    answers = {normalise(k): v for k, v in (options.codes if options else {}).items()}
    excluded = {normalise(k): v for k, v in (options.excluded_codes if options else {}).items()}
    _check_categories("the insured's answers", answers)
    if profile.shape == "long":
        rows = per_row(_long_register(frame, profile, columns, keep, answers, excluded))
        return Long(rows, pl.LazyFrame(schema=NO_CELLS))
    plan = _wide_plan(frame, profile, set(columns.values()), answers, excluded, holds)
    fields = per_row(frame.lazy().select(**keep))
    read = [c for c, p in plan.items() if p.category != "ignore" or p.excluded]
    not_pay = _not_pay(frame, [c for c in plan if c not in read])
    rows = _with_fields(_cells(frame, read, plan), fields, frame.get_column(ROW))
    return Long(rows, not_pay)


def _long_register(
    frame: pl.DataFrame,
    profile: Profile,
    columns: Mapping[str, str],
    keep: Mapping[str, pl.Expr],
    answers: Mapping[str, str],
    excluded: Mapping[str, str],
) -> pl.LazyFrame:
    """A long register's rows, each with its code's category: the insured's answer, else the
    profile's (its code sets and its own codes)."""
    for name in ("code", "amount"):
        if name not in columns:
            wanted = profile.columns.get(name)
            raise RegisterError(f"{profile.name}: the column {wanted!r} is missing")
    key = _normalised(pl.col("code"))
    category = key.replace_strict(dict(profile.codes), default=None, return_dtype=pl.String)
    if answers:
        category = pl.coalesce(
            key.replace_strict(dict(answers), default=None, return_dtype=pl.String), category
        )
    reason = (
        key.replace_strict(dict(excluded), default=None, return_dtype=pl.String)
        if excluded
        else None
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
            category=_per_code(category),
            excluded=pl.lit(None, pl.String) if reason is None else _per_code(reason),
        )
    )


def _per_code(read: pl.Expr) -> pl.Expr:
    """``read`` (an expression of the ``code`` column) worked out once for each distinct code."""

    def each(codes: pl.Series) -> pl.Series:
        return pl.DataFrame({"code": codes}).select(read).to_series()

    return pl.col("code").map_batches(
        lambda codes: per_distinct(codes, each), return_dtype=pl.String
    )


def _cells(frame: pl.DataFrame, columns: list[str], plan: Mapping[str, Column]) -> pl.LazyFrame:
    """(row, column, amount, code, category, excluded) of each of these columns' cells with
    something in them: most of a wide register's cells are blank, and a row with none is named by
    ``_unaccounted`` all the same. Column by column, in the columns' order: each column's code,
    category and exclusion are written once for its cells, not looked up for each cell."""
    if not columns:
        return pl.LazyFrame(schema={**NO_CELLS, **CELL_PLAN})
    return pl.concat(
        [
            frame.lazy()
            .select(ROW, column=pl.lit(column), amount=pl.col(column))
            .filter(pl.col("amount").str.contains(r"\S"))
            .with_columns(
                code=pl.lit(plan[column].code, pl.String),
                category=pl.lit(plan[column].category or None, pl.String),
                excluded=pl.lit(plan[column].excluded or None, pl.String),
            )
            for column in columns
        ]
    )


# What a wide register's plan says of each of its cells (``Column``).
CELL_PLAN = {"code": pl.String, "category": pl.String, "excluded": pl.String}


def _with_fields(cells: pl.LazyFrame, fields: pl.LazyFrame, rows: pl.Series) -> pl.LazyFrame:
    """Each cell with its row's fields. A register's rows are numbered one after another (the
    reader numbers them so), and then a cell's row is found by its place, not by a join: joining
    a large wide register's millions of cells cost more than any step after it."""
    if rows.is_empty() or not bool((rows.diff().drop_nulls() == 1).all()):
        return cells.join(fields, on=ROW, how="left")
    # In one piece (the columns' cells come in a piece each): every step after would otherwise
    # put the pieces of the columns it reads together again, holding both at once.
    found = cells.collect().rechunk()
    at = found.get_column(ROW) - rows[0]
    per_cell = fields.collect().drop(ROW).select(pl.all().gather(at))
    return found.hstack(per_cell).lazy()


def _not_pay(frame: pl.DataFrame, columns: list[str]) -> pl.LazyFrame:
    """One cell a row of the columns that are not pay (hours, taxes, net pay), the first filled
    one: they are never read, and one is enough to say the row holds only amounts that are not
    pay."""
    if not columns:
        return pl.LazyFrame(schema=NO_CELLS)
    filled = {c: pl.col(c).str.contains(r"\S").fill_null(False) for c in columns}
    return (
        frame.lazy()
        .select(
            ROW,
            column=pl.coalesce([pl.when(f).then(pl.lit(c)) for c, f in filled.items()]),
            amount=pl.coalesce([pl.when(f).then(pl.col(c)) for c, f in filled.items()]),
        )
        .filter(pl.col("column").is_not_null())
    )


@dataclass(frozen=True)
class Column:
    """How a wide register's column is read: the code its amounts are under, their category
    (None: unmapped) and, when the auditor excluded it, why."""

    code: str
    category: str | None
    excluded: str | None = None


def _wide_plan(
    frame: pl.DataFrame,
    profile: Profile,
    fields: set[str],
    answers: Mapping[str, str],
    excluded: Mapping[str, str],
    holds: Mapping[str, bool] | None = None,
) -> dict[str, Column]:
    """Each amount column of a wide register and how it is read: by the profile's columns, else
    by its header as a code of the profile's code sets, else by its code (CODE_Description_Kind).
    The insured's answers (by the column's header or its code) win over the profile; a column
    none of them names is read only when the profile says unknown columns are earnings and it
    holds amounts (then it is unmapped)."""
    fixed = {normalise(h): category for h, category in profile.earnings.items()}
    plan: dict[str, Column] = {}
    for column in frame.columns:
        if column.startswith("_") or column in fields:
            continue
        coded = profile.code_column(column)
        code = coded[0] if coded else column
        keys = (normalise(column), normalise(code))
        reason = next((excluded[k] for k in keys if k in excluded), None)
        answer = next((answers[k] for k in keys if k in answers), None)
        if normalise(column) in fixed:
            category: str | None = fixed[normalise(column)]
        elif normalise(column) in profile.codes:  # a column headed by a code of its code sets
            category = profile.codes[normalise(column)]
        elif coded:
            category = _coded_category(profile, code, coded[1])
        elif profile.unknown_columns == "earnings" and _holds_amounts(frame, column, holds):
            category = None
        elif reason is None and answer is None:
            continue  # a column of a fixed-column register that no one named: not read
        else:
            category = None
        plan[column] = Column(code, answer or category, reason)
    if not plan:
        raise RegisterError(
            f"{profile.name}: none of the earnings columns is there ({', '.join(profile.earnings)})"
        )
    return plan


def _coded_category(profile: Profile, code: str, kind: str) -> str | None:
    """The category of a CODE_Description_Kind column: earnings by their code (None when no
    mapping names it), deductions only when the code is a deferral, the rest not pay."""
    holds = profile.code_columns[kind]
    category = profile.codes.get(normalise(code))
    if holds == "earnings":
        return category
    if holds == "deductions" and category and categories()[category].deduction:
        return category
    return "ignore"


def _holds_amounts(frame: pl.DataFrame, column: str, holds: Mapping[str, bool] | None) -> bool:
    """Whether a column has something in it and every filled cell reads as an amount."""
    if holds is not None:
        return holds.get(column, False)
    some, all_amounts = _column_amounts(frame, column)
    return some and all_amounts


def amount_questions(frame: pl.DataFrame, profile: Profile) -> list[str]:
    """The columns of a wide register read as earnings only when they hold amounts: no profile,
    code set or code pattern names them (``_wide_plan``)."""
    if profile.shape == "long" or profile.unknown_columns != "earnings":
        return []
    fields = set(_resolve(frame, profile).values())
    named = {normalise(h) for h in profile.earnings} | set(profile.codes)
    return [
        c
        for c in frame.columns
        if not c.startswith("_")
        and c not in fields
        and normalise(c) not in named
        and not profile.code_column(c)
    ]


def _column_amounts(frame: pl.DataFrame, column: str) -> tuple[bool, bool]:
    """Whether a column has something in it, and whether every filled cell reads as an amount."""
    values = frame.select(
        filled=pl.col(column).str.strip_chars().fill_null("") != "",
        amount=cents(column).is_not_null(),
    )
    filled = values.get_column("filled")
    return bool(filled.any()), bool(values.filter(pl.col("filled"))["amount"].all())


# The mapped fields carried on every amount row (the code and amount are the row's own).
FIELD_NAMES = tuple(name for name in FIELDS if name not in ("code", "amount"))


@dataclass(frozen=True)
class Headers:
    """What is the same for every row of a register: which dates it has, and the headers of the
    columns an exception or a line's cells name for a date, a state or a class ("" where the
    register has no such column). Kept once, not on each amount row: a large register's every
    copy of its rows would carry them."""

    has_check_date: bool
    has_period: bool
    date_column: str
    state_column: str
    class_column: str


def headers(frame: pl.DataFrame, profile: Profile) -> Headers:
    columns = _resolve(frame, profile)
    return Headers(
        has_check_date="check_date" in columns,
        # A pay period in one cell gives the period's start and end as two columns would.
        has_period="pay_period" in columns or {"period_start", "period_end"} <= columns.keys(),
        date_column=columns.get("check_date", ""),
        state_column=columns.get("state", ""),
        class_column=columns.get("class_code", ""),
    )
