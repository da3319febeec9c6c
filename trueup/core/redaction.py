"""What the portal does with an upload before anyone sees it: find the social security numbers
in it so that a masked copy can be shown in its place. Its type is told first, by
``trueup.core.uploads``.

This module is pure: it is given bytes and a file name and returns values; saving, serving and
showing are the caller's work. (The one exception is the PDF printer, imported only when a
redacted PDF has to be made.)

Social security numbers are found in text, CSV, PDF text and every sheet of a workbook:

- ``AAA-GG-SSSS`` or ``AAA GG SSSS`` (a dash-like character or a space, the same one twice), not
  inside a longer run of digits and dashes, so FEINs (``12-3456789``), phone numbers, dates and
  account numbers are left alone.
- nine digits in a row only when labelled: "SSN", "SS#", "SS No", "Soc Sec" or "Social Security"
  ends at most 25 characters before them on the same line, or (CSV and workbooks) their column's
  header holds such a label. In such a column 7 or 8 digits count too: a spreadsheet that took
  the number for an amount dropped its leading zeros.
- individual taxpayer identification numbers (ITINs), which payrolls carry for workers without
  an SSN, are found the same ways: ``9XX-GG-SSSS`` with the group in the IRS's ITIN ranges
  (50–65, 70–88, 90–92, 94–99).
- numbers that cannot be SSNs or ITINs are skipped: area 000 or 666, group 00, serial 0000,
  and 900–999 with a group outside the ITIN ranges.

Each is masked as ``***-**-6789``: the last four digits stay, as staff use them to tell employees
apart. Images, and PDF pages without text (scans), cannot be looked into: the ``Redaction`` says
so, and ``describe`` says it in words.
"""

from __future__ import annotations

import csv
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from trueup.core.pdf import html_to_pdf
from trueup.core.spreadsheet import formula_like, safe_row
from trueup.core.uploads import ACCEPTED, Sniffed, UploadRefused, _decode, _delimiter, _records

SSN_MASK = "***-**-"  # followed by the number's last four digits: ***-**-6789
MAX_XML_PART = 100 * 1024 * 1024  # a workbook part this large is a zip bomb, not a payroll


@dataclass(frozen=True)
class Redaction:
    scanned: bool  # False when some or all of it could not be looked into (images, scans)
    found: int  # how many social security numbers
    redacted: bytes | None  # the masked copy when found > 0, else None
    redacted_kind: str  # the masked copy's kind ("csv", "text", "pdf"); "" without one


# Finding social security numbers


_DASHES = "\\-\u2010\u2011\u2012\u2013\u2212"  # PDF text often has typographic hyphens
_RUN = f"0-9{_DASHES}"
FORMATTED = re.compile(
    rf"(?<![{_RUN}])(?<![0-9]\.)"
    rf"(?P<area>[0-9]{{3}})(?P<sep>[{_DASHES} \u00a0])(?P<group>[0-9]{{2}})(?P=sep)"
    rf"(?P<serial>[0-9]{{4}})(?![{_RUN}])(?!\.[0-9])"
)
BARE = re.compile(rf"(?<![{_RUN}])(?<![0-9]\.)[0-9]{{9}}(?![{_RUN}])(?!\.[0-9])")
LABEL = re.compile(
    # Letters may not touch a label's start ("Class No" is not "SS No"); "Soc Sec" also covers
    # "Soc. Sec.", "Social Sec" and "Social Security".
    r"(?<![a-z])(?:ssns?(?![a-z])|ss\s*#|ss\s*(?:no|num|number)\b|soc(?:ial)?\.?\s*sec(?:urity)?\b)",
    re.IGNORECASE,
)
LABEL_REACH = 25  # characters from a label's end to the number it labels
BARE_CELL = re.compile(r'\s*"?\s*([0-9]{7,9})\s*"?\s*')


