"""A register file on disk read a batch of rows at a time (``read_register_batches``), for
``ingest_batches``: the memory an import holds is a batch's, whatever the file's size.

Each batch is what ``read_register`` gives for the same rows: every cell as text, the header
found among the first rows, ``_row`` the row's number in the file. Batches are read from CSV text
in UTF-8 (the encoding spreadsheets and payroll systems write by default); a workbook, or text in
another encoding, is read whole as an upload is, within the same limit, and a larger one is
refused with what to save it as instead.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from trueup.payroll.ingest.readers import (
    HEAD_BYTES,
    MAX_BYTES,
    ROW,
    WORKBOOK_MAGIC,
    RegisterError,
    _any_filled,
    _blank,
    _check_cell_sizes,
    _check_records,
    _decode,
    _delimiter,
    _header_index,
    _long_cell,
    _names,
    _nothing_below,
    _polars_csv,
    _to_line_end,
    _top_records,
    read_register,
)

# How many rows a batch holds: an import's working memory is one to two kilobytes a row of a
# batch (a wide register's rows hold many amounts), and fewer rows a batch cost more batches'
# fixed work.
BATCH_ROWS = 250_000
# The most of the file parsed at once (about a batch of rows, told from the rows at its start).
BLOCK_BYTES = 64 * 1024 * 1024


class RegisterBatches:
    """A register on disk, read again from its first row each time it is called: an iterator of
    frames of at most ``rows`` rows each. ``columns`` are the frame's columns (``_row`` first), as
    ``read_register`` names them."""

    def __init__(self, path: Path, rows: int | None = None, block_bytes: int | None = None) -> None:
        self.path = path
        self.rows = rows or BATCH_ROWS
        self.block_bytes = block_bytes or BLOCK_BYTES
        self.whole: pl.DataFrame | None = None
        head = _head(path)
        text = "" if head.startswith(WORKBOOK_MAGIC) or not _streamable(head) else _decode(head)[0]
        # A workbook, another encoding, or classic Mac line ends: read whole, as an upload.
        if not text or ("\n" not in text and "\r" in text):
            self.whole = _read_whole(path)
            self.columns = self.whole.columns
            return
        self.delimiter = _delimiter(text)
        top, too_long = _top_records(text, self.delimiter)
        if not top and too_long:
            raise _long_cell(too_long)
        self.index = _header_index([tuple(record) for record in top])
        self.width = len(top[self.index])
        self.names = _names(top[self.index], self.index)
        # A block of about a batch's rows, as long as the rows at the file's start.
        per_row = len(head) / max(1, head.count(b"\n"))
        if not block_bytes:
            self.block_bytes = min(BLOCK_BYTES, max(1, int(self.rows * per_row * 1.05)))
        self.schema = [f"c{i}" for i in range(self.width)]
        self.columns = [ROW, *self.names]

    def __call__(self) -> Iterator[pl.DataFrame]:
        if self.whole is not None:
            for start in range(0, self.whole.height, self.rows):
                yield self.whole.slice(start, self.rows)
            return
        filled = False
        for frame in self._frames():
            for start in range(0, frame.height, self.rows):
                batch = frame.slice(start, self.rows)
                if not filled:
                    cells = batch.drop(ROW)
                    filled = _any_filled(cells.head(1000)) or _any_filled(cells)
                yield batch
        if not filled:
            raise _nothing_below(self.index)

    def _frames(self) -> Iterator[pl.DataFrame]:
        """The rows below the header, a block of the file at a time, named by the header and
        numbered as the whole file's rows."""
        names = dict(zip(self.schema, self.names, strict=True))
        records = 0  # the records in the blocks before, the header's and those above it included
        for raw in self._read_ahead(_blocks(self.path, self.block_bytes)):
            frame = raw.rename(names).with_row_index(ROW, offset=records + 1)
            records += raw.height
            if records <= self.index + 1:
                continue
            frame = frame.filter(pl.col(ROW) > self.index + 1)
            frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
            _check_cell_sizes(frame, self.names)
            yield frame

    def _read_ahead(self, blocks: Iterator[bytes]) -> Iterator[pl.DataFrame]:
        """Each block parsed, the next one parsed on another thread while this one's rows are
        imported (Polars lets go of the interpreter while it parses): two blocks at most are
        held."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead: Future[pl.DataFrame] | None = None
            for block in blocks:
                parsing = pool.submit(self._parsed, block)
                del block
                if ahead is not None:
                    yield ahead.result()
                ahead = parsing
            if ahead is not None:
                yield ahead.result()

    def _parsed(self, block: bytes) -> pl.DataFrame:
        try:
            return _polars_csv(block, self.delimiter, self.width, ragged=False)
        except pl.exceptions.PolarsError:
            _check_utf8(block)
            # Find what is wrong, row by row, and read on if it was only trailing empty cells.
            with self.path.open(encoding="utf-8-sig", newline="") as lines:
                _check_records(lines, self.delimiter, self.index + 1, self.width)
            try:
                return _polars_csv(block, self.delimiter, self.width, ragged=True)
            except pl.exceptions.PolarsError as error:
                detail = str(error).strip().splitlines()[0]
                raise RegisterError(f"the file cannot be read as CSV: {detail}") from error


def _blocks(path: Path, size: int) -> Iterator[bytes]:
    """The file in blocks of about ``size`` bytes, each ending where a record ends: at a line
    end outside quotes (the quotes before it are even in number; a quoted cell may hold line
    ends). A record longer than a block is held until it ends. The UTF-8 byte-order mark is left
    out."""
    held: list[bytes] = []  # what is read and not yet given: no record ends in it
    quotes = 0  # the quotes in ``held``
    with path.open("rb") as file:
        chunk = file.read(size)
        if chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[len(codecs.BOM_UTF8) :]
        while chunk:
            end = _record_end(chunk, quotes)
            if end < 0:
                held.append(chunk)
                quotes += chunk.count(b'"')
            else:
                yield b"".join([*held, chunk[: end + 1]])
                held = [chunk[end + 1 :]]
                quotes = held[0].count(b'"')
            chunk = file.read(size)
    rest = b"".join(held)
    if rest.strip(b"\r\n"):
        yield rest


def _record_end(data: bytes, quotes: int) -> int:
    """The last line end in ``data`` outside quotes (``quotes`` before it), or -1."""
    end = data.rfind(b"\n")
    while end >= 0:
        if (quotes + data.count(b'"', 0, end)) % 2 == 0:
            return end
        end = data.rfind(b"\n", 0, end)
    return -1


def read_register_batches(
    path: Path, rows: int | None = None, block_bytes: int | None = None
) -> RegisterBatches:
    """A register file on disk, read ``rows`` rows at a time (``RegisterBatches``), parsed a
    block of ``block_bytes`` at a time (``BATCH_ROWS`` and ``BLOCK_BYTES`` unless given).
    Refused as ``read_register`` refuses a file: one that is empty, not text, or without a
    header."""
    return RegisterBatches(path, rows, block_bytes)


def _head(path: Path) -> bytes:
    """The file's start, cut at its last line end (a character's bytes are never split)."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if _blank(head):
        raise RegisterError("the file is empty")
    return head if len(head) < HEAD_BYTES else _to_line_end(head)


def _check_utf8(block: bytes) -> None:
    """A file whose start is UTF-8 and whose later text is not (a name typed in another
    encoding) is refused, saying where: its text cannot be told."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as error:
        text = block[max(0, error.start - 40) : error.start].decode("utf-8", errors="replace")
        after = text.splitlines()[-1] if text.strip() else ""
        raise RegisterError(
            f"the file is UTF-8 text at its start but not further on (after {after!r}): save "
            "the register as CSV UTF-8"
        ) from error


def _streamable(head: bytes) -> bool:
    """Whether the file is UTF-8 text (its start, as far as it can be told from it)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_whole(path: Path) -> pl.DataFrame:
    if path.stat().st_size > MAX_BYTES:
        raise RegisterError(
            f"the file is {path.stat().st_size // 1_048_576} MB and is not CSV text in UTF-8: a "
            "register this large is read in parts only as CSV UTF-8 (in Excel: Save As, CSV "
            "UTF-8); a workbook or text in another encoding may be up to 200 MB"
        )
    return read_register(path.read_bytes(), path.name)


__all__ = ["BATCH_ROWS", "RegisterBatches", "read_register_batches"]
