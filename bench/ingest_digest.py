"""Whether a change to the payroll import changed any result: the same registers imported by this
checkout and by another, every field of the result compared.

A change meant to make the import faster or leaner must leave every result as it was. This script
makes a few registers once, imports each with both checkouts, each in a process of its own (the
other checkout's by putting it first on ``PYTHONPATH``), on the check-date and on the earned
basis, and compares a digest of every field of ``Ingested``: the engine's lines, the employees,
the exceptions, the totals by category and by quarter, the cells behind each line, the unmapped,
excluded and unresolved amounts, the states inferred, the register's own totals, what was left
out and the row counts.

The registers (made under /tmp from a seed, and made again only when missing):

- the ingest bench's long register (``bench/ingest.py``: ``--rows``, 200,000 by default);
- a messy copy of its first 60,000 rows: rows repeated, zero amounts twice, rows with no name,
  rows with no name and a bad date twice, bad and missing check dates, negative amounts;
- the bench's wide ADP register (30,000 rows) with rows repeated, rows with no name twice and
  bad pay dates; and one whose rows hold a single amount each, some repeated.

Each register is imported on the check-date and the earned basis, and once more with the
auditor's answers (``answered``): every fifth row's state and class emptied, an employee table
giving them, employees left out, officers named, the policy's states and a class without a rate.

It prints each field's digest where the two differ, and SAME or DIFFERENT for each register and
way of importing it; the exit status is 1 when any differs.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/ingest_digest.py --against /tmp/before [--rows 200000] [--batches 7]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ingest as bench  # bench/ingest.py: the bench's registers
import machine  # bench/machine.py: a child process on another checkout
import polars as pl

import trueup.payroll.ingest as importer  # an older checkout may have no ``ingest_batches``
from trueup.payroll.ingest import Options, Profile, detect_profile, ingest, read_register

WAYS = ("check", "earned", "answers")
FIELDS = (
    "lines",
    "employees",
    "exceptions",
    "totals",
    "quarters",
    "cells",
    "unmapped",
    "excluded",
    "unresolved",
    "inferred",
    "stated_totals",
    "left_out",
    "rows_read",
    "rows_used",
    "rows_excepted",
)


# ------------------------------------------------------------------------------------------
# The registers


def read_rows(path: Path, limit: int) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        header = next(rows)
        return header, [row for _, row in zip(range(limit), rows, strict=False)]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\n").writerows([header, *rows])


def spliced(
    rows: list[list[str]], seed: int, extra: Callable[[list[str], float], list[list[str]]]
) -> list[list[str]]:
    """Each row, followed by the rows ``extra`` makes of a copy of it and a random draw."""
    rng = random.Random(seed)
    return [new for row in rows for new in (row, *extra(list(row), rng.random()))]


def messy_long(source: Path, path: Path) -> None:
    """The long register's first rows with what an import leaves out, each kind repeated."""
    header, rows = read_rows(source, 60_000)
    name, number, check, amount = (
        header.index(c) for c in ("employee", "employee_id", "check_date", "amount")
    )

    def extra(row: list[str], draw: float) -> list[list[str]]:
        if draw < 0.02:
            return [row]  # the same line again
        if draw < 0.03:
            row[amount] = "0.00"
            return [row, list(row)]  # a zero, twice
        if draw < 0.04:
            row[name] = row[number] = ""
            return [row]  # no name
        if draw < 0.05:
            row[check] = "13/45/2025"
            return [row]  # not a date
        if draw < 0.055:
            row[check], row[amount] = "", "0"
            return [row]  # an undated zero
        if draw < 0.06:
            row[name] = row[number] = ""
            row[check] = "bad"
            return [row, list(row)]  # no name and no date, twice
        if draw < 0.065:
            row[amount] = "-" + row[amount].lstrip("-")
            return [row]  # a negative amount
        return []

    write_rows(path, header, spliced(rows, 3, extra))


def messy_wide(source: Path, path: Path) -> None:
    """The wide register's first rows with rows repeated, rows with no name and bad dates."""
    header, rows = read_rows(source, 30_000)
    name, number, pay_date = (header.index(c) for c in ("Payroll Name", "File Number", "Pay Date"))

    def extra(row: list[str], draw: float) -> list[list[str]]:
        if draw < 0.02:
            row[name] = row[number] = ""
            return [row, list(row)]  # no name, twice
        if draw < 0.04:
            return [row]  # the same row again
        if draw < 0.05:
            row[pay_date] = "31/31/2025"
            return [row]  # not a date
        return []

    write_rows(path, header, spliced(rows, 7, extra))


def single_amounts(source: Path, path: Path) -> None:
    """Rows of one amount each (regular pay), the other amount cells blank or zero, some
    repeated."""
    rng = random.Random(11)
    header, rows = read_rows(source, 20_000)
    regular = header.index("REG_Regular_Earnings")
    out = []
    for row in rows:
        changed = list(row)
        for i in range(len(bench.WIDE_FIELDS), len(changed)):
            if i != regular:
                changed[i] = "" if rng.random() < 0.8 else "0.00"
        out.append(changed)
        if rng.random() < 0.03:
            out.append(list(changed))
    write_rows(path, header, out)


def registers(rows: int) -> list[Path]:
    """The registers compared, made when missing."""
    long = bench.register_path("long", rows, 11)
    wide = bench.register_path("wide", 30_000, 11)
    if not long.exists():
        bench.generate(long, rows, 11)
    if not wide.exists():
        bench.generate_wide(wide, 30_000, 11)
    made = {
        Path(f"/tmp/trueup-digest-messy-{rows}.csv"): (messy_long, long),
        Path("/tmp/trueup-digest-messy-wide.csv"): (messy_wide, wide),
        Path("/tmp/trueup-digest-single-amounts.csv"): (single_amounts, wide),
    }
    for path, (make, source) in made.items():
        if not path.exists():
            make(source, path)
    return [long, *made]