# The IRS issues ITINs (taxpayer numbers for people without an SSN, on many payrolls) as 9XX-GG-
# SSSS with the group in these ranges only; other 9XX numbers are neither SSN nor ITIN.
ITIN_GROUPS = frozenset(
    f"{group:02d}"
    for first, last in ((50, 65), (70, 88), (90, 92), (94, 99))
    for group in range(first, last + 1)
)


def _valid(digits: str) -> bool:
    """Whether nine digits could be an SSN or an ITIN: the SSA never issues area 000, 666 or
    9xx, group 00 or serial 0000; a 9xx number is an ITIN only with its group in the IRS's
    ranges. Numbers outside these are usually something else."""
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if serial == "0000":
        return False
    if area[0] == "9":
        return group in ITIN_GROUPS
    return area not in ("000", "666") and group != "00"


def find_ssns(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the social security numbers in the text, in order."""
    spans = [
        match.span()
        for match in FORMATTED.finditer(text)
        if _valid(match["area"] + match["group"] + match["serial"])
    ]
    spans += [
        match.span()
        for match in BARE.finditer(text)
        if _valid(match.group()) and _labelled(text, match.start())
    ]
    return sorted(spans)


def _labelled(text: str, start: int) -> bool:
    """Whether a label ends at most LABEL_REACH characters before ``start`` on the same line."""
    # Only this far back (20: room for the longest label), so long lines stay quick to scan.
    window = max(0, start - LABEL_REACH - 20)
    newline = max(text.rfind("\n", window, start), text.rfind("\r", window, start))
    if newline >= 0:
        window = newline + 1
    return any(start - label.end() <= LABEL_REACH for label in LABEL.finditer(text, window, start))


def _mask(number: str) -> str:
    return SSN_MASK + re.sub(r"[^0-9]", "", number)[-4:]


def _apply(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with each span masked; spans overlapping an earlier one are skipped."""
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces += [text[position:start], _mask(text[start:end])]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _count(spans: Sequence[tuple[int, int]]) -> int:
    count, position = 0, 0
    for start, end in sorted(spans):
        if start >= position:
            count, position = count + 1, end
    return count


def redact_text(text: str) -> tuple[str, int]:
    """The text with every social security number masked, and how many there were."""
    spans = find_ssns(text)
    return _apply(text, spans), _count(spans)


def _csv_spans(text: str, delimiter: str) -> list[tuple[int, int]]:
    """The spans ``find_ssns`` finds, and the digits alone in cells under a column header that
    holds an SSN label. A header counts wherever it is (report titles come first), and stays for
    the rest of the file."""
    spans = find_ssns(text)
    columns: set[int] = set()
    for record in _records(text, delimiter):
        for column, (start, end) in enumerate(record):
            raw = text[start:end]
            if LABEL.search(raw) and not re.search(r"[0-9]{4}", raw):
                columns.add(column)
                continue
            if column not in columns:
                continue
            cell = BARE_CELL.fullmatch(raw)
            if cell is not None and _valid(cell.group(1).zfill(9)):
                spans.append((start + cell.start(1), start + cell.end(1)))
    return spans


def _redact_csv(text: str) -> tuple[str, int]:
    delimiter = _delimiter(text) or ","
    spans = _csv_spans(text, delimiter)
    return _neutralised(_apply(text, spans), delimiter), _count(spans)


def _neutralised(text: str, delimiter: str) -> str:
    """The CSV with an apostrophe before every formula-like text cell (``trueup.core.spreadsheet``),
    changed in place so the file's quoting and every other cell stay as the insured wrote
    them. The redacted copy is one TrueUp writes and hands to agents and staff, who open it in
    a spreadsheet; the original is kept as it came."""
    inserts = []
    for record in _records(text, delimiter):
        for start, end in record:
            quoted = text.startswith('"', start) and end > start
            value = text[start + 1 : end - 1].replace('""', '"') if quoted else text[start:end]
            if formula_like(value):
                inserts.append(start + 1 if quoted else start)
    pieces, position = [], 0
    for at in inserts:
        pieces += [text[position:at], "'"]
        position = at
    pieces.append(text[position:])
    return "".join(pieces)


# Redacting an upload


def redact(data: bytes, sniffed: Sniffed) -> Redaction:
    """Look for social security numbers in the upload and make a masked copy if there are any.
    Raises ``UploadRefused`` for a PDF or workbook that cannot be read."""
    if sniffed.kind in ("text", "csv"):
        text = _decode(data)
        if text is None:  # sniff said it was text; only a mix-up of files gets here
            raise UploadRefused(
                f'The file "{sniffed.filename}" is not a file type we accept: {ACCEPTED}.'
            )
        masked, found = _redact_csv(text) if sniffed.kind == "csv" else redact_text(text)
        return _redaction(True, found, masked.encode("utf-8"), sniffed.kind)
    if sniffed.kind == "pdf":
        return _redact_pdf(data, sniffed.filename)
    if sniffed.kind == "xlsx":
        return _redact_workbook(data, sniffed.filename)
    return Redaction(scanned=False, found=0, redacted=None, redacted_kind="")


def _redaction(scanned: bool, found: int, copy: bytes, kind: str) -> Redaction:
    if not found:
        return Redaction(scanned=scanned, found=0, redacted=None, redacted_kind="")
    return Redaction(scanned=scanned, found=found, redacted=copy, redacted_kind=kind)


def describe(redaction: Redaction) -> str:
    """One plain sentence on what was found, for the person who uploaded and for staff."""
    if redaction.found:
        numbers = "number" if redaction.found == 1 else "numbers"
        note = (
            f"{redaction.found} social security {numbers} found; "
            "a redacted copy is shown instead of the original."
        )
        if not redaction.scanned:
            note += " Some pages are pictures and were not checked."
        return note
    if not redaction.scanned:
        return "Not checked for social security numbers: images and scanned pages cannot be read."
    return "No social security numbers found."


# PDF


def _redact_pdf(data: bytes, filename: str) -> Redaction:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))  # tries the empty password itself
        pages = [page.extract_text() or "" for page in reader.pages]
    except pypdf.errors.FileNotDecryptedError:
        raise UploadRefused(
            f'The file "{filename}" could not be read as a PDF: it is password-protected; '
            "upload a copy without the password."
        ) from None
    except Exception as error:  # pypdf raises many kinds of error on damaged files
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise UploadRefused(
            f'The file "{filename}" could not be read as a PDF: {detail or type(error).__name__}; '
            "if it is password-protected, upload a copy without the password."
        ) from error
    # A page without text is a scan (or blank): it could hold numbers no one looked at.
    scanned = bool(pages) and all(page.strip() for page in pages)
    masked = [redact_text(page) for page in pages]
    found = sum(count for _, count in masked)
    if not found:
        return Redaction(scanned=scanned, found=0, redacted=None, redacted_kind="")
    copy = html_to_pdf(_redacted_html(filename, [text for text, _ in masked]))
    return Redaction(scanned=scanned, found=found, redacted=copy, redacted_kind="pdf")


