"""Exports as insureds send them, read into a frame a profile maps, with what else the file held.

- A register with other tables beside it: a summary table above the payroll table (Gusto's
  payroll journal) or a table below it after a blank row (Paychex's Cash Requirements) is skipped,
  and named in ``tables`` with its rows; the payroll table is read.
- QuickBooks Desktop's report-shaped exports (layouts in ``reports.toml``):
  Workers Comp Summary and Workers Comp by Code and Employee put the class in an unnamed first
  column, with employees indented under it, Exempt and No WC Code groups and TOTAL rows; the
  Payroll Summary is transposed, payroll items down the side and employees across the top. Each
  is normalised into a frame with named columns (a profile in ``profiles.toml`` maps it), and the
  report's dates are read from its title rows.
- State wage reports (California's DE 9C, Rhode Island's TX-17) are not registers: refused with
  where to upload them instead.

Pure Polars and Python: no Django.
"""

from __future__ import annotations

import calendar
import csv
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from trueup.payroll.ingest.cells import cents
from trueup.payroll.ingest.facts import Ingested, Options
from trueup.payroll.ingest.readers import (
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    ROW,
    WORKBOOK_MAGIC,
    RegisterError,
    _csv_error,
    _decode,
    _delimiter,
    _header_index,
    _lines,
    _read_excel,
    normalise,
    read_register,
)
from trueup.payroll.ingest.totals import EXEMPT, TOTALS

HERE = Path(__file__).parent
# Enough of a text file's start to find its header and titles without decoding all of it.
HEAD_BYTES = 262_144
# A cell holding a number or a date: data rows have them, titles and headers do not.
NUMBER = r"^[\s$(+\-]*[\d,]*\d(?:\.\d*)?[)\-\s%]*$|^\s*\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}"
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
# "January through December 2025", "January 1 through December 31, 2025",
# "October 1, 2024 through September 30, 2025".
WORDS_RANGE = re.compile(
    rf"(?i){MONTH}\s*(\d{{1,2}})?,?\s*(\d{{4}})?\s+(?:through|thru|to|-|–)\s+{MONTH}\s*"
    rf"(\d{{1,2}})?,?\s*(\d{{4}})"
)
# "01/01/2025 through 12/31/2025", "01/01/2025 - 12/31/2025".
NUMBERS_RANGE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:through|thru|to|-|–)\s*(\d{1,2})/(\d{1,2})/(\d{4})"
)


@dataclass
class Export:
    frame: pl.DataFrame  # text cells with ``_row``, as ``read_register`` gives
    # {"read": "rows 5–60: …", "skipped": [{"rows": "1–3", "what": "…"}]}
    tables: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    report: str = ""  # a report-shaped export's name ("Workers Comp Summary")
    report_period: tuple[date, date] | None = None  # the dates in a report's title rows

    def take_frame(self) -> pl.DataFrame:
        """The payroll table, handed over: the export keeps its columns and no rows, so an
        import given it (and nothing else holding it) lets go of the register's cells once it
        has read them, before its largest steps (a large register's memory)."""
        frame, self.frame = self.frame, self.frame.clear()
        return frame


@cache
def layouts() -> dict[str, Any]:
    return tomllib.loads((HERE / "reports.toml").read_text())


def read_export(data: bytes, filename: str) -> Export:
    """The file's payroll table as a frame, whatever its shape; ``RegisterError`` when it cannot
    be read, naming the row and column (or saying what the file is instead)."""
    if len(data) > MAX_BYTES or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        return _register(read_register(data, filename), [])  # refused there, as it always was
    top = _rows(data, HEADER_SEARCH_ROWS)
    titles = [" ".join(cell.strip() for cell in row if cell.strip()) for row in top]
    _refuse_wage_report(titles)
    summary = _payroll_summary_header(top)
    if summary is not None:
        return _payroll_summary(_rows(data, None), summary, _period(titles[:summary]))
    header = _wc_header(top)
    if header is not None:
        return _wc_report(_rows(data, None), header, _period(titles[:header]), titles[:header])
    return _register(read_register(data, filename), top)


