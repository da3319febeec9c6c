"""The exports' files, byte for byte: numbers stay numbers, days stay days, and text a
spreadsheet would run as a formula is written as plain text."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

from trueup.core.spreadsheet import csv_bytes, xlsx_bytes

COLUMNS = ("Insured", "Adjustment", "Due", "Audits", "Rush")
ROWS = [
    ("=cmd|' /C calc'!A0", Decimal("-40.00"), date(2026, 1, 31), 3, True),
    ("Hoosier Pallets", Decimal("4575"), None, None, False),
]


def test_a_csv_export_writes_exact_figures_and_neutralises_formulas() -> None:
    assert csv_bytes(COLUMNS, ROWS) == (
        b"\xef\xbb\xbfInsured,Adjustment,Due,Audits,Rush\r\n"
        b"'=cmd|' /C calc'!A0,-40.00,2026-01-31,3,yes\r\n"
        b"Hoosier Pallets,4575,,,no\r\n"
    )


def test_a_csv_export_of_nothing_is_its_header() -> None:
    assert csv_bytes(("=Month", "Audits"), []) == b"\xef\xbb\xbf'=Month,Audits\r\n"


def sheet(data: bytes) -> tuple[str, list[str], str]:
    """(the sheet's XML, its shared strings, the workbook's XML)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    strings = re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())
    return (
        book.read("xl/worksheets/sheet1.xml").decode(),
        strings,
        book.read("xl/workbook.xml").decode(),
    )


def test_a_workbook_export_has_numbers_dates_and_safe_text() -> None:
    xml, strings, workbook = sheet(xlsx_bytes("Backlog: by age?", COLUMNS, ROWS))
    assert '<sheet name="Backlog  by age" sheetId="1"' in workbook
    assert strings == [
        "Insured",
        "Adjustment",
        "Due",
        "Audits",
        "Rush",
        "'=cmd|' /C calc'!A0",
        "yes",
        "Hoosier Pallets",
        "no",
    ]
    cells = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*>(<[fv]>[^<]*</[fv]>)', xml))
    assert "<f>" not in xml  # no formula anywhere
    assert cells["B2"] == "<v>-40</v>" and cells["B3"] == "<v>4575</v>"
    assert cells["C2"] == "<v>46053</v>"  # 31 January 2026, as a spreadsheet counts days
    assert cells["D2"] == "<v>3</v>"
    assert "C3" not in cells and "D3" not in cells  # nothing is left empty
    assert '<pane ySplit="1"' in xml and '<autoFilter ref="A1:E3"/>' in xml


def test_a_decimal_is_shown_with_its_own_places() -> None:
    data = xlsx_bytes("Figures", ("Amount",), [(Decimal("-40.00"),), (Decimal("12"),)])
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00"' in styles and 'formatCode="#,##0"' in styles
