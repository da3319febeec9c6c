"""A register's own totals rows: found by their labels in any text column, left out of the
payroll, and used as a check of what TrueUp read (each stated total against TrueUp's sum of the
rows it totals, per amount column). Rows a report names as exempt are left out here too."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from trueup.payroll.ingest.cells import cents
from trueup.payroll.ingest.mapping import Profile, pay_categories
from trueup.payroll.ingest.readers import ROW, normalise
from trueup.payroll.ingest.steps import Flag

# "Total", "Subtotal", "Grand Total", "Totals for …", "Total 5403"; and labels ending so:
# "Report Total", "Department Total", "Company Total".
TOTALS = r"(?i)^\s*(grand\s+)?(sub\s*)?totals?\b|\btotals?\s*:?\s*$"
# A total of everything above it: "TOTAL", "Grand Total:", "Report Totals", "Company Total".
GRAND = re.compile(r"(?i)^\s*(grand|report|company|payroll)?\s*totals?\s*:?\s*$")
# "Total 8810 · Clerical", "Total for Ann Lee", "Totals: 5403": the thing totalled.
OF = re.compile(r"(?i)^\s*totals?\s*(?:for\s+|of\s+)?[:\-]?\s*(\S.*?)\s*$")
# Money columns among those a profile ignores are checked too (gross, net pay); hours and rates
# are not money.
MONEY = re.compile(r"(?i)gross|wages|\bpay\b|earnings|premium|amount")
NOT_MONEY = re.compile(r"(?i)hours|\brate\b|\bhrs\b")
# A register with thousands of employee subtotals: those beyond this many are not checked (the
# grand totals always are).
MOST_CHECKED = 200
# Rows a report names as exempt from workers' compensation: the reason, per row.
EXEMPT = "_exempt"


def amount_columns(frame: pl.DataFrame, profile: Profile) -> dict[str, str]:
    """The frame's amount columns → their category ("" for a long register's amount column)."""
    present = {normalise(c): c for c in frame.columns}
    if profile.shape == "long":
        header = profile.columns.get("amount", "")
        return {present[normalise(header)]: ""} if normalise(header) in present else {}
    return {
        present[normalise(header)]: category
        for header, category in profile.earnings.items()
        if normalise(header) in present
    }


def totals_rows(frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """The rows with a totals label in any text column: ROW and the label (the first such cell).
    A row naming an employee (a name or id that is no totals label) is an employee's row, whatever
    its other cells say ("Total Rewards Analyst" as a job title)."""
    amounts = amount_columns(frame, profile)
    text = [c for c in frame.columns if not c.startswith("_") and c not in amounts]
    if not text:
        return pl.DataFrame(schema={ROW: pl.Int64, "label": pl.String})
    label = pl.coalesce(
        [pl.when(pl.col(c).str.contains(TOTALS)).then(pl.col(c).str.strip_chars()) for c in text]
    )
    who = [
        found
        for name in ("employee", "employee_id")
        if (found := _column(frame, profile.columns.get(name, ""))) is not None
    ]
    named = pl.any_horizontal(
        [
            (pl.col(c).str.strip_chars().fill_null("") != "")
            & ~pl.col(c).str.contains(TOTALS).fill_null(False)
            for c in who
        ]
        or [pl.lit(False)]
    )
    maybe = _maybe_totals(frame, text)
    if maybe is None:
        return pl.DataFrame(schema={ROW: pl.Int64, "label": pl.String})
    return (
        frame.filter(maybe)
        .select(ROW, label=label, named=named)
        .filter(pl.col("label").is_not_null() & ~pl.col("named"))
        .select(ROW, "label")
    )


def _maybe_totals(frame: pl.DataFrame, text: list[str]) -> pl.Expr | None:
    """The rows with "total" in a text cell (every totals label holds it), or None when no cell
    can have it. Most of a register's text columns are a few values over many rows (states,
    classes, dates, codes, a few thousand names): their distinct cells are searched, not every
    cell, and their rows looked up only when one of them holds "total" (40 ms against 100 ms on
    a million rows). The other columns (a wide register's amounts, notes) are searched cell by
    cell, joined: one search of a row's cells costs two thirds of one per column; the separator
    is no letter, so no "total" is made across two cells."""
    sample = frame.head(SAMPLE_ROWS).select(pl.col(text).n_unique()).row(0)
    few = [c for c, n in zip(text, sample, strict=True) if n * 20 <= min(frame.height, SAMPLE_ROWS)]
    many = [c for c in text if c not in few]
    found: list[pl.Expr] = []
    if few:
        distinct = frame.lazy().select(pl.col(few).unique().implode()).collect()
        for column in few:
            cells = distinct.get_column(column)[0]
            holding = cells.filter(cells.str.contains("(?i)total").fill_null(False))
            if holding.len():
                found.append(pl.col(column).is_in(holding.implode()).fill_null(False))
    if many:
        joined = pl.concat_str([pl.col(c) for c in many], separator="\x1f", ignore_nulls=True)
        found.append(joined.str.contains("(?i)total").fill_null(False))
    return pl.any_horizontal(found) if found else None


# The rows a column's distinct cells are counted in, to tell whether it repeats a few values.
SAMPLE_ROWS = 10_000


@dataclass
class Check:
    """A totals row checked: its row and label, which rows above it it totals (``scope``), what
    it states in each money column, and TrueUp's sum of the rows above it found so far (a
    register read in batches adds the batches above the row's own: ``add_rows``)."""

    row: int
    label: str
    scope: pl.Expr
    stated: dict[str, int | None]
    summed: dict[str, int]
    rows: int = 0


def totals_checks(
    frame: pl.DataFrame, profile: Profile, labels: pl.DataFrame, first: int = 0
) -> list[Check]:
    """Each totals row's stated amounts, with TrueUp's sum of the rows above it in ``frame``: a
    grand total totals every row above it; "Total X" the rows above it holding X (a class code,
    an employee, a report's group). A totals row whose rows cannot be told ("Subtotal",
    "Department 10 Total") is left out of the payroll but not checked. ``first`` is how many
    totals rows the register has above this frame's."""
    checked = _checked(frame, profile)
    if labels.is_empty() or not checked:
        return []
    text, class_column = _text_columns(frame, profile)
    values = frame.select(ROW, *[cents(c).alias(c) for c in checked])
    found: list[Check] = []
    for index, (row, label) in enumerate(labels.iter_rows()):
        grand = GRAND.match(str(label)) is not None
        if not grand and first + index >= MOST_CHECKED:
            continue
        scope = _scope(str(label), grand, text, class_column)
        if scope is None:
            continue
        stated = values.filter(pl.col(ROW) == row).row(0, named=True)
        check = Check(
            int(row),
            str(label),
            scope,
            stated={c: stated[c] for c in checked},
            summed=dict.fromkeys(checked, 0),
        )
        found.append(check)
    add_rows(found, frame, profile, labels.get_column(ROW), values)
    return found


def add_rows(
    checks: list[Check],
    frame: pl.DataFrame,
    profile: Profile,
    labels: pl.Series,
    values: pl.DataFrame | None = None,
) -> None:
    """Add the rows of ``frame`` above each check's row that it totals (``labels``: the frame's
    own totals rows, never summed) to the check's sum."""
    if not checks:
        return
    checked = list(checks[0].summed)
    if values is None:
        values = frame.select(ROW, *[cents(c).alias(c) for c in checked])
    detail = ~pl.col(ROW).is_in(labels.implode())
    for check in checks:
        rows = frame.filter(detail & (pl.col(ROW) < check.row) & check.scope).get_column(ROW)
        if rows.is_empty():
            continue
        summed = values.filter(pl.col(ROW).is_in(rows.implode())).select(pl.col(checked).sum())
        check.rows += rows.len()
        for column in checked:
            check.summed[column] += int(summed.get_column(column)[0] or 0)


def stated_totals(checks: list[Check]) -> list[dict[str, object]]:
    """Each check's stated amounts against TrueUp's sums (a totals row above no row it totals is
    not checked)."""
    return [
        {
            "label": check.label,
            "row": check.row,
            "column": column,
            "stated_cents": int(said),
            "summed_cents": check.summed[column],
            "difference_cents": int(said) - check.summed[column],
        }
        for check in checks
        if check.rows
        for column, said in check.stated.items()
        if said is not None
    ]


def _checked(frame: pl.DataFrame, profile: Profile) -> list[str]:
    """The money columns a totals row is checked in."""
    return [
        c
        for c, category in amount_columns(frame, profile).items()
        if (category != "ignore" or MONEY.search(c)) and not NOT_MONEY.search(c)
    ]


def _text_columns(frame: pl.DataFrame, profile: Profile) -> tuple[list[str], str | None]:
    amounts = amount_columns(frame, profile)
    text = [c for c in frame.columns if not c.startswith("_") and c not in amounts]
    return text, _column(frame, profile.columns.get("class_code", ""))


def _column(frame: pl.DataFrame, header: str) -> str | None:
    present = {normalise(c): c for c in frame.columns}
    return present.get(normalise(header)) if header else None


def _scope(label: str, grand: bool, text: list[str], class_column: str | None) -> pl.Expr | None:
    """Which rows above a totals row it totals, or None when that cannot be told."""
    if grand:
        return pl.lit(True)
    named = OF.match(label)
    if named is None:
        return None
    what = normalise(named.group(1))
    code = what.split()[0] if what else ""
    holds = pl.any_horizontal(
        [
            pl.col(c).str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ") == what
            for c in text
        ]
    ).fill_null(False)
    if class_column is not None and code:
        holds = holds | (
            pl.col(class_column).str.strip_chars().str.to_lowercase() == code
        ).fill_null(False)
    return holds


def without_exempt(
    rows: pl.DataFrame,
    frame: pl.DataFrame,
    flag: Flag,
) -> pl.DataFrame:
    """Rows a report names as exempt (QuickBooks' Exempt group) are left out, each named with the
    reason and its pay (their rows and dollars are then counted with the others left out)."""
    if EXEMPT not in frame.columns:
        return rows
    reasons = frame.filter(pl.col(EXEMPT).is_not_null()).select(ROW, reason=pl.col(EXEMPT))
    hit = rows.filter(pl.col(ROW).is_in(reasons.get_column(ROW).implode()))
    if hit.is_empty():
        return rows
    in_gross = list(pay_categories())
    pay = (
        hit.group_by(ROW)
        .agg(
            cents=pl.when(pl.col("category").is_in(in_gross))
            .then(pl.col("cents"))
            .otherwise(0)
            .sum()
        )
        .join(reasons, on=ROW)
        .sort(ROW)
        .with_columns(column=pl.lit(""))
    )
    # Few rows: their messages are written here, the dollars with thousands separators.
    pay = pay.with_columns(
        message=pl.Series(
            [
                f"{reason}: {_dollars(c)} left out"
                for reason, c in pay.select("reason", "cents").rows()
            ],
            dtype=pl.String,
        )
    )
    flag(pay, pl.lit(True), "exempt", pl.col("message"))
    return rows.filter(~pl.col(ROW).is_in(reasons.get_column(ROW).implode()))


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
