"""The register's columns found by the profile, and its frame turned long: one row per amount."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from trueup.payroll.ingest.mapping import FIELDS, Profile
from trueup.payroll.ingest.readers import ROW, RegisterError, normalise


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
