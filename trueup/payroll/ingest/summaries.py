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


def _employees(rows: pl.DataFrame, known: Mapping[str, Category]) -> pl.DataFrame:
    """One row per employee, officers included, from their rows that can be rated (``ok``) in a
    mapped code: states, classes, gross cents and rows."""
    # Only the columns read here are filtered, not every column of a large register; eagerly,
    # as grouping the pieces a lazy filter leaves is slower.
    read = rows.select("who", "state_final", "class_final", "is_officer", "category", "cents")
    mine = read.filter(rows.select(pl.col("ok") & pl.col("category").is_not_null()).to_series())
    return (
        mine.group_by("who")
        .agg(
            state=pl.col("state_final").unique().sort().str.join(", "),
            class_code=pl.col("class_final").unique().sort().str.join(", "),
            officer=pl.col("is_officer").any(),
            gross_cents=pl.when(_in_gross(known)).then(pl.col("cents")).otherwise(0).sum(),
            rows=pl.len(),
        )
        .rename({"who": "employee"})
        .sort("employee")
    )


# A line's keys: its state, class and employee, and where its state came from.
LINE_KEYS = ("state_final", "class_final", "who", "state_from")


def _sums(payroll: pl.DataFrame, known: Mapping[str, Category]) -> pl.DataFrame:
    """The used rows' cents by line and category, each category's field and whether it is in
    gross pay: the lines and totals are made from these few rows, not from every row again."""
    return _priced(payroll.group_by(*LINE_KEYS, "category").agg(cents=pl.col("cents").sum()), known)


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
    grouped = payroll.group_by(state=pl.col("state_final"), number=number, category="category").agg(
        cents=pl.col("cents").sum()
    )
    quarter = pl.concat_str([pl.col("number") // 10, pl.lit("Q"), pl.col("number") % 10])
    return grouped.select(
        "state", quarter=quarter.fill_null(""), category="category", cents="cents"
    ).sort("state", "quarter", "category")


def _inferred(priced: pl.DataFrame) -> list[dict[str, object]]:
    """The states the register did not give, by state and where each came from: employees and
    the cents of their pay."""
    inferred = priced.filter(pl.col("state_from") != "")
    if inferred.is_empty():
        return []
    return (
        inferred.group_by(state="state_final", source="state_from")
        .agg(
            employees=pl.col("who").n_unique(),
            rows=pl.col(ROW).n_unique(),
            cents=pl.when(pl.col("in_gross")).then(pl.col("cents")).otherwise(0).sum(),
        )
        .sort("state", "source")
        .to_dicts()
    )


def _lines(sums: pl.DataFrame) -> list[dict[str, object]]:
    """Engine payroll lines: one per state, class and employee (and where the state came from,
    when the register did not give it), each amount field in Decimal."""
    if sums.is_empty():
        return []
    in_gross = pl.when(pl.col("in_gross")).then(pl.col("cents")).otherwise(0)
    # Each line once, with its fields' totals as lists: a loop over lines, not over amounts.
    grouped = (
        sums.group_by(*LINE_KEYS, "field")
        .agg(cents=pl.col("cents").sum(), gross=in_gross.sum())
        .sort(*LINE_KEYS, "field")
        .group_by(*LINE_KEYS, maintain_order=True)
        .agg(fields=pl.col("field"), totals=pl.col("cents"), gross=pl.col("gross").sum())
    )
    result: list[dict[str, object]] = []
    for state, class_code, who, source, fields, totals, gross in grouped.iter_rows():
        result.append(
            {
                "state": state,
                "class_code": class_code,
                "employee": who,
                **({"state_inferred_from": source} if source else {}),
                "gross": Decimal(int(gross)).scaleb(-2),
                "gross_cents": int(gross),
                **{
                    name: Decimal(int(total)).scaleb(-2)
                    for name, total in zip(fields, totals, strict=True)
                    if name and name != "gross"
                },
            }
        )
    return result
