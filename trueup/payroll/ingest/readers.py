"""Reading a register file into a frame of text cells, whatever the payroll system wrote."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from trueup.rating.errors import TrueUpError

ROW = "_row"  # the row's number in the file (the header row is row 1 of the table)
HEADER_SEARCH_ROWS = 20
MAX_BYTES = 200 * 1024 * 1024


class RegisterError(TrueUpError):
    """A file that cannot be read as a register; the message names the row or column."""

    code = "invalid_register"


def normalise(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def read_register(data: bytes, filename: str) -> pl.DataFrame:
    """Every cell as text, with the header found among the first rows (title rows above it and
    merged header rows are skipped), and ``_row`` holding each row's line number in the file."""
    if len(data) > MAX_BYTES:
        raise RegisterError(f"the file is {len(data) // 1_048_576} MB: the limit is 200 MB")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise RegisterError("the file is empty")
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods") or data[:4] == b"PK\x03\x04":
        raw = _read_excel(data)
    else:
        raw = _read_csv(data)
    return _with_header(raw)


def _read_excel(data: bytes) -> pl.DataFrame:
    try:
        return pl.read_excel(
            io.BytesIO(data),
            engine="calamine",
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
        )
    except Exception as error:  # the Excel reader's errors have no common base
        raise RegisterError(f"the workbook cannot be read: {error}") from error


def _read_csv(data: bytes) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Older exports are Windows-1252; every byte decodes as Latin-1 at worst.
        try:
            data = data.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError:
            data = data.decode("latin-1").encode("utf-8")
    sample = data[:65536].decode("utf-8", errors="replace")
    try:
        separator = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        separator = ","
    try:
        return pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            infer_schema=False,
            separator=separator,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        raise RegisterError(f"the file cannot be read as CSV: {error}") from error


def _with_header(raw: pl.DataFrame) -> pl.DataFrame:
    """Find the header: the first of the top rows with the most filled cells (titles and merged
    header rows above it have fewer)."""
    top = raw.head(HEADER_SEARCH_ROWS).rows()
    if not top:
        raise RegisterError("the file has no rows")
    filled = [sum(1 for cell in row if cell not in (None, "")) for row in top]
    widest = max(filled)
    if widest < 2:
        raise RegisterError("no header row found: the first rows have fewer than two columns")
    index = filled.index(widest)
    names: list[str] = []
    for position, cell in enumerate(top[index], start=1):
        name = " ".join(str(cell).split()) if cell not in (None, "") else f"column {position}"
        if normalise(name) in {normalise(n) for n in names}:
            raise RegisterError(f"row {index + 1}: the column {name!r} appears twice")
        names.append(name)
    body = raw.slice(index + 1)
    body.columns = names
    return body.with_row_index(ROW, offset=index + 2).with_columns(pl.col(ROW).cast(pl.Int64))