def finish(result: Ingested, export: Export, options: Options) -> Ingested:
    """The import's result with what the file's shape tells: the tables read and skipped, and
    notes on a report's dates against the policy period."""
    result.tables = export.tables
    result.notes = [*export.notes, *_period_notes(export, options)]
    return result


# Rows of cells


def _rows(data: bytes, limit: int | None) -> list[list[str]]:
    """The file's rows as text cells (the first ``limit`` rows, or all of them)."""
    if data.startswith(WORKBOOK_MAGIC):
        raw = _read_excel(data)
        if limit is not None:
            raw = raw.head(limit)
        return [["" if cell is None else str(cell) for cell in row] for row in raw.rows()]
    text, _ = _decode(data[:HEAD_BYTES] if limit is not None else data)
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    rows: list[list[str]] = []
    reader = csv.reader(_lines(text), delimiter=_delimiter(text))
    try:
        for record in reader:
            rows.append(record)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as error:
        if limit is None:
            raise _csv_error(error, len(rows) + 1) from error
    return rows


def _filled(cell: str) -> bool:
    return cell.strip() != ""


def _is(cell: str, labels: Sequence[str]) -> bool:
    return normalise(cell) in {normalise(label) for label in labels}


def _span(rows: Sequence[int]) -> str:
    return f"{rows[0]}" if rows[0] == rows[-1] else f"{rows[0]}–{rows[-1]}"


# State wage reports


def _refuse_wage_report(titles: Sequence[str]) -> None:
    for title in layouts()["state_wage_reports"]["titles"]:
        pattern = r"(?i)(?<!\w)" + r"\s*".join(map(re.escape, title.split())) + r"(?!\w)"
        for number, line in enumerate(titles, start=1):
            if re.search(pattern, line):
                raise RegisterError(
                    f"row {number}: this is a state wage report ({title}), not a payroll "
                    "register: upload it in the tax filings and reconciliation section of the "
                    "audit's payroll page, where its employees' wages are read and reconciled "
                    "with the register"
                )


# The report's dates


def _period(titles: Sequence[str]) -> tuple[date, date] | None:
    """The dates QuickBooks prints under a report's title, or None."""
    for line in titles:
        words = WORDS_RANGE.search(line)
        if words is not None:
            month1, day1, year1, month2, day2, year2 = words.groups()
            end_year = int(year2)
            start_year = int(year1) if year1 else end_year
            start_month = MONTHS.index(month1.lower()) + 1
            end_month = MONTHS.index(month2.lower()) + 1
            start = date(start_year, start_month, int(day1) if day1 else 1)
            last_day = calendar.monthrange(end_year, end_month)[1]
            end = date(end_year, end_month, int(day2) if day2 else last_day)
            return start, end
        numbers = NUMBERS_RANGE.search(line)
        if numbers is not None:
            m1, d1, y1, m2, d2, y2 = map(int, numbers.groups())
            return date(y1, m1, d1), date(y2, m2, d2)
    return None


def _period_notes(export: Export, options: Options) -> list[str]:
    if not export.report:
        return []
    if export.report_period is None:
        return [
            f"The {export.report} shows no dates in its title rows: its amounts are taken as the "
            "policy period's. Check the dates the report was run for."
        ]
    start, end = export.report_period
    last = date.fromordinal(options.expiration.toordinal() - 1)
    if (start, end) == (options.effective, last):
        return [f"The {export.report} covers {start} to {end}, the policy period."]
    if end < options.effective or start > last:
        return [
            f"The {export.report} covers {start} to {end}, outside the policy period "
            f"{options.effective} to {last}: none of its payroll belongs to this policy. Ask for "
            "the report run for the policy's dates."
        ]
    return [
        f"The {export.report} covers {start} to {end}; the policy period is "
        f"{options.effective} to {last}. Its amounts are taken as the policy period's: ask for "
        "the report run for the policy's dates, or adjust the payroll."
    ]


