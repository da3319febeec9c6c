"""What the used rows add up to: the engine's payroll lines, the employees, the totals by
category and by quarter, and how many rows were excepted."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

from trueup.payroll.ingest.mapping import Category
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import WARNINGS, among


def _rows_excepted(exceptions: pl.DataFrame, used: pl.Series) -> int:
    """Rows named in an exception and not used (a warning does not except its row)."""
    excepted = exceptions.filter(~pl.col("kind").is_in(WARNINGS)).get_column("row").unique()
    return excepted.filter(~among(excepted, used)).len()


def _priced(rows: pl.DataFrame, known: Mapping[str, Category]) -> pl.DataFrame:
    """The rows with each category's payroll-line field and whether it is part of gross pay."""
    return rows.with_columns(
        field=pl.col("category").replace_strict(
            {key: c.field for key, c in known.items()}, default=None, return_dtype=pl.String
        ),
        in_gross=_in_gross(known),
    )


def _in_gross(known: Mapping[str, Category]) -> pl.Expr:
    return pl.col("category").replace_strict(
        {key: c.in_gross for key, c in known.items()}, default=None, return_dtype=pl.Boolean
    )


def _grouped(payroll: pl.DataFrame, officers: pl.DataFrame) -> pl.DataFrame:
    """The rows used, and the officers' rows (rows that can be rated in a mapped code, with the
    payroll's columns), each grouped by line and category, with their cents and rows, and marked
    whether an officer's: the payroll's sums are the groups that are not officers', and the
    employees are grouped from these few rows (one for every fifteen of the bench register's
    rows), not from every row again. Each is grouped apart: grouping them put together held a
    copy of their keys (70 MB at a million rows)."""

    def by_line(rows: pl.DataFrame, officer: bool) -> pl.DataFrame:
        return (
            rows.group_by(*LINE_KEYS, "category")
            .agg(cents=pl.col("cents").sum(), rows=pl.len())
            .with_columns(is_officer=pl.lit(officer))
        )

    return pl.concat([by_line(payroll, officer=False), by_line(officers, officer=True)])


def _employees(grouped: pl.DataFrame, known: Mapping[str, Category]) -> pl.DataFrame:
    """One row per employee, officers included (``_grouped``): the states and classes as lists,
    whether an officer, gross cents and rows (``employees_of`` gathers the batches' and writes
    the lists out)."""
    return grouped.group_by("who").agg(
        state=pl.col("state_final").unique(),
        class_code=pl.col("class_final").unique(),
        officer=pl.col("is_officer").any(),
        gross_cents=pl.when(_in_gross(known)).then(pl.col("cents")).otherwise(0).sum(),
        rows=pl.col("rows").sum(),
    )


def employees_of(found: pl.DataFrame) -> pl.DataFrame:
    """The employees of every batch, each once: states and classes in order, joined by commas."""
    return (
        found.with_columns(
            pl.col("state", "class_code").list.sort().list.join(", "),
        )
        .rename({"who": "employee"})
        .sort("employee")
    )


def employees_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches' employees, each once (``_employees``' partial form)."""
    return (
        pl.concat(parts)
        .group_by("who")
        .agg(
            pl.col("state", "class_code").explode(empty_as_null=False, keep_nulls=False).unique(),
            pl.col("officer").any(),
            pl.col("gross_cents").sum(),
            pl.col("rows").sum(),
        )
    )


# A line's keys: its state, class and employee, and where its state came from.
LINE_KEYS = ("state_final", "class_final", "who", "state_from")


def line_keys(rows: pl.DataFrame) -> pl.Series:
    """A 64-bit hash of each row's line keys: what a line's cells carry until the lines are
    known (``line_numbers``), in place of four texts on every cell of a large register. (Hashing
    the columns as rows costs a third of hashing them as one struct.)"""
    return rows.select(LINE_KEYS).hash_rows(seed=LINE_SEED).alias("line")


LINE_SEED = 0x11AE


def line_numbers(cells: pl.DataFrame, sums: pl.DataFrame) -> pl.DataFrame:
    """The cells with the number of their line in ``_lines``' order in place of its key. Two
    lines whose keys hash alike (about once in 2**30 registers of a hundred thousand lines)
    could not be told apart by their cells: the import stops (``LineKeyClash``) rather than
    give one line the other's cells."""
    lines = sums.select(*LINE_KEYS).unique().sort(*LINE_KEYS).with_row_index("number")
    keyed = lines.with_columns(line_keys(lines))
    if keyed.get_column("line").n_unique() < keyed.height:
        raise LineKeyClash
    # The key replaced in place, the cells' other columns untouched: a join would copy every
    # column of a large register's cells while the old ones are held.
    number = pl.col("line").replace_strict(
        keyed.get_column("line"), keyed.get_column("number"), return_dtype=pl.UInt32
    )
    return cells.with_columns(number)


