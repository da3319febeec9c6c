"""Reading a register file into a frame of text cells, whatever the payroll system wrote.

What the reader accepts, and what it refuses (each refusal is a ``RegisterError`` whose message
names the row and, where there is one, the column):

- The format is told by the content, not the file's name: a zip (XLSX, ODS) or an OLE file (XLS)
  is a workbook, anything else is read as delimited text, so a CSV named ``.xlsx`` still reads.
  PDF, HTML and XML files and binary data are refused.
- Text is UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or else
  Windows-1252 (which covers Latin-1's letters). Line ends may be LF, CRLF or CR.
- The delimiter is whichever of comma, semicolon, tab and pipe splits the first rows into the most
  rows of the same width. Quoted cells may hold delimiters, quotes (doubled) and line breaks; a
  quote that is never closed, or text after a closing quote, is refused with its row.
- The header is the first of the top 20 rows with the most cells holding letters: report titles,
  parameter blocks and merged group headings above it have fewer. Blank header cells are named
  ``column N``; a header name that appears twice is refused. A file with nothing below its header
  is refused.
- A row with more cells than the header is refused when the extra cells hold anything (an
  unquoted ``1,234.56`` in a comma file shifts every cell after it); extra empty cells and short
  rows (Excel drops trailing empty cells) are read, the missing cells empty.
- A cell longer than 32,767 characters (the most an Excel cell holds) is refused.
- Workbooks: the first sheet is read, every cell as the text the workbook stores (numbers as
  written, date cells as ``YYYY-MM-DD 00:00:00``); formula cells give their last calculated
  value; an error cell (``#DIV/0!``) and a formula the workbook never calculated (written by a
  program, not saved by a spreadsheet) give text that is not an amount, so they are flagged where
  they matter instead of reading as empty or as zero.

``_row`` is each row's number as a spreadsheet shows it: the record's position in the file,
counting title and blank rows (a quoted cell spanning lines is one row), or the sheet's row.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import fastexcel
import polars as pl

from trueup.core.errors import InvalidInput

ROW = "_row"  # the row's number as a spreadsheet shows it (title rows above the header count)
HEADER_SEARCH_ROWS = 20
MAX_BYTES = 200 * 1024 * 1024
MAX_CELL = 32_767  # the most characters an Excel cell holds
DELIMITERS = ",;\t|"
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


class RegisterError(InvalidInput):
    """A file that cannot be read as a register; the message names the row or column."""

    code = "invalid_register"

    def __init__(self, message: str) -> None:
        super().__init__((), message)


def normalise(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def read_register(data: bytes, filename: str) -> pl.DataFrame:
    """Every cell as text, with the header found among the first rows (title rows above it and
    merged header rows are skipped), and ``_row`` holding each row's number in the file."""
    if len(data) > MAX_BYTES:
        raise RegisterError(f"the file is {len(data) // 1_048_576} MB: the limit is 200 MB")
    if _blank(data):
        raise RegisterError("the file is empty")
    if data.startswith(WORKBOOK_MAGIC):
        raw = _read_excel(data)
        return _with_header(raw, _header_index(raw.head(HEADER_SEARCH_ROWS).rows()))
    return _read_csv(data)


# What an empty file may hold: spaces, line ends, NULs and byte-order marks.
BLANK = b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"


def _blank(data: bytes) -> bool:
    """Whether the file holds nothing but ``BLANK``. Its start decides for nearly every file:
    stripping the whole of a large register copies it (tens of milliseconds)."""
    return not data[:65536].strip(BLANK) and not data.strip(BLANK)


# Workbooks


def _read_excel(data: bytes) -> pl.DataFrame:
    """The first sheet, every cell as text, one frame row per sheet row from row 1."""
    try:
        workbook = fastexcel.read_excel(data)
        names = workbook.sheet_names
        if not names:
            raise RegisterError("the workbook has no sheets")
        sheet = workbook.load_sheet(0, header_row=None, skip_rows=[], dtypes="string")
        frame = sheet.to_polars()
        first_column = min((c.absolute_index for c in sheet.available_columns()), default=0)
    except RegisterError:
        raise
    except Exception as error:  # the Excel reader's errors have no common base
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RegisterError(
            f"the workbook cannot be read (is it damaged or password-protected?): {detail}"
        ) from error
    if frame.height == 0 or frame.width == 0:
        where = "; the register must be on the first sheet" if len(names) > 1 else ""
        raise RegisterError(f"the workbook's first sheet ({names[0]!r}) is empty{where}")
    frame.columns = [f"c{i}" for i in range(frame.width)]
    return _patch_cells(frame, _unreadable_cells(data), first_column)


CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
REFERENCE = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def _unreadable_cells(data: bytes) -> dict[tuple[int, int], str]:
    """(row, column) from 0 → text, for the first sheet's cells whose value the reader would give
    as empty or as a made-up zero: error cells (their error, ``#DIV/0!``), and formulas without a
    calculated value (``=B2*2 (not calculated)``). A formula keeps the value last calculated unless
    there is none, or the workbook was written by a program that asks for every formula to be
    calculated on opening and left 0 in its place."""
    if not data.startswith(b"PK"):
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml")
            relations = archive.read("xl/_rels/workbook.xml.rels")
            first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
            if first is None:
                return {}
            target = re.search(
                rb"<Relationship\b[^>]*?\bId=\"" + re.escape(first.group(1)) + rb"\"[^>]*>",
                relations,
            )
            where = re.search(rb'Target="([^"]+)"', target.group(0)) if target else None
            if where is None:
                return {}
            path = where.group(1).decode().lstrip("/")
            xml = archive.read(path if path.startswith("xl/") else f"xl/{path}")
    except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return {}
    if b"<f" not in xml and b't="e"' not in xml:
        return {}
    uncalculated = re.search(rb'fullCalcOnLoad="(1|true)"', workbook) is not None
    found: dict[tuple[int, int], str] = {}
    for cell in CELL.finditer(xml):
        attributes, inner = cell.group(1), cell.group(2) or b""
        reference = REFERENCE.search(attributes)
        if reference is None:
            continue
        value = VALUE.search(inner)
        formula = FORMULA.search(inner)
        text = None
        if b't="e"' in attributes:
            text = html.unescape(value.group(1).decode()) if value else "#ERROR"
        elif formula is not None and (
            value is None or (uncalculated and value.group(1).strip() in (b"", b"0"))
        ):
            source = html.unescape((formula.group(1) or b"").decode()).strip()
            text = f"={source or '(shared formula)'} (not calculated)"
        if text is not None:
            letters, number = reference.groups()
            found[int(number) - 1, _column_index(letters.decode())] = text
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _patch_cells(
    frame: pl.DataFrame, cells: dict[tuple[int, int], str], first_column: int
) -> pl.DataFrame:
    by_column: dict[int, list[tuple[int, str]]] = {}
    for (row, column), text in cells.items():
        position = column - first_column
        if 0 <= position < frame.width and row < frame.height:
            by_column.setdefault(position, []).append((row, text))
    for position, patches in by_column.items():
        name = frame.columns[position]
        values = frame[name].to_list()
        for row, text in patches:
            values[row] = text
        frame = frame.with_columns(pl.Series(name, values, dtype=pl.String))
    return frame


# Delimited text


def _read_csv(data: bytes) -> pl.DataFrame:
    text, utf8, whole = _start(data)
    if "\n" not in text and "\r" in text:
        text, utf8 = text.replace("\r", "\n"), None  # classic Mac line ends
    delimiter = _delimiter(text)
    if not whole and not _whole_rows(text, delimiter):
        (text, utf8), whole = _decode(data), True
    top, too_long = _top_records(text, delimiter)
    if not top and too_long:
        raise _long_cell(too_long)
    index = _header_index([tuple(record) for record in top])
    width = len(top[index])
    body = utf8 if utf8 is not None else text.encode("utf-8")
    try:
        raw = _polars_csv(body, delimiter, width, ragged=False)
    except pl.exceptions.PolarsError:
        # Find what is wrong, row by row, and read again if it was only trailing empty cells.
        if not whole:  # only the start was read as text; the row at fault may be past it
            text, _ = _decode(data)
        _check_records(_lines(text), delimiter, header_row=index + 1, width=width)
        try:
            raw = _polars_csv(body, delimiter, width, ragged=True)
        except pl.exceptions.PolarsError as error:
            detail = str(error).strip().splitlines()[0]
            raise RegisterError(f"the file cannot be read as CSV: {detail}") from error
    if raw.height <= index:
        raise RegisterError(f"the file cannot be read as CSV: row {index + 1} is not where it was")
    return _with_header(raw, index)


def _polars_csv(body: bytes, delimiter: str, width: int, *, ragged: bool) -> pl.DataFrame:
    """The text as ``width`` text columns (short rows filled with nulls); with ``ragged``, cells
    beyond the width are dropped (only once they are known to be empty). Each column in one piece:
    a large register is read in dozens of pieces, and carried so through the import it held
    about a seventh more memory at its peak."""
    return pl.read_csv(
        body,
        has_header=False,
        schema={f"c{i}": pl.String for i in range(width)},
        separator=delimiter,
        quote_char='"',
        truncate_ragged_lines=ragged,
        # The text is known not to be empty. Asking Polars to check copies the whole file.
        raise_if_empty=False,
    ).rechunk()


