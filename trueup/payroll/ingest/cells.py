"""A register cell's text read as exact cents or as a date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

EXCEL_EPOCH = date(1899, 12, 30)
# Parentheses or a minus sign before or after; thousands in groups of three; at most two decimals.
AMOUNT = (
    r"^(?<open>\()?(?<lead>-)?(?<whole>\d{1,3}(?:,\d{3})+|\d+)?"
    r"(?:\.(?<fraction>\d{0,2}))?(?<trail>-)?(?<close>\))?$"
)
# The most dollar digits a payroll amount holds (the audit's money columns: 14 digits, 2 decimal).
MAX_WHOLE_DIGITS = 12


# The amounts most registers hold: digits (thousands separated or not), a point and two decimals,
# perhaps a leading minus. Their cents are their digits; only the other cells go through AMOUNT.
PLAIN = rf"^-?(?:\d{{1,{MAX_WHOLE_DIGITS}}}|\d{{1,3}}(?:,\d{{3}}){{1,3}})\.\d\d$"


def cents(column: str) -> pl.Expr:
    """The exact amount in cents of a text cell: $, thousands separators, a minus sign (before or
    after) or parentheses for negatives, at most two decimals; a lone dash (how accounting formats
    print zero) is 0. Null when the text is not an amount, or has more dollar digits than a payroll
    amount holds."""
    return pl.col(column).map_batches(_cents, return_dtype=pl.Int64)


def _cents(cells: pl.Series) -> pl.Series:
    # The full reading costs ten times the plain one (a regex with groups): a large register's
    # plain amounts are read from their digits, and only the rest (a few, usually) in full.
    plain = cells.str.contains(PLAIN).fill_null(False)
    digits = cells.str.replace_all(",", "", literal=True).str.replace(".", "", literal=True)
    found = pl.select(pl.when(plain).then(digits.cast(pl.Int64, strict=False))).to_series()
    rest = ~plain & cells.is_not_null()
    if not rest.any():
        return found.rename(cells.name)
    read = pl.DataFrame({"cell": cells.filter(rest)}).select(_full_cents("cell")).to_series()
    return found.scatter(rest.arg_true(), read).rename(cells.name)


def _full_cents(column: str) -> pl.Expr:
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
    return pl.col(column).map_batches(
        lambda cells: per_distinct(cells, lambda text: _dates(text, formats)),
        return_dtype=pl.Date,
    )


def per_distinct(cells: pl.Series, read: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``read(cells)``, worked out once for each distinct cell when cells repeat: a register's
    dates, codes and states are a few values over many rows."""
    distinct = cells.unique()
    if distinct.len() * 4 > cells.len():
        return read(cells)
    return cells.replace_strict(distinct, read(distinct), default=None)


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
