"""What the portal tells of an upload before anything else: its type, from its content.

Types are told by content, never by the file's name or the browser's content type: a program
renamed ``payroll.pdf`` is still a program. Accepted are PDF, PNG, JPEG, TIFF, Excel (.xlsx), CSV
and plain text; everything else is refused with an ``UploadRefused`` whose message names the file
and says what is accepted.

This module is pure: it is given bytes and a file name and returns values.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from trueup.core.errors import InvalidInput

ACCEPTED = "PDF, PNG, JPEG, TIFF, Excel (.xlsx), CSV or text"

# kind → (content type, extension)
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "tiff": ("image/tiff", ".tiff"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "csv": ("text/csv", ".csv"),
    "text": ("text/plain", ".txt"),
}
IMAGES = frozenset({"png", "jpeg", "tiff"})


class UploadRefused(InvalidInput):
    """An upload that is not accepted; the message is shown to the user as it is."""

    code = "upload_refused"

    def __init__(self, message: str) -> None:
        super().__init__((), message)


@dataclass(frozen=True)
class Sniffed:
    kind: str  # a key of FORMATS
    content_type: str
    extension: str
    filename: str = ""  # the name given, without folders: messages and headings name it


# Telling the type


def sniff(data: bytes, filename: str) -> Sniffed:
    """The upload's kind, told by its content; raises ``UploadRefused`` for anything else."""
    name = _display_name(filename)
    the_file = f'The file "{name}"' if name else "The file"
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE):
        raise UploadRefused(f"{the_file} is empty.")

    def refuse(what: str, advice: str = "") -> UploadRefused:
        return UploadRefused(
            f"{the_file} is {what}, which is not a file type we accept: {ACCEPTED}.{advice}"
        )

    if data.startswith(b"%PDF-"):
        return _sniffed("pdf", name)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _sniffed("png", name)
    if data.startswith(b"\xff\xd8\xff"):
        return _sniffed("jpeg", name)
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return _sniffed("tiff", name)
    # A Windows program's header holds zero bytes; a text file that happens to start with "MZ"
    # (a company's initials) does not, and is read as text below.
    if data.startswith(b"\x7fELF") or (data.startswith(b"MZ") and b"\x00" in data[:64]):
        raise refuse("a program")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Office's old binary formats, and also any password-protected Office file.
        raise refuse(
            "an older Excel or Word file (.xls or .doc) or a password-protected Office file",
            " Save it as Excel (.xlsx) or PDF, without a password, and upload that.",
        )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise UploadRefused(f"{the_file} is not a file type we accept: {ACCEPTED}.") from None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            if "xl/vbaProject.bin" in names:
                # Macros run when staff open the file; a plain workbook holds the same figures.
                raise refuse(
                    "an Excel workbook with macros (.xlsm)",
                    " Save it as an Excel workbook (.xlsx) and upload that.",
                )
            return _sniffed("xlsx", name)
        if any(n.startswith(("word/", "ppt/")) for n in names):
            raise refuse("a Word or PowerPoint document", " Save it as PDF and upload that.")
        raise refuse("a ZIP archive", " Upload the files inside it one at a time.")
    text = _decode(data)
    if text is None:
        raise UploadRefused(f"{the_file} is not a file type we accept: {ACCEPTED}.")
    # Served back, markup could run in a browser; and no one's payroll is a web page.
    start = text.lstrip().lower()
    if start.startswith(("<html", "<!doctype", "<script", "<svg", "<?xml")):
        raise refuse("a web page or script (HTML)")
    if name.lower().endswith((".csv", ".tsv")) or _delimiter(text) is not None:
        return _sniffed("csv", name)
    return _sniffed("text", name)


def _sniffed(kind: str, name: str) -> Sniffed:
    content_type, extension = FORMATS[kind]
    return Sniffed(kind, content_type, extension, name)


def _display_name(filename: str) -> str:
    """The name without folders (old browsers sent the whole path) or control characters."""
    name = re.split(r"[\\/]", filename)[-1]
    return "".join(char for char in name if char.isprintable()).strip()[:200]


def _decode(data: bytes) -> str | None:
    """The text, if the bytes are text: UTF-8 (with or without a byte-order mark), UTF-16 with a
    byte-order mark, or else Windows-1252 (older exports); None for anything else."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")  # strict: its five undefined bytes are not text
    except UnicodeDecodeError:
        return None
    sample = text[:65536]
    if "\x00" in sample:
        return None
    # A few stray control characters happen in exports (form feeds, a DOS end-of-file mark);
    # more than one in fifty characters is binary data that decoded by chance.
    control = sum(
        1
        for char in sample
        if (char < " " and char not in "\t\n\r\f\x1a") or "\x7f" <= char <= "\x9f"
    )
    return None if control * 50 > len(sample) else text


# Delimited text


DELIMITERS = ",\t;|"  # in order of preference when two split the first lines equally well
SNIFF_RECORDS = 20


def _field_pattern(delimiter: str) -> re.Pattern[str]:
    # A field: an optional quoted part ("" is a quote inside it; an unclosed quote runs to the
    # end), then anything up to the next delimiter or line end.
    d = re.escape(delimiter)
    return re.compile(rf'(?:"[^"]*(?:""[^"]*)*"?)?[^{d}\r\n]*')


def _records(text: str, delimiter: str) -> Iterator[list[tuple[int, int]]]:
    """Each record's fields as (start, end) spans of the text, quotes included, so that a cell
    can be changed in place without disturbing the file's quoting."""
    field = _field_pattern(delimiter)
    position, record = 0, []
    while True:
        match = field.match(text, position)
        end = match.end() if match else position
        record.append((position, end))
        if end >= len(text):
            yield record
            return
        if text[end] == delimiter:
            position = end + 1
            continue
        position = end + (2 if text.startswith("\r\n", end) else 1)
        yield record
        record = []
        if position >= len(text):
            return


def _delimiter(text: str) -> str | None:
    """The delimiter that splits the first records into the same number of fields, in at least
    three records of four; None when none does (prose, a single column)."""
    sample = text[:16384]
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        records = list(islice(_records(sample, delimiter), SNIFF_RECORDS + 1))
        if len(sample) < len(text):
            records = records[:-1]  # the last may be cut short by the sample's end
        widths = [
            len(record) - 1
            for record in records[:SNIFF_RECORDS]
            if len(record) > 1 or sample[record[0][0] : record[0][1]].strip()
        ]
        if len(widths) < 2:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width >= 1 and count * 4 >= len(widths) * 3 and (best is None or count > best[0]):
            best = (count, delimiter)
    return best[1] if best else None