# A register, and the tables beside it


def _register(frame: pl.DataFrame, top: list[list[str]]) -> Export:
    skipped = _tables_above(top)
    frame, below = _tables_below(frame)
    skipped += below
    first = int(frame.get_column(ROW)[0]) - 1  # the header's row: the frame starts below it
    last = _last_filled(frame) or first
    read = f"rows {first}–{last}: the payroll table (its header in row {first})"
    return Export(frame=frame, tables={"read": read, "skipped": skipped})


def _last_filled(frame: pl.DataFrame) -> int | None:
    filled = pl.any_horizontal(pl.exclude(ROW).str.contains(r"\S")).fill_null(False)
    rows = frame.filter(filled).get_column(ROW)
    return int(rows.max()) if not rows.is_empty() else None  # type: ignore[arg-type]


def _tables_above(top: list[list[str]]) -> list[dict[str, str]]:
    """Blocks of rows above the header, between blank rows, holding a table (rows of two cells
    or more): a summary table above the payroll table."""
    if not top:
        return []
    try:
        header = _header_index([tuple(row) for row in top])
    except RegisterError:
        return []
    found: list[dict[str, str]] = []
    block: list[int] = []
    for index in range(header + 1):
        row = top[index] if index < header else []
        if any(_filled(cell) for cell in row):
            block.append(index)
            continue
        if any(sum(_filled(c) for c in top[i]) >= 2 for i in block):
            found.append({"rows": _span([i + 1 for i in block]), "what": _what(top, block)})
        block = []
    return found


def _what(rows: Sequence[Sequence[str]], block: Sequence[int]) -> str:
    """A table's words: its title, when its first row is one cell, and its header."""
    cells = [[c.strip() for c in rows[i] if _filled(c)] for i in block]
    title = cells[0][0] if len(cells[0]) == 1 else ""
    header = next((row for row in cells if len(row) >= 2), [])
    shown = ", ".join(header[:5]) + (", …" if len(header) > 5 else "")
    if title:
        return f"a table “{title}” ({shown}): not the payroll table, skipped"
    return f"a table ({shown}): not the payroll table, skipped"


def _tables_below(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, str]]]:
    """A table below the payroll table: after a blank row, a row with no number or date in it
    (a title or a header; a payroll row has amounts) starts another table, if it is a table (two
    rows or more, one of two cells or more: a lone note stays a row of the register, named in the
    exceptions). The frame ends before the blank row; the table is named."""
    if frame.is_empty():
        return frame, []
    cells = pl.exclude(ROW)
    # Only a row after a blank row can start a table: the rest are not looked at again.
    after_blank = (
        frame.select(ROW, filled=pl.any_horizontal(cells.str.contains(r"\S")).fill_null(False))
        .with_columns(after_blank=~pl.col("filled").shift(1).fill_null(True))
        .filter(pl.col("filled") & pl.col("after_blank") & (pl.col(ROW) > frame[ROW][0]))
        .get_column(ROW)
    )
    starts = frame.filter(pl.col(ROW).is_in(after_blank.implode())).filter(
        ~pl.any_horizontal(cells.str.contains(NUMBER)).fill_null(False)
        & ~pl.any_horizontal(cells.str.contains(TOTALS)).fill_null(False)
    )
    for start in starts.get_column(ROW).to_list():
        table = frame.filter(pl.col(ROW) >= start)
        rows = [[str(c) for c in row] for row in table.drop(ROW).fill_null("").rows()]
        filled_at = [i for i, row in enumerate(rows) if any(_filled(c) for c in row)]
        wide = any(sum(_filled(c) for c in rows[i]) >= 2 for i in filled_at)
        if len(filled_at) < 2 or not wide:
            continue
        what = _what(rows, filled_at[:3])
        skipped = {"rows": _span([start, start + filled_at[-1]]), "what": what}
        return frame.filter(pl.col(ROW) < start), [skipped]
    return frame, []