def _redacted_html(filename: str, pages: Sequence[str]) -> str:
    sections = []
    for number, text in enumerate(pages, start=1):
        body = html.escape(text) if text.strip() else "(No text could be read from this page.)"
        sections.append(
            "<section>"
            f"<h1>Redacted copy of {html.escape(filename)} — page {number} of {len(pages)}.</h1>"
            "<p>Social security numbers are masked; the original is kept for the audit staff.</p>"
            f"<pre>{body}</pre>"
            "</section>"
        )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        "@page { size: letter; margin: 0.75in }"
        "body { font-family: sans-serif; font-size: 10pt }"
        "h1 { font-size: 11pt; margin: 0 0 4pt }"
        "p { margin: 0 0 10pt; color: #444 }"
        "pre { font-family: monospace; font-size: 9pt; white-space: pre-wrap }"
        "section + section { break-before: page }"
        "</style></head><body>" + "".join(sections) + "</body></html>"
    )


# Workbooks


def _redact_workbook(data: bytes, filename: str) -> Redaction:
    """Every sheet's cells, as CSV text, looked through like a CSV upload. The masked copy is
    CSV: one sheet as it is, several one after another, each under a row naming it."""
    try:
        sheets = [(name, rows) for name, rows in _workbook_sheets(data, filename) if rows]
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as error:
        raise UploadRefused(
            f'The file "{filename}" could not be read as an Excel workbook: {error}; save it '
            "again in Excel and upload that."
        ) from error
    parts, found = [], 0
    for name, rows in sheets:
        masked, count = _redact_csv(_csv_text(rows))
        found += count
        parts.append(_csv_text([[f"Sheet: {name}"]]) + masked if len(sheets) > 1 else masked)
    return _redaction(True, found, "\n".join(parts).encode("utf-8"), "csv")


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    """The rows as CSV, each text cell safe for a spreadsheet (the masked copy is opened in
    one)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(safe_row(row) for row in rows)
    return out.getvalue()


def _local(tag: str) -> str:
    """An element's or attribute's name without its namespace: transitional and strict OOXML
    use different ones."""
    return tag.rsplit("}", 1)[-1]


def _part(archive: zipfile.ZipFile, path: str, filename: str) -> ElementTree.Element:
    if archive.getinfo(path).file_size > MAX_XML_PART:
        raise UploadRefused(
            f'The file "{filename}" is too large to check: a sheet holds more than 100 MB.'
        )
    # Python's expat refuses entity expansion bombs and never fetches external entities.
    return ElementTree.fromstring(archive.read(path))


def _workbook_sheets(data: bytes, filename: str) -> list[tuple[str, list[list[str]]]]:
    """Each sheet's name and rows of cell text (rows without cells left out), in tab order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            shared = [
                _text(item)
                for item in _part(archive, "xl/sharedStrings.xml", filename)
                if _local(item.tag) == "si"
            ]
        return [
            (name, _rows(_part(archive, path, filename), shared))
            for name, path in _sheet_paths(archive, names, filename)
            if path in names
        ]