class _Start(NamedTuple):
    """What ``_decode`` gives (the text, and the bytes when they are UTF-8), and whether the
    text is the whole file's or only its start's."""

    text: str
    utf8: bytes | None
    whole: bool


def _start(data: bytes) -> _Start:
    """The file's text, or for a large UTF-8 file the text of its start only (``HEAD_BYTES``,
    cut at a line end, with ``HEAD_LINES`` lines at least): a file that reads well is read as
    text only there (its delimiter, its header, the checks that it is text), and decoding a
    large register whole costs a tenth of its import and a copy of it as text. The whole is
    checked to be UTF-8 a block at a time."""
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if len(body) <= HEAD_BYTES:
        return _Start(*_decode(data), whole=True)
    head = _to_line_end(body[:HEAD_BYTES])
    if (
        len(head) < HEAD_BYTES // 2  # a line of half a megabyte
        or head.count(b"\n") < HEAD_LINES
        or not _is_utf8(body)
    ):
        return _Start(*_decode(data), whole=True)
    text, utf8 = _decode(head)
    if utf8 is None or text.isspace():  # a second byte-order mark; a start of nothing but spaces
        return _Start(*_decode(data), whole=True)
    return _Start(text, body, whole=False)


def _to_line_end(head: bytes) -> bytes:
    """A file's start cut at its last line end (a character's bytes are never split); whole
    if it has none."""
    end = max(head.rfind(b"\n"), head.rfind(b"\r"))
    return head if end < 0 else head[: end + 1]


def _whole_rows(start: str, delimiter: str) -> bool:
    """Whether the rows the header is looked for in end within the file's start: they are then
    the whole file's. Where they run to its end, a quoted cell may go on past it."""
    try:
        top, too_long = _top_records(start, delimiter)
    except RegisterError:  # told with the whole file's text, which may read
        return False
    return not too_long and len(top) == HEADER_SEARCH_ROWS


