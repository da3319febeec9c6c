"""Cells safe for a spreadsheet: the one place every CSV or workbook TrueUp writes for download
passes its cells through.

A spreadsheet program reads a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula: ``=HYPERLINK("http://…", "Click")`` in an insured's
name would become a live link, and worse, on a billing clerk's machine. Such a text cell gets a
leading apostrophe, which spreadsheets read as "this is text" and which a person sees as such.

Numbers stay numbers: a ``Decimal`` or ``int`` is written as it is, and so is text that is a
number (``-40.00``, ``+1,234.50``), so that a return premium is still a figure a clerk can add
up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

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