# ------------------------------------------------------------------------------------------
# Importing and comparing


def field_digest(value: Any, name: str = "") -> str:
    if name == "cells":
        # A line's cells are a set (``Ingested.cells_of`` sorts them): a register read whole
        # lists a wide register's cells column by column, one read in batches batch by batch.
        value = value.sort(pl.all())
    text = value.write_csv() if isinstance(value, pl.DataFrame) else json.dumps(value, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def import_digests(path: Path, way: str, batches: int) -> None:
    """In the child: each field's digest of one import, as JSON; with ``batches``, the register
    imported in that many batches of rows (``ingest_batches``) instead of whole."""
    frame = read_register(path.read_bytes(), path.name)
    profile = detect_profile(frame.columns)
    if way == "answers":
        frame, options = answered(frame, profile)
    else:
        options = Options(date(2025, 1, 1), date(2026, 1, 1), basis=way)  # type: ignore[arg-type]
    if batches > 1:
        size = -(-frame.height // batches)
        result = importer.ingest_batches(
            lambda: (frame.slice(start, size) for start in range(0, frame.height, size)),
            profile,
            options,
        )
    else:
        result = ingest(frame, profile, options)
    found = {name: getattr(result, name) for name in FIELDS}
    found["cells"] = cells_as_text(result)
    print(json.dumps({name: field_digest(value, name) for name, value in found.items()}))


def cells_as_text(result: Any) -> pl.DataFrame:
    """The cells behind the lines with their line's keys written out: a checkout that numbers
    each cell's line (``line``) and one that wrote the keys on every cell compare alike."""
    cells: pl.DataFrame = result.cells
    if "line" not in cells.columns:
        return cells
    lines = pl.DataFrame(
        {
            "line": pl.Series(range(len(result.lines)), dtype=pl.UInt32),
            "state_final": [line["state"] for line in result.lines],
            "class_final": [line["class_code"] for line in result.lines],
            "state_from": [line.get("state_inferred_from", "") for line in result.lines],
            "who": [line["employee"] for line in result.lines],
        },
        schema_overrides={"state_final": pl.String, "class_final": pl.String},
    )
    written = cells.with_columns(pl.col("line").cast(pl.UInt32)).join(lines, on="line", how="left")
    return written.select(
        "state_final",
        "class_final",
        "state_from",
        "who",
        pl.col("field").cast(pl.String),
        "in_gross",
        "_row",
        pl.col("column").cast(pl.String),
        state_column=pl.lit(result.state_column),
        class_column=pl.lit(result.class_column),
    )


def answered(frame: pl.DataFrame, profile: Profile) -> tuple[pl.DataFrame, Options]:
    """The register with every fifth row's state and class emptied, and what an auditor answers
    for it: an employee table giving every third employee (by id) a state and class and every
    fourth (by name) a class, every seventeenth employee left out, every nineteenth an officer,
    the policy's states all but the register's last, and classes ending in 9 without a rate."""
    state, class_code, number, name = (
        profile.columns[field] for field in ("state", "class_code", "employee_id", "employee")
    )
    emptied = pl.col("_row") % 5 == 0
    frame = frame.with_columns(
        pl.when(emptied).then(pl.lit("")).otherwise(pl.col(c)).alias(c) for c in (state, class_code)
    )
    states = sorted(frame.get_column(state).drop_nulls().unique().to_list())
    ids = sorted(frame.get_column(number).drop_nulls().unique().to_list())
    names = sorted(frame.get_column(name).drop_nulls().unique().to_list())
    table = {e: (states[i % len(states)], "8810") for i, e in enumerate(ids) if i % 3 == 0}
    table |= {n: ("", "5183") for i, n in enumerate(names) if i % 4 == 0}
    options = Options(
        date(2025, 1, 1),
        date(2026, 1, 1),
        employee_classes=table,
        excluded_employees={e: "another company's" for i, e in enumerate(ids) if i % 17 == 0},
        officer_names=frozenset(n for i, n in enumerate(names) if i % 19 == 0),
        states=tuple(states[:-1]),
        class_problem=lambda _, code: "no rate" if code.endswith("9") else None,
    )
    return frame, options


def digests(path: Path, way: str, root: Path | None, batches: int = 1) -> dict[str, str]:
    command = [sys.executable, __file__, "--child", str(path), "--way", way]
    command += ["--batches", str(batches)]
    env = machine.checkout_env(root)
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    found: dict[str, str] = json.loads(out.splitlines()[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, required=False, help="another checkout")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the long register")
    parser.add_argument(
        "--batches",
        type=int,
        default=1,
        help="import each register in this many batches of rows in this checkout (the other "
        "imports it whole): the batches must give what the whole gives",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--way", choices=WAYS, default="check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        import_digests(args.child, args.way, args.batches)
        return
    differ = False
    for path in registers(args.rows):
        for way in WAYS:
            ours = digests(path, way, None, args.batches)
            if args.against is None:
                print(f"{path.name}, {way}: {field_digest(ours)}")
                continue
            theirs = digests(path, way, args.against)
            changed = [name for name in FIELDS if ours[name] != theirs[name]]
            verdict = f"DIFFERENT in {', '.join(changed)}" if changed else "SAME"
            print(f"{path.name}, {way}: {verdict}")
            differ = differ or bool(changed)
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