# QuickBooks Desktop: workers' comp reports


@dataclass(frozen=True)
class Group:
    label: str  # "8810 · Clerical", "Exempt", "No WC Code"
    code: str  # the class code, "" for Exempt and No WC Code
    exempt: bool


def _wc_header(top: Sequence[Sequence[str]]) -> int | None:
    """The header row of a QuickBooks workers' comp report: an amount column of the report named
    after unnamed label columns, with labels in those columns below it."""
    layout = layouts()["quickbooks_wc"]
    for index, row in enumerate(top):
        named = [i for i, cell in enumerate(row) if _filled(cell)]
        if not named or named[0] == 0:
            continue
        if not any(_is(row[i], layout["amount_headers"]) for i in named):
            continue
        below = top[index + 1 :]
        if any(any(_filled(c) for c in r[: named[0]]) for r in below) or len(below) == 0:
            return index
    return None


def _group(label: str) -> Group:
    layout = layouts()["quickbooks_wc"]
    if _is(label, layout["exempt"]):
        return Group(label, "", True)
    if _is(label, layout["no_code"]):
        return Group(label, "", False)
    code = label.split(layout["class_separator"])[0].strip().split()
    return Group(label, code[0] if code else "", False)


def _wc_report(
    rows: list[list[str]], header: int, period: tuple[date, date] | None, titles: Sequence[str]
) -> Export:
    layout = layouts()["quickbooks_wc"]
    head = rows[header]
    first = next(i for i, cell in enumerate(head) if _filled(cell))
    amounts = [(i, " ".join(head[i].split())) for i in range(first, len(head)) if _filled(head[i])]
    _check_unique([name for _, name in amounts], header + 1)
    records, headings = _wc_records(rows, header, first, amounts)
    if not records:
        raise RegisterError(f"the header is row {header + 1} and no rows of payroll follow it")
    employees = [str(r["Employee"]) for r in records if r["Employee"]]
    by_employee = any(not name.startswith("All employees (") for name in employees)
    dated = any(_is(name, ["Date"]) for _, name in amounts)
    report = _report_name(titles, by_employee, dated)
    columns = ["Report Line", "WC Code", "Employee", *[name for _, name in amounts], EXEMPT]
    frame = pl.DataFrame(
        records, schema={ROW: pl.Int64, **dict.fromkeys(columns, pl.String)}
    ).select(ROW, pl.lit(f"QuickBooks {report}").alias("Report"), *columns)
    return Export(
        frame=frame,
        tables=_wc_tables(report, header, records, headings, layout),
        notes=_wc_notes(frame, report, by_employee, dated, layout),
        # A report of paychecks has its own check dates: its title's dates are not the basis.
        report="" if dated else f"QuickBooks {report}",
        report_period=period,
    )


Record = dict[str, str | int | None]


def _wc_records(
    rows: list[list[str]], header: int, first: int, amounts: Sequence[tuple[int, str]]
) -> tuple[list[Record], list[int]]:
    """The report's rows with their class, employee and amounts; and the class headings' rows
    (a heading gives the class of the rows under it, and is no row of payroll itself)."""
    records: list[Record] = []
    headings: list[int] = []
    group: Group | None = None
    # The Workers Comp Detail names each paycheck's employee in a Name column.
    named = next((name for _, name in amounts if _is(name, ["Name"])), None)
    for index in range(header + 1, len(rows)):
        row = rows[index] + [""] * (len(rows[header]) - len(rows[index]))
        labels = [(i, row[i].strip()) for i in range(first) if _filled(row[i])]
        values = {name: row[i].strip() for i, name in amounts}
        if not labels and not any(values.values()):
            continue
        depth, text = labels[0] if labels else (first, values.get(named or "", ""))
        if depth == 0 and not any(values.values()):
            group = _group(text)
            headings.append(index + 1)
            continue
        records.append({ROW: index + 1, **values, **_wc_line(text, depth, group)})
    return records, headings