def _sheet_paths(archive: zipfile.ZipFile, names: set[str], filename: str) -> list[tuple[str, str]]:
    workbook = _part(archive, "xl/workbook.xml", filename)
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for relation in _part(archive, "xl/_rels/workbook.xml.rels", filename):
            target = relation.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[relation.get("Id", "")] = posixpath.normpath(path)
    sheets = []
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        relation_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if relation_id in targets:
            sheets.append((sheet.get("name", ""), targets[relation_id]))
    return sheets


def _text(item: ElementTree.Element) -> str:
    """A shared or inline string: its own text, or its rich-text runs' (phonetic guides, which
    repeat the text in kana, left out)."""
    pieces = []
    for child in item:
        if _local(child.tag) == "t":
            pieces.append(child.text or "")
        elif _local(child.tag) == "r":
            pieces += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(pieces)


def _rows(sheet: ElementTree.Element, shared: Sequence[str]) -> list[list[str]]:
    rows = []
    for row in sheet.iter():
        if _local(row.tag) != "row":
            continue
        cells: dict[int, str] = {}
        column = -1
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            reference = re.match(r"[A-Z]+", cell.get("r", ""))
            column = _column_index(reference.group()) if reference else column + 1
            cells[column] = _cell_text(cell, shared)
        if any(cells.values()):
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
    return rows


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _cell_text(cell: ElementTree.Element, shared: Sequence[str]) -> str:
    """The cell as stored: numbers as written (dates as day numbers), booleans as TRUE/FALSE."""
    kind = cell.get("t", "n")
    value = next((child.text or "" for child in cell if _local(child.tag) == "v"), "")
    if kind == "inlineStr":
        return "".join(_text(child) for child in cell if _local(child.tag) == "is")
    if kind == "s":
        index = int(value) if value.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else ""
    if kind == "b":
        return "TRUE" if value.strip() == "1" else "FALSE"
    return value
