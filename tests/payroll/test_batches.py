"""A register read from its file in batches of rows (``read_register_batches``) and imported a
batch at a time (``ingest_batches``) gives what the register read and imported whole gives:
every field of the result, to the cent and to the exception, whatever the batch's size. Copies,
totals rows and columns of unknown headers are found across batches."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.payroll.test_corpus import CASES, READABLE, Read, Refused, data_of, workbooks
from trueup.payroll.ingest import (
    Ingested,
    Options,
    RegisterError,
    detect_profile,
    ingest,
    ingest_batches,
    pipeline,
    read_register,
    read_register_batches,
    steps,
)
from trueup.payroll.ingest.readers import HEAD_BYTES

__all__ = ["workbooks"]  # the corpus's workbooks, written once for the module

EFFECTIVE, EXPIRATION = date(2025, 1, 1), date(2026, 1, 1)


def assert_same(batched: Ingested, whole: Ingested) -> None:
    """Every field the same. A line's cells are a set (``cells_of`` sorts them): a wide register
    read whole lists them column by column, one read in batches batch by batch."""
    for field in dataclasses.fields(Ingested):
        ours, theirs = getattr(batched, field.name), getattr(whole, field.name)
        if field.name == "cells":
            ours, theirs = ours.sort(pl.all()), theirs.sort(pl.all())
        if isinstance(theirs, pl.DataFrame):
            assert_frame_equal(ours, theirs, check_dtypes=True), field.name
        else:
            assert ours == theirs, field.name


def both(
    path: Path, options: Options, rows: int, block_bytes: int = 64
) -> tuple[Ingested, Ingested]:
    """The register imported in batches of ``rows`` rows, read from the file ``block_bytes`` at
    a time (a few rows: blocks end at many places, quoted cells among them), and whole."""
    batches = read_register_batches(path, rows, block_bytes)
    profile = detect_profile(batches.columns)
    batched = ingest_batches(batches, profile, options)
    frame = read_register(path.read_bytes(), path.name)
    assert frame.columns == batches.columns
    return batched, ingest(frame, detect_profile(frame.columns), options)


@pytest.mark.parametrize(("rows", "block_bytes"), [(1, 16), (3, 4096)])
@pytest.mark.parametrize("case", READABLE, ids=[case.file for case in READABLE])
def test_every_readable_corpus_file_imported_in_batches_gives_what_it_gives_whole(
    case: Any, rows: int, block_bytes: int, workbooks: Path, tmp_path: Path
) -> None:
    assert isinstance(case.outcome, Read)
    path = tmp_path / case.file
    path.write_bytes(data_of(case, workbooks))
    for basis in ("check", "earned"):
        options = Options(EFFECTIVE, EXPIRATION, basis=basis, **case.outcome.options)
        batched, whole = both(path, options, rows, block_bytes)
        assert_same(batched, whole)


REFUSED = [case for case in CASES if isinstance(case.outcome, Refused)]


@pytest.mark.parametrize("case", REFUSED, ids=[case.file for case in REFUSED])
def test_every_corpus_file_refused_whole_is_refused_when_read_in_batches_with_the_same_reason(
    case: Any, workbooks: Path, tmp_path: Path
) -> None:
    assert isinstance(case.outcome, Refused)
    path = tmp_path / case.file
    path.write_bytes(data_of(case, workbooks))
    with pytest.raises(RegisterError) as refused:
        batches = read_register_batches(path, 2, 64)
        ingest_batches(batches, detect_profile(batches.columns), Options(EFFECTIVE, EXPIRATION))
    assert case.outcome.fragment in refused.value.message


HEADER = "employee,employee_id,state,class,check_date,earnings_code,amount,officer\n"


def long_register(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def wide_register(tmp_path: Path, amounts: str, rows: list[str]) -> Path:
    """An ADP custom report with these amount columns (a header's names, comma-separated)."""
    path = tmp_path / "wide.csv"
    header = f"Payroll Name,File Number,Pay Date,Worked In State,Workers Comp Code,{amounts}\n"
    path.write_text(header + "".join(f"{row}\n" for row in rows))
    return path


def test_a_copy_of_a_row_in_an_earlier_batch_is_named_a_duplicate_and_left_out(
    tmp_path: Path,
) -> None:
    path = long_register(
        tmp_path,
        [
            "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,overtime,150.00,",
            "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",  # a copy of row 2, two batches on
            "Ann Lee,E1,IN,8810,2025-03-14,regular,1200.00,",  # another check: not a copy
        ],
    )
    batched, whole = both(path, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    assert batched.exceptions.select("row", "kind").rows() == [(5, "duplicate")]
    assert batched.totals == {"overtime_total": 15000, "regular": 330000}
    assert (batched.rows_read, batched.rows_used, batched.rows_excepted) == (5, 4, 1)


def test_every_later_copy_of_a_row_is_left_out_and_the_register_is_read_again_only_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies across batches are known once every batch is read: the register is imported a
    second time with them left out, and only a register that has some is. (The rows' hashes
    are written a batch at a time here, where a large register's are written a million rows at
    a time.)"""
    monkeypatch.setattr(steps, "HELD_ROWS", 2)
    rows = [
        "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",
        "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,",
        "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",  # a copy of row 2, a batch on
        "Cy Dunn,E3,IN,8810,2025-03-07,regular,100.00,",
        "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",  # and another, three batches on
    ]
    copied, passes = imported_in_batches(tmp_path, rows)
    assert passes == 2
    duplicates = copied.exceptions.filter(pl.col("kind") == "duplicate")
    assert duplicates.get_column("row").to_list() == [4, 6]
    assert copied.totals == {"regular": 220000}
    _, passes = imported_in_batches(tmp_path, rows[:2] + rows[3:4])
    assert passes == 1


def test_a_second_pass_imports_again_only_the_batches_that_hold_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch's part is written aside: a batch imported again takes the place of what it
    gave the first time, and the others are read back as they were. (The batches are put
    together two at a time here, where a large register's are put together 32 at a time.)"""
    monkeypatch.setattr(pipeline, "FOLDED", 2)
    imported: list[int] = []
    part = pipeline._part

    def counted(held: list[pl.DataFrame], *rest: Any, **named: Any) -> Any:
        if not named:  # a batch's (the whole import names its first label)
            imported.append(held[0].item(0, "_row"))
        return part(held, *rest, **named)

    monkeypatch.setattr(pipeline, "_part", counted)
    rows = [f"Emp {n},E{n},IN,8810,2025-03-07,regular,{n}00.00," for n in range(1, 7)]
    # Batches of a row: rows 2 to 8, the last a copy of the first.
    copied, _ = imported_in_batches(tmp_path, [*rows, rows[0]], size=1)
    assert imported == [2, 3, 4, 5, 6, 7, 8, 8]
    assert copied.exceptions.select("row", "kind").rows() == [(8, "duplicate")]
    imported.clear()
    # Copies in rows 4 and 6, and a grand total below them of every row.
    total = "Grand Total,,,,,,1400.00,"
    copied, _ = imported_in_batches(
        tmp_path, [rows[0], rows[1], rows[0], rows[2], rows[1], total], size=1
    )
    assert imported == [2, 3, 4, 5, 6, 7, 4, 6]
    duplicates = copied.exceptions.filter(pl.col("kind") == "duplicate")
    assert duplicates.get_column("row").to_list() == [4, 6]
    assert copied.totals == {"regular": 60000}


def imported_in_batches(tmp_path: Path, rows: list[str], size: int = 2) -> tuple[Ingested, int]:
    """A long register of these rows imported in batches of ``size`` rows, the same as whole;
    and how many times it was read from its first row."""
    path = long_register(tmp_path, rows)
    batches = read_register_batches(path, size, 64)
    passes = []

    def counted() -> Iterator[pl.DataFrame]:
        passes.append(1)
        return batches()

    options = Options(EFFECTIVE, EXPIRATION)
    batched = ingest_batches(counted, detect_profile(batches.columns), options)
    whole = ingest(read_register(path.read_bytes(), path.name), batched.profile, options)
    assert_same(batched, whole)
    return batched, len(passes)


def test_a_wide_rows_copy_in_another_batch_is_found_whatever_its_amounts_order(
    tmp_path: Path,
) -> None:
    path = wide_register(
        tmp_path,
        "REG_Regular_Earnings,OT_Overtime_Earnings",
        [
            "Lee Ann,100,03/07/2025,IN,8810,1200.00,80.00",
            "Cruz Bob,200,03/07/2025,IN,5403,900.00,",
            "Lee Ann,100,03/07/2025,IN,8810,1200.00,80.00",  # a copy of row 2
            "Lee Ann,100,03/07/2025,IN,8810,80.00,1200.00",  # the amounts swapped: no copy
        ],
    )
    batched, whole = both(path, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    assert batched.exceptions.select("row", "column", "kind").rows() == [(4, "", "duplicate")]


def test_a_grand_total_at_the_end_is_checked_against_the_rows_of_every_batch_above_it(
    tmp_path: Path,
) -> None:
    path = long_register(
        tmp_path,
        [
            "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,",
            "Total 8810,,,,,,1200.00,",
            "Cy Dunn,E3,IN,8810,2025-03-07,regular,100.00,",
            "Grand Total,,,,,,2300.00,",
        ],
    )
    batched, whole = both(path, Options(EFFECTIVE, EXPIRATION), rows=2)
    assert_same(batched, whole)
    assert [(t["label"], t["stated_cents"], t["summed_cents"]) for t in batched.stated_totals] == [
        ("Total 8810", 120000, 120000),
        ("Grand Total", 230000, 220000),
    ]


def test_an_unknown_column_with_text_in_a_later_batch_is_not_read_as_earnings_in_any(
    tmp_path: Path,
) -> None:
    path = wide_register(
        tmp_path,
        "REG_Regular_Earnings,Shift Note",
        [
            "Lee Ann,100,03/07/2025,IN,8810,1200.00,15.00",
            "Cruz Bob,200,03/07/2025,IN,5403,900.00,night",
        ],
    )
    batched, whole = both(path, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    assert batched.unmapped == []
    assert batched.totals == {"regular": 210000}


def test_answers_exclusions_and_unmapped_codes_are_gathered_across_batches(
    tmp_path: Path,
) -> None:
    path = long_register(
        tmp_path,
        [
            "Ann Lee,E1,,,2025-03-07,regular,1200.00,",
            "Ann Lee,E1,,,2025-03-07,XQ,10.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,xq,5.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,Meals_Lodging,7.00,",
            "Cy Dunn,E3,IN,8810,2025-03-07,meals_lodging,3.00,",
            "Di Eng,E4,OH,9079,2025-03-07,regular,400.00,",
            "Ed Fox,E5,IN,8810,2025-03-07,regular,300.00,",
        ],
    )
    options = Options(
        EFFECTIVE,
        EXPIRATION,
        employee_classes={"E1": ("IN", "8810")},
        excluded_employees={"E5": "another company's"},
        states=("IN",),
        excluded_codes={"meals_lodging": "meals are the caterer's"},
        class_problem=lambda _, code: "no rate" if code.endswith("9") else None,
    )
    batched, whole = both(path, options, rows=1)
    assert_same(batched, whole)
    assert batched.unmapped == [
        {"code": "XQ", "column": "amount", "rows": 2, "first_row": 3, "cents": 1500}
    ]
    assert batched.excluded == [
        {"code": "Meals_Lodging", "reason": "meals are the caterer's", "rows": 2, "cents": 1000}
    ]
    assert batched.inferred == [
        {"state": "IN", "source": "the employee table", "employees": 1, "rows": 1, "cents": 120000}
    ]


def test_the_rows_are_numbered_as_when_read_whole_with_title_rows_and_line_breaks_in_cells(
    tmp_path: Path,
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "Payroll register\n\n"
        + HEADER
        + '"Lee, Ann",E1,IN,8810,2025-03-07,regular,1200.00,\n'
        + '"Cruz,\nBob",E2,IN,5403,2025-03-07,regular,900.00,\n'
        + "Cy Dunn,E3,IN,8810,2025-03-07,regular,bad,\n"
    )
    batches = read_register_batches(path, 1, 16)
    rows = [frame.get_column("_row").to_list() for frame in batches()]
    assert rows == [[4], [5], [6]]
    batched, whole = both(path, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    assert batched.exceptions.select("row", "kind").rows() == [(6, "bad_amount")]


def test_a_row_with_text_beyond_the_header_is_refused_with_its_row_in_a_later_batch(
    tmp_path: Path,
) -> None:
    path = long_register(
        tmp_path,
        [
            "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,,",  # an empty cell beyond: read
            "Cy Dunn,E3,IN,8810,2025-03-07,regular,1,234.00,Y",  # a separator unquoted: refused
        ],
    )
    with pytest.raises(RegisterError, match="row 4, column 9") as whole:
        read_register(path.read_bytes(), path.name)
    batches = read_register_batches(path, 1, 16)
    with pytest.raises(RegisterError, match=re.escape(whole.value.message)):
        ingest_batches(batches, detect_profile(batches.columns), Options(EFFECTIVE, EXPIRATION))


def test_a_register_larger_than_an_upload_in_another_encoding_is_refused_saying_what_to_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trueup.payroll.ingest.stream.MAX_BYTES", HEAD_BYTES)
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "Zoë Ñúñez,E1,IN,8810,2025-03-07,regular,1.00,\n" * 30_000).encode("cp1252")
    )
    with pytest.raises(RegisterError, match="CSV UTF-8"):
        read_register_batches(path)


def test_a_large_file_in_utf8_at_its_start_and_not_further_on_is_refused_saying_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trueup.payroll.ingest.stream.HEAD_BYTES", 1024)  # its start: 1 kB
    path = tmp_path / "mixed.csv"
    rows = "Ann Lee,E1,IN,8810,2025-03-07,regular,1.00,\n" * 200
    path.write_bytes(
        (HEADER + rows).encode()
        + "Zoë Ñúñez,E2,IN,8810,2025-03-07,regular,1.00,\n".encode("cp1252")
    )
    batches = read_register_batches(path, 50, 1024)
    with pytest.raises(
        RegisterError, match="UTF-8 text at its start but not further on \\(after 'Zo'\\)"
    ):
        ingest_batches(batches, detect_profile(batches.columns), Options(EFFECTIVE, EXPIRATION))


def test_what_is_written_aside_during_an_import_is_gone_after_it_whether_it_ends_or_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill))
    good = long_register(
        tmp_path,
        [
            "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,",
            "Bob Cruz,E2,IN,5403,2025-03-07,regular,900.00,",
        ],
    )
    batched, whole = both(good, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    # The lines in order of state and class: Bob Cruz's 5403, then Ann Lee's 8810.
    assert [batched.cells_of(i, "gross") for i in (0, 1)] == [[(3, "amount")], [(2, "amount")]]
    assert batched.cells_of(1, "class") == [(2, "class")]
    assert list(spill.iterdir()) == []
    # A copy of a row in an earlier batch: the register imported a second time.
    copied = long_register(
        tmp_path,
        [*good.read_text().splitlines()[1:], "Ann Lee,E1,IN,8810,2025-03-07,regular,1200.00,"],
    )
    batched, whole = both(copied, Options(EFFECTIVE, EXPIRATION), rows=1)
    assert_same(batched, whole)
    assert list(spill.iterdir()) == []
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Ann Lee,E1,IN,8810,2025-03-07,regular,1,234.00,Y\n")
    batches = read_register_batches(bad, 1, 16)
    with pytest.raises(RegisterError, match="row 2, column 9"):
        ingest_batches(batches, detect_profile(batches.columns), Options(EFFECTIVE, EXPIRATION))
    assert list(spill.iterdir()) == []
