"""What the used rows add up to: the engine's payroll lines, the employees, the totals by
category and by quarter, and how many rows were excepted."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

from trueup.payroll.ingest.mapping import Category
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import WARNINGS


def source_of(line: Mapping[str, object]) -> str:
    return str(line.get("state_inferred_from", ""))


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


def _lines(rows: pl.DataFrame) -> list[dict[str, object]]:
    """Engine payroll lines: one per state, class and employee (and where the state came from,
    when the register did not give it), each amount field in Decimal."""
    if rows.is_empty():
        return []
    keys = ("state_final", "class_final", "who", "state_from")
    grouped = rows.group_by(*keys, "field", "in_gross").agg(pl.col("cents").sum())
    lines: dict[tuple[str, str, str, str], dict[str, object]] = {}
    for state, class_code, who, source, name, in_gross, total in grouped.sort(
        *keys, "field"
    ).iter_rows():
        line = lines.setdefault(
            (state, class_code, who, source),
            {"state": state, "class_code": class_code, "employee": who, "gross_cents": 0},
        )
        if source:
            line["state_inferred_from"] = source
        if in_gross:
            line["gross_cents"] = int(line["gross_cents"]) + total  # type: ignore[call-overload]
        if name and name != "gross":
            line[name] = int(line.get(name, 0)) + total  # type: ignore[call-overload]
    result = []
    for line in lines.values():
        amounts = {
            key: Decimal(int(value)).scaleb(-2)  # type: ignore[call-overload]
            for key, value in line.items()
            if key not in ("state", "class_code", "employee", "gross_cents", "state_inferred_from")
        }
        result.append(
            {
                "state": line["state"],
                "class_code": line["class_code"],
                "employee": line["employee"],
                **({"state_inferred_from": line["state_inferred_from"]} if source_of(line) else {}),
                "gross": Decimal(int(line["gross_cents"])).scaleb(-2),  # type: ignore[call-overload]
                "gross_cents": line["gross_cents"],
                **amounts,
            }
        )
    return result