def _wc_line(text: str, depth: int, group: Group | None) -> Record:
    """A row's label, class, employee and exemption: a totals row ("Total 8810 · Clerical" gets
    its group's class), a summary report's class row (its amounts are the class's), or an
    employee indented under the group heading above."""
    if depth == 0 and re.search(TOTALS, text):
        of = group if group and normalise(text).endswith(normalise(group.label)) else None
        return {"Report Line": text, "WC Code": of.code if of else "", "Employee": "", EXEMPT: None}
    if depth == 0:
        line = _group(text)
        employee = f"All employees ({text})"
    else:
        line, employee = group or Group("", "", False), text
    return {
        "Report Line": line.label,
        "WC Code": line.code,
        "Employee": employee,
        EXEMPT: _exempt_reason(line.label) if line.exempt else None,
    }


def _check_unique(names: Sequence[str], row: int) -> None:
    seen: set[str] = set()
    for name in names:
        if normalise(name) in seen:
            raise RegisterError(f"row {row}: the column {name!r} appears twice")
        seen.add(normalise(name))


def _exempt_reason(label: str) -> str:
    return (
        f"under “{label}” in the QuickBooks report: the employee's workers' comp code is "
        "Exempt, so this pay is left out of the payroll"
    )


def _report_name(titles: Sequence[str], by_employee: bool, dated: bool) -> str:
    for name in layouts()["quickbooks_wc"]["titles"]:
        if any(normalise(name) in normalise(line) for line in titles):
            return str(name)
    if dated:
        return "Workers Comp Detail"
    return "Workers Comp by Code and Employee" if by_employee else "Workers Comp Summary"


def _wc_tables(
    report: str,
    header: int,
    records: Sequence[dict[str, Any]],
    headings: Sequence[int],
    layout: dict[str, Any],
) -> dict[str, object]:
    last = max(int(r[ROW]) for r in records)
    read = f"rows {header + 1}–{last}: QuickBooks {report} (its header in row {header + 1})"
    if headings:
        shown = ", ".join(map(str, headings[:10])) + (", …" if len(headings) > 10 else "")
        read += f"; class headings in rows {shown} give the class of the rows under them"
    return {"read": read, "skipped": []}


def _wc_notes(
    frame: pl.DataFrame, report: str, by_employee: bool, dated: bool, layout: dict[str, Any]
) -> list[str]:
    detail = "each employee's totals by class" if by_employee else "each class's totals"
    notes = [
        f"The QuickBooks {report} lists each paycheck by class: its check dates are filtered "
        "by the policy period."
        if dated
        else f"The QuickBooks {report} gives {detail}, without the checks behind them: there is "
        "no check date to filter by, so the report's dates are the check-date basis."
    ]
    gross = next((c for c in frame.columns if _is(c, ["Gross Wages"])), None)
    for labels, what in (
        (layout["no_code"], "have no class: assign them one before committing"),
        (layout["exempt"], "are exempt in QuickBooks: left out, each named in the exceptions"),
    ):
        group = frame.filter(
            pl.col("Report Line").str.to_lowercase().is_in([normalise(x) for x in labels])
            & ~pl.col("Report Line").str.contains(TOTALS)
        )
        if group.is_empty():
            continue
        amount = ""
        if gross is not None:
            total = int(group.select(cents(gross).sum()).item() or 0)
            amount = f" (gross wages ${total // 100:,}.{total % 100:02d})"
        notes.append(f"{group.height} row(s) under “{labels[0]}”{amount} {what}.")
    return notes


# QuickBooks Desktop: the Payroll Summary, transposed


def _payroll_summary_header(top: Sequence[Sequence[str]]) -> int | None:
    """The row of sub-columns (Hours, Rate, amount under each employee) of a Payroll Summary:
    below a row naming the employees and a TOTAL column."""
    layout = layouts()["quickbooks_payroll_summary"]
    for index in range(1, len(top)):
        row, above = top[index], top[index - 1]
        if not all(any(_is(c, [name]) for c in row) for name in layout["sub_columns"]):
            continue
        if any(_is(c, [layout["total_column"]]) for c in above):
            return index
    return None


