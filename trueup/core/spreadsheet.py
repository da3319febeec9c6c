"""Cells safe for a spreadsheet: the one place every CSV or workbook TrueUp writes for download
passes its cells through.

A spreadsheet program reads a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula: ``=HYPERLINK("http://…", "Click")`` in an insured's
name would become a live link, and worse, on a billing clerk's machine. Such a text cell gets a
leading apostrophe, which spreadsheets read as "this is text" and which a person sees as such.

Numbers stay numbers: a ``Decimal`` or ``int`` is written as it is, and so is text that is a
number (``-40.00``, ``+1,234.50``), so that a return premium is still a figure a clerk can add
up.

``csv_bytes`` and ``xlsx_bytes`` write the exports (the worklist, the metric tables) this way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text made only of digits, signs, separators and spaces cannot call a function or another
# program, whatever a spreadsheet makes of it: "-40.00", "-1.234,50", "+1 317 555 0142".
NUMBER_LIKE = re.compile(r"[0-9.,+\- ]*[0-9][0-9.,+\- ]*")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this text cell as a formula that does something."""
    return text.startswith(FORMULA_STARTS) and NUMBER_LIKE.fullmatch(text) is None


def safe_cell(value: object) -> object:
    """The value to write in a cell: numbers as they are, formula-like text made plain text."""
    if isinstance(value, bool | int | Decimal | float) or value is None:
        return value
    text = str(value)
    return "'" + text if formula_like(text) else text


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row made safe (see ``safe_cell``)."""
    return [safe_cell(v) for v in values]


# The exports' media types, by the file's extension.
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A sheet's name: at most 31 characters, none of these.
SHEET_NAME_BANNED = re.compile(r"[\[\]:*?/\\]")
WIDEST_COLUMN = 60


def _csv_text(value: object) -> object:
    """A cell as a CSV file writes it: days as ISO dates, yes or no, nothing as empty."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file in UTF-8, marked as such so that a spreadsheet opens accents right; numbers as
    exact figures (-40.00), every text cell made safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(safe_row(columns))
    for row in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def decimal_format(value: Decimal) -> str:
    """The number format that shows a decimal with its own places: 1,234.50 stays 1,234.50."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


class _Sheet:
    """One worksheet and the formats it has made, each made once."""

    def __init__(self, book: xlsxwriter.Workbook, title: str) -> None:
        name = SHEET_NAME_BANNED.sub(" ", title).strip()[:31] or "Sheet1"
        self.book = book
        self.sheet = book.add_worksheet(name)
        self.formats: dict[str, Format] = {}

    def format(self, number_format: str) -> Format:
        if number_format not in self.formats:
            self.formats[number_format] = self.book.add_format({"num_format": number_format})
        return self.formats[number_format]

    def write(self, row: int, col: int, value: object) -> None:
        """Numbers as numbers, days as days, text as text (never as a formula)."""
        if value is None:
            return
        if isinstance(value, bool):
            self.sheet.write_string(row, col, "yes" if value else "no")
        elif isinstance(value, Decimal):
            # A workbook keeps every number as a double; the format shows the exact places.
            self.sheet.write_number(row, col, float(value), self.format(decimal_format(value)))
        elif isinstance(value, int):
            self.sheet.write_number(row, col, value)
        elif isinstance(value, datetime):
            self.sheet.write_datetime(row, col, value, self.format("yyyy-mm-dd hh:mm"))
        elif isinstance(value, date):
            self.sheet.write_datetime(row, col, value, self.format("yyyy-mm-dd"))
        else:
            self.sheet.write_string(row, col, str(safe_cell(value)))


def xlsx_bytes(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A workbook of one sheet named after the title: a bold header row that stays in view, a
    filter on every column, and columns wide enough for their contents."""
    out = io.BytesIO()
    options = {
        "in_memory": True,
        "remove_timezone": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(out, options) as book:
        sheet = _Sheet(book, title)
        bold = book.add_format({"bold": True})
        widths = [len(str(c)) for c in columns]
        for col, name in enumerate(columns):
            sheet.sheet.write_string(0, col, str(safe_cell(name)), bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                sheet.write(count, col, value)
                if col < len(widths):
                    widths[col] = max(widths[col], len(str(_csv_text(value) or "")))
        for col, width in enumerate(widths):
            sheet.sheet.set_column(col, col, min(width + 2, WIDEST_COLUMN))
        sheet.sheet.freeze_panes(1, 0)
        if columns:
            sheet.sheet.autofilter(0, 0, count, len(columns) - 1)
    return out.getvalue()
