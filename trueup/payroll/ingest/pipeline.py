"""The import itself: a register frame → payroll lines for the engine, a per-employee summary,
totals by category and the exceptions, with money as integer cents throughout."""

from __future__ import annotations

import polars as pl

from trueup.payroll.ingest.cells import _date, cents
from trueup.payroll.ingest.classification import _classify
from trueup.payroll.ingest.columns import _long
from trueup.payroll.ingest.facts import Ingested, Options
from trueup.payroll.ingest.mapping import Profile, categories
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import (
    Problems,
    _in_period,
    _officers,
    _pay_amounts,
    _readable_amounts,
    _unaccounted,
    _unmapped,
    _without_copies,
    _without_excluded,
    _without_totals,
)
from trueup.payroll.ingest.summaries import (
    _category_table,
    _employees,
    _lines,
    _quarters,
    _rows_excepted,
    _totals,
)

# "Total", "Subtotal", "Grand Total", "Totals for …"; and labels ending so: "Report Total".
TOTALS = r"(?i)^\s*(grand\s+)?(sub\s*)?totals?\b|\btotals?\s*:?\s*$"


def ingest(frame: pl.DataFrame, profile: Profile, options: Options) -> Ingested:
    known = categories()
    rows = _amount_rows(frame, profile, options)
    read = _rows_read(frame)
    # What is needed to name a row nothing was used from; the rest is let go as the rows are
    # filtered (a large register's memory).
    everything = rows.select(ROW, "blank", "category", "cents", "column")
    problems = Problems()
    flag = problems.add
    # Each step flags the rows it leaves out (or keeps with a warning) and passes on the rest.
    rows = _without_totals(rows, flag)
    rows, excluded = _without_excluded(rows, flag)
    rows = _readable_amounts(rows, flag)
    rows = _pay_amounts(rows, known, profile, flag)
    rows = _without_copies(rows, flag)
    rows = _in_period(rows, options, flag)
    rows = _classify(rows, options, flag)
    rows = _officers(rows, options, flag)
    paid = rows.filter(~pl.col("is_officer") & pl.col("ok"))
    # Amounts in codes no mapping names are kept through the steps (an amount outside the period
    # or a copy is no question for the auditor) and gathered here, out of the payroll.
    unmapped = _unmapped(paid, flag)
    payroll = paid.filter(pl.col("category").is_not_null())
    rows = rows.filter(pl.col("category").is_not_null())
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
        unmapped=unmapped,
        excluded=excluded,
    )


def _amount_rows(frame: pl.DataFrame, profile: Profile, options: Options) -> pl.DataFrame:
    """One row per amount, with its cents, dates, employee and whether it is a totals row."""
    formats = profile.date_formats

    def per_row(rows: pl.LazyFrame) -> pl.LazyFrame:
        return rows.with_columns(
            check=_date("check_date", formats),
            start=_date("period_start", formats),
            end=_date("period_end", formats),
            who=pl.when(pl.col("employee") != "")
            .then(pl.col("employee"))
            .otherwise(pl.col("employee_id")),
            totals=pl.col("employee").str.contains(TOTALS)
            | pl.col("employee_id").str.contains(TOTALS),
        )

    return (
        _long(frame, profile, options, per_row)
        .with_columns(
            cents=cents("amount"),
            blank=pl.col("amount").is_null() | (pl.col("amount").str.strip_chars() == ""),
        )
        .collect()
    )


def _rows_read(frame: pl.DataFrame) -> pl.Series:
    """A row with nothing in any cell is no row of payroll; every other row is read, and ends up
    used or named in an exception."""
    filled = pl.any_horizontal(pl.exclude(ROW).str.contains(r"\S")).fill_null(False)
    return frame.select(pl.col(ROW).filter(filled)).get_column(ROW)
