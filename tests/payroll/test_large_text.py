"""A large CSV register is read as text only at its start when it is UTF-8: what it reads as is
what decoding it whole gives, to the cell and to the refusal."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trueup.payroll.ingest import RegisterError, read_register, readers
from trueup.payroll.ingest.readers import HEAD_BYTES

HEADER = "Employee,State,Class,Gross Pay\n"
# Rows enough to fill the file's start several times over.
ROWS = 3 * HEAD_BYTES // len("Employee 000000,IN,8810,1234.56\n")


def register(last_name: str = "Lee", *, extra: str = "") -> str:
    """A register of ``ROWS`` rows; the last row's employee is named ``last_name`` and, given
    ``extra``, holds a cell beyond the header's."""
    rows = [f"Employee {n:06d},IN,8810,1234.56\n" for n in range(ROWS - 1)]
    rows.append(f"{last_name},IN,8810,99.00{',' + extra if extra else ''}\n")
    return HEADER + "".join(rows)


def read_whole(data: bytes, monkeypatch: pytest.MonkeyPatch) -> pl.DataFrame:
    """The register read with all of it decoded as text, as a file smaller than the start is."""
    with monkeypatch.context() as patched:
        patched.setattr(readers, "HEAD_BYTES", len(data) + 1)
        return read_register(data, "register.csv")


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the texts decoded while a register is read."""
    sizes: list[int] = []
    decode: Callable[[bytes], tuple[str, bytes | None]] = readers._decode

    def counted(data: bytes) -> tuple[str, bytes | None]:
        sizes.append(len(data))
        return decode(data)

    monkeypatch.setattr(readers, "_decode", counted)
    return sizes


def test_a_large_utf8_register_is_decoded_only_at_its_start_and_reads_as_when_decoded_whole(
    decoded: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = register("José Peña").encode("utf-8")
    frame = read_register(data, "register.csv")
    assert decoded and max(decoded) <= HEAD_BYTES
    assert frame.height == ROWS
    assert frame.row(-1) == (ROWS + 1, "José Peña", "IN", "8810", "99.00")
    decoded.clear()
    assert_frame_equal(frame, read_whole(data, monkeypatch))
    assert max(decoded) == len(data)


def test_a_large_utf8_register_with_a_byte_order_mark_reads_as_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = register("José Peña").encode("utf-8")
    assert_frame_equal(
        read_register(b"\xef\xbb\xbf" + data, "register.csv"), read_whole(data, monkeypatch)
    )


def test_a_large_register_that_is_not_utf8_past_its_start_is_read_as_windows_1252(
    decoded: list[int],
) -> None:
    data = register("Dan O’Brien–Peña").encode("cp1252")
    frame = read_register(data, "register.csv")
    assert max(decoded) == len(data)
    assert frame.row(-1) == (ROWS + 1, "Dan O’Brien–Peña", "IN", "8810", "99.00")


def test_a_row_far_past_the_start_with_a_cell_beyond_the_header_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = register(extra="1,234.56").encode("utf-8")
    with pytest.raises(RegisterError) as started:
        read_register(data, "register.csv")
    with pytest.raises(RegisterError) as whole:
        read_whole(data, monkeypatch)
    assert str(started.value) == str(whole.value)
    assert f"row {ROWS + 1}, column 5: the row has 6 cells but the header (row 1) has 4" in str(
        started.value
    )


def test_title_rows_running_past_the_start_are_read_from_the_whole_text(
    decoded: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Title rows of two long quoted notes with line breaks in them: the rows the header is
    # looked for in run past the start read, and a quoted note is cut there.
    note = "\n".join(["see the payroll notes"] * 1300)  # 28,599 characters, in one cell
    titles = "".join(f'"Title {n}: {note}","{note}"\n' for n in range(19))
    assert len(titles) > HEAD_BYTES
    data = (titles + register()).encode("utf-8")
    frame = read_register(data, "register.csv")
    assert decoded == [decoded[0], len(data)] and decoded[0] <= HEAD_BYTES  # the start, then all
    assert frame.columns == ["_row", "Employee", "State", "Class", "Gross Pay"]
    assert frame.row(0) == (21, "Employee 000000", "IN", "8810", "1234.56")
    assert_frame_equal(frame, read_whole(data, monkeypatch))