def _payroll_summary(rows: list[list[str]], sub: int, period: tuple[date, date] | None) -> Export:
    layout = layouts()["quickbooks_payroll_summary"]
    people = _summary_columns(rows[sub - 1], rows[sub], layout)
    items, last, skipped_from = _summary_items(rows, sub, people, layout)
    records = [
        {
            ROW: column + 1,
            "Employee": name,
            **{item: cells[column] for item, cells in items.items()},
        }
        for column, name in people
    ]
    frame = pl.DataFrame(
        records, schema={ROW: pl.Int64, "Employee": pl.String, **dict.fromkeys(items, pl.String)}
    )
    skipped = []
    if skipped_from is not None:
        end = max(i + 1 for i, r in enumerate(rows) if any(_filled(c) for c in r))
        skipped.append(
            {
                "rows": _span([skipped_from, end]),
                "what": "taxes withheld, net pay and the employer's taxes and contributions: "
                "not payroll, skipped",
            }
        )
    columns = ", ".join(f"{name} in column {_letter(column)}" for column, name in people[:6])
    return Export(
        frame=frame,
        tables={
            "read": f"rows {sub}–{last}: QuickBooks Payroll Summary, the gross pay items and "
            f"deductions from gross pay of each employee ({columns}"
            + (", …)" if len(people) > 6 else ")"),
            "skipped": skipped,
        },
        notes=[
            "The QuickBooks Payroll Summary lists employees across the top: each employee's "
            "column is read as one row, and a row number in an exception is the employee's "
            "column number (column E is 5).",
            "It gives each employee's totals by payroll item, without checks, classes or "
            "states: the report's dates are the check-date basis, and each employee needs a "
            "class before committing.",
        ],
        report="QuickBooks Payroll Summary",
        report_period=period,
    )


def _summary_items(
    rows: list[list[str]], sub: int, people: Sequence[tuple[int, str]], layout: dict[str, Any]
) -> tuple[dict[str, dict[int, str]], int, int | None]:
    """Payroll item → its cell in each employee's column, for every item row with an amount
    above the taxes (section headings hold none); the last row read; the first row not read."""
    first = min(i for i, cell in enumerate(rows[sub - 1]) if _filled(cell))
    items: dict[str, dict[int, str]] = {}
    last = sub + 1
    for index in range(sub + 1, len(rows)):
        row = rows[index] + [""] * (len(rows[sub]) - len(rows[index]))
        label = next((c.strip() for c in row[:first] if _filled(c)), "")
        if _is(label, layout["not_payroll"]):
            return _some_items(items, sub), last, index + 1
        cells = {i: row[i].strip() for i, _ in people}
        if not label or not any(cells.values()):
            continue
        # An item named twice (in two sections) keeps both, the second by its row.
        items[label if label not in items else f"{label} (row {index + 1})"] = cells
        last = index + 1
    return _some_items(items, sub), last, None


def _some_items(items: dict[str, dict[int, str]], sub: int) -> dict[str, dict[int, str]]:
    if not items:
        raise RegisterError(f"row {sub + 1}: the Payroll Summary has no Gross Pay items below it")
    return items


def _summary_columns(
    names: Sequence[str], subs: Sequence[str], layout: dict[str, Any]
) -> list[tuple[int, str]]:
    """(column, employee) of each employee's amount column; the TOTAL column is "TOTAL"."""
    found: list[tuple[int, str]] = []
    current = ""
    for index, cell in enumerate(names):
        if _filled(cell):
            current = cell.strip()
        sub = subs[index] if index < len(subs) else ""
        if current and _filled(sub) and not _is(sub, layout["sub_columns"]):
            found.append((index, current))
    return found


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