class LineKeyClash(Exception):
    """Two lines' keys hash alike: their cells cannot be told apart."""


def _sums(grouped: pl.DataFrame) -> pl.DataFrame:
    """The payroll's cents by line and category (``_grouped``'s groups that are not officers'):
    the lines and totals are made from these few rows, not from every row again (``sums_of``
    adds the batches' and prices them)."""
    return grouped.filter(~pl.col("is_officer")).select(*LINE_KEYS, "category", "cents")


def sums_of(sums: pl.DataFrame, known: Mapping[str, Category]) -> pl.DataFrame:
    """The batches' sums added, with each category's field and whether it is in gross pay."""
    return _priced(sums, known)


def sums_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(parts).group_by(*LINE_KEYS, "category").agg(pl.col("cents").sum())


def _totals(sums: pl.DataFrame) -> dict[str, int]:
    return {
        category: int(total)
        for category, total in sums.group_by("category")
        .agg(pl.col("cents").sum())
        .sort("category")
        .iter_rows()
    }


def _quarters(payroll: pl.DataFrame) -> pl.DataFrame:
    """Cents by state, quarter of the check date and category. Grouped from the used rows on
    their own keys: with the lines' keys too, the groups would be many times more."""
    # Its year × 10 + its quarter; null without a date.
    number = pl.col("check").dt.year() * 10 + pl.col("check").dt.quarter()
    return payroll.group_by(state=pl.col("state_final"), number=number, category="category").agg(
        cents=pl.col("cents").sum()
    )


def quarters_of(grouped: pl.DataFrame) -> pl.DataFrame:
    """The batches' quarters added, each quarter written as "2025Q1"."""
    quarter = pl.concat_str([pl.col("number") // 10, pl.lit("Q"), pl.col("number") % 10])
    return grouped.select(
        "state", quarter=quarter.fill_null(""), category="category", cents="cents"
    ).sort("state", "quarter", "category")


def quarters_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(parts).group_by("state", "number", "category").agg(pl.col("cents").sum())


def _inferred(priced: pl.DataFrame) -> pl.DataFrame:
    """The rows whose state the register did not give, by state, where it came from and
    employee: their rows and the cents of their pay (``inferred_of`` counts the employees)."""
    return (
        priced.filter(pl.col("state_from") != "")
        .group_by(state="state_final", source="state_from", who="who")
        .agg(
            rows=pl.col(ROW).n_unique(),
            cents=pl.when(pl.col("in_gross")).then(pl.col("cents")).otherwise(0).sum(),
        )
    )


def inferred_of(inferred: pl.DataFrame) -> list[dict[str, object]]:
    """The states the register did not give, by state and where each came from: employees and
    the cents of their pay."""
    if inferred.is_empty():
        return []
    return (
        inferred.group_by("state", "source")
        .agg(
            employees=pl.col("who").n_unique(),
            rows=pl.col("rows").sum(),
            cents=pl.col("cents").sum(),
        )
        .sort("state", "source")
        .to_dicts()
    )


def inferred_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return (
        pl.concat(parts)
        .group_by("state", "source", "who")
        .agg(pl.col("rows").sum(), pl.col("cents").sum())
    )


def _lines(sums: pl.DataFrame) -> list[dict[str, object]]:
    """Engine payroll lines: one per state, class and employee (and where the state came from,
    when the register did not give it), each amount field in Decimal: only the fields the line
    has amounts in, in the fields' order."""
    if sums.is_empty():
        return []
    in_gross = pl.when(pl.col("in_gross")).then(pl.col("cents")).otherwise(0)
    table = sums.group_by(*LINE_KEYS).agg(gross=in_gross.sum())
    named = pl.col("field").is_not_null() & ~pl.col("field").is_in(["", "gross"])
    per_field = sums.filter(named).group_by(*LINE_KEYS, "field").agg(pl.col("cents").sum())
    fields: list[str] = []
    if not per_field.is_empty():
        # A column a field: a line without an amount in a field has none there (null), one whose
        # amounts sum to nothing has 0.
        wide = per_field.pivot(on="field", index=LINE_KEYS, values="cents", sort_columns=True)
        fields = wide.columns[len(LINE_KEYS) :]
        table = table.join(wide, on=LINE_KEYS, how="left", nulls_equal=True)
    result: list[dict[str, object]] = []
    for state, class_code, who, source, gross, *totals in table.sort(*LINE_KEYS).iter_rows():
        line: dict[str, object] = {"state": state, "class_code": class_code, "employee": who}
        if source:
            line["state_inferred_from"] = source
        line["gross"] = Decimal(gross).scaleb(-2)
        line["gross_cents"] = int(gross)
        line.update(
            {
                name: Decimal(t).scaleb(-2)
                for name, t in zip(fields, totals, strict=True)
                if t is not None
            }
        )
        result.append(line)
    return result