# How much of a large file's start is read as text (``_start``), and how many lines it holds at
# least: those the delimiter is told from (``_delimiter``).
HEAD_BYTES = 1024 * 1024
HEAD_LINES = 50
# The size of the blocks a file is checked to be UTF-8 in.
UTF8_BLOCK = 4 * 1024 * 1024


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, checked a block at a time (ASCII, most registers, at once)."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), UTF8_BLOCK):
            decoder.decode(view[start : start + UTF8_BLOCK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes) -> tuple[str, bytes | None]:
    """The text, and its bytes when they were UTF-8 already (without a byte-order mark)."""
    utf8: bytes | None = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise RegisterError(
                f"the file starts as UTF-16 text but byte {error.start} is not UTF-16"
            ) from error
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        head = data[:8].lstrip()
        if head.startswith(b"%PDF"):
            raise RegisterError("the file is a PDF: export the register as CSV or Excel (XLSX)")
        try:
            text = data.decode("utf-8")
            utf8 = data
        except UnicodeDecodeError:
            # Older exports are Windows-1252; the bytes it leaves undefined are read as Latin-1.
            text = data.decode("cp1252", errors="ignore")
            if len(text) != len(data):
                text = data.decode("latin-1")
    if text.startswith("\ufeff"):
        text, utf8 = text[1:], None
    sample = text[:65536]
    control = sum(1 for char in sample if char < " " and char not in "\t\r\n\f\x1a")
    if "\x00" in sample or control > len(sample) // 20:
        raise RegisterError("the file is not text: upload the register as CSV or Excel (XLSX)")
    start = sample.lstrip()[:100].lower()
    if start.startswith(("<!doctype", "<html", "<table", "<?xml")):
        raise RegisterError(
            "the file is a web page or XML, not a CSV or Excel workbook: open it in Excel and "
            "save it as XLSX or CSV"
        )
    if not text or text.isspace():
        raise RegisterError("the file is empty")
    return text, utf8


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, without copying the whole text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most rows of one width (2 or more)."""
    lines = []
    for line in _lines(text):
        lines.append(line[:65536])
        if len(lines) >= HEAD_LINES:
            break
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = Counter(
                len(record) for record in csv.reader(lines, delimiter=delimiter) if len(record) > 1
            )
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _top_records(text: str, delimiter: str) -> tuple[list[list[str]], int]:
    """The first rows as the csv module reads them; and the row with a cell too long for it to
    read (0 when none), which ends the rows."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    while len(records) < HEADER_SEARCH_ROWS:
        try:
            records.append(next(reader))
        except StopIteration:
            break
        except csv.Error as error:
            if "field limit" in str(error):
                return records, len(records) + 1
            raise _csv_error(error, len(records) + 1) from error
    return records, 0


def _check_records(lines: Iterable[str], delimiter: str, header_row: int, width: int) -> None:
    """Every row, by the csv module, for the first that cannot be read as part of the table."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if row > header_row and len(record) > width:
                extra = [
                    (position, cell)
                    for position, cell in enumerate(record[width:], start=width + 1)
                    if cell.strip()
                ]
                if extra:
                    position, cell = extra[0]
                    raise RegisterError(
                        f"row {row}, column {position}: the row has {len(record)} cells but the "
                        f"header (row {header_row}) has {width}, and {cell[:40]!r} is beyond it; "
                        "is an amount with a thousands separator missing its quotes?"
                    )
    except csv.Error as error:
        if "field limit" in str(error):
            raise _long_cell(row + 1) from error
        raise _csv_error(error, row + 1) from error


def _csv_error(error: csv.Error, row: int) -> RegisterError:
    text = str(error)
    if "unexpected end of data" in text:
        return RegisterError(f"row {row}: a quoted cell starts here and its quote is never closed")
    if "expected after" in text:
        return RegisterError(f"row {row}: a quoted cell has more text after its closing quote")
    return RegisterError(f"row {row}: the row cannot be read as CSV ({text})")


def _long_cell(row: int) -> RegisterError:
    return RegisterError(
        f"row {row}: a cell holds more than {MAX_CELL:,} characters, the most a spreadsheet "
        "cell holds"
    )


# The header and the table below it


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _header_index(rows: Sequence[Sequence[object]]) -> int:
    """The first row with the most cells holding letters (two at least); title rows, parameter
    blocks and merged group headings above the header have fewer, and data rows hold numbers."""
    if not rows:
        raise RegisterError("the file has no rows")
    named = [sum(1 for c in row if _filled(c) and _has_letter(str(c))) for row in rows]
    filled = [sum(1 for c in row if _filled(c)) for row in rows]
    if max(filled) < 2:
        raise RegisterError(
            f"no header row in the first {len(rows)} row(s): none has two filled cells (is the "
            "file delimited by commas, semicolons, tabs or pipes?)"
        )
    score = named if max(named) >= 2 else filled
    return score.index(max(score))


def _has_letter(text: str) -> bool:
    return any(char.isalpha() for char in text)


def _with_header(raw: pl.DataFrame, index: int) -> pl.DataFrame:
    """The rows below the header, named by it, each cell checked for its size."""
    names = _names(raw.row(index), index)
    body = raw.slice(index + 1)
    body.columns = names
    if not _any_filled(body.head(1000)) and not _any_filled(body):
        raise _nothing_below(index)
    body = body.with_row_index(ROW, offset=index + 2).with_columns(pl.col(ROW).cast(pl.Int64))
    _check_cell_sizes(body, names)
    return body


def _names(header: Sequence[object], index: int) -> list[str]:
    """The columns' names from the header's cells (row ``index`` from 0)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(header, start=1):
        name = " ".join(str(cell).split()) if _filled(cell) else f"column {position}"
        if len(name) > MAX_CELL:
            raise _long_cell(index + 1)
        key = normalise(name)
        if key == ROW:
            raise RegisterError(f"row {index + 1}, column {position}: {ROW!r} is a reserved name")
        if key in seen:
            raise RegisterError(
                f"row {index + 1}, columns {seen[key]} and {position}: the column {name!r} "
                "appears twice"
            )
        seen[key] = position
        names.append(name)
    return names


def _nothing_below(index: int) -> RegisterError:
    return RegisterError(f"the header is row {index + 1} and no rows of payroll follow it")


def _any_filled(frame: pl.DataFrame) -> bool:
    filled = pl.any_horizontal(pl.all().str.strip_chars().str.len_bytes() > 0).fill_null(False)
    return bool(frame.select(filled.any()).item())


def _check_cell_sizes(body: pl.DataFrame, names: Iterable[str]) -> None:
    names = list(names)
    longest = body.select(pl.col(names).str.len_bytes().max())
    for name in names:
        size = longest[name][0]
        if size is None or size <= MAX_CELL:
            continue
        chars = body[name].str.len_chars()
        if chars.max() <= MAX_CELL:  # type: ignore[operator]
            continue
        at = body.filter(chars > MAX_CELL).row(0, named=True)
        raise RegisterError(
            f"row {at[ROW]}, column {name!r}: the cell holds {len(at[name]):,} characters, more "
            f"than the {MAX_CELL:,} a spreadsheet cell holds"
        )
