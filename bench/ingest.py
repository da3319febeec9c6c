"""Payroll ingestion benchmark: a generated 1,000,000-row register through TrueUp's import.

Generates a register in the TrueUp template (long shape: one row per earnings line) for a policy
period from 2025-01-01 to 2026-01-01: thousands of employees over 10 states and 40 classes, paid
weekly or every two weeks from 20 December 2024 to 9 January 2026 (so some checks fall outside
the period), with regular pay, overtime and its premium, double time, tips, bonuses, commission,
time off, severance on a leaver's last check, Section 125 and 401(k) deferrals (some printed
negative), employer benefits, reimbursements, meals, a few zero amounts and unmapped codes, and
officers marked ``Y``. Amounts have two decimals, some with thousands separators ("1,234.56").
The file is cached under /tmp and made again only when missing or with ``--regenerate``.

Then, on the same file and each run in a fresh process, measures:

- the floor: Polars reads the file as text, turns the amounts into cents in the simplest way
  (this file always has two decimals), keeps the checks in the period and the non-officers, and
  sums by earnings code. It is the least work that gives the same numbers for this file: it does
  not look for duplicates, bad amounts or dates, totals rows or missing classes, as the file has
  none;
- TrueUp: ``read_register`` → ``detect_profile`` → ``ingest``, from the file's bytes on disk to
  the ``Ingested`` result (lines for the engine, employees, exceptions, totals), as an upload is
  imported; a file larger than an upload may be (200 MB) is read and imported in batches of rows
  instead (``read_register_batches`` → ``ingest_batches``), as ``trueup import-payroll`` imports
  it, and ``--batch-rows N`` reads a file of any size so;
- a plain-Python peer: ``csv.DictReader`` and ``Decimal``, row by row, with the rules of
  ``ingest`` a register like this one needs: totals rows, blank and bad amounts, unmapped codes,
  deductions by their size, zero amounts, rows without a name, duplicates, dates, the period,
  state and class, officers.

The three must agree to the cent on the totals by category (the rows in the period, not
officers, with a mapped code: ``Ingested.totals``), on gross (the categories in gross) and on
the number of rows used; the script prints AGREE or DISAGREE and exits with 1 on a disagreement.
Times are the best of ``--runs`` (the peer runs once); memory is the peak resident size
(VmHWM) of each fresh process, imports included, in MB of 2**20 bytes.
Targets: TrueUp ≤ 2× the floor (stretch ≤ 1.5×), ≥ 30× faster than the peer, peak ≤ 2 GB at any
size (`--rows 10000000`). `--peer-runs 0` leaves the peer out.

With ``--register wide`` the register is an ADP Workforce Now custom report instead: one row
per employee and pay date, a column per earnings, deduction, hours and tax code
("REG_Regular_Earnings", "401K$_Deduction", "FIT_Federal Income Tax_Taxes"), the home department
and the work state and class beside them, dates written 01/10/2025, and a rare earnings code the
ADP code set does not name (unmapped: in no total). Its floor reads the file as text, sums the
mapped columns of the rows in the period and counts the rows with a mapped amount; its peer reads
it row by row with ``csv`` and ``Decimal`` and the ADP code set. The same AGREE check applies.

    .venv/bin/python bench/ingest.py [--register long|wide] [--rows 1000000] [--seed 11]
        [--runs 3] [--regenerate]

A change to the import is measured against the checkout before it with ``--against``: the
floor and the two checkouts' imports run in turn, each in a fresh process, ``--runs`` times; the
two must agree on every total and count, and the medians are compared. On a machine whose speed
drifts, a single run of each can differ by more than the change.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/ingest.py --against /tmp/before --runs 5
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import machine  # bench/machine.py: is the machine quiet enough to measure?

if TYPE_CHECKING:
    from trueup.payroll.ingest import Ingested

EFFECTIVE = date(2025, 1, 1)
EXPIRATION = date(2026, 1, 1)
FIRST_CHECK = date(2024, 12, 20)  # a Friday: two weeks of checks before the period
LAST_CHECK = date(2026, 1, 9)  # and two after it
HEADERS = (
    "employee",
    "employee_id",
    "state",
    "class",
    "check_date",
    "period_start",
    "period_end",
    "earnings_code",
    "amount",
    "officer",
)
STATES = ("IN", "PA", "MO", "KY", "OK", "RI", "LA", "OR", "NV", "CA")
CLASSES = (
    "8810", "8742", "5645", "5403", "5474", "5190", "5183", "9082", "8017", "7219",
    "0042", "9014", "3632", "8380", "2003", "5221", "5022", "8832", "9015", "7380",
    "9079", "9058", "8868", "8833", "7228", "8391", "3724", "5606", "6217", "5551",
    "5437", "2501", "4511", "8601", "9052", "7720", "8049", "8829", "3179", "5348",
)  # fmt: skip
TIPPED = frozenset({"9079", "9058", "9082"})  # restaurants and bars
LAST_NAMES = (
    "Garcia", "Smith", "Nguyen", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
)  # fmt: skip
FIRST_NAMES = (
    "Maria", "James", "Linh", "Robert", "Ana", "Michael", "Jennifer", "David", "Patricia",
    "Jose", "Linda", "Daniel", "Elizabeth", "Carlos", "Susan", "Kevin", "Jessica", "Brian",
    "Sarah", "Luis", "Karen", "Jason", "Nancy", "Mark", "Lisa", "Steven", "Betty", "Paul",
    "Sandra", "Andrew", "Ashley", "Joshua", "Emily", "Kenneth", "Donna", "Juan", "Michelle",
    "Ryan", "Carol", "Eric", "Amanda", "Jacob", "Melissa", "Gary", "Deborah", "Nicholas",
    "Stephanie", "Tyler", "Rebecca", "Omar",
)  # fmt: skip
TARGET_FLOOR_RATIO = 2.0  # the speed issue's goal (it was 3× before)
STRETCH_FLOOR_RATIO = 1.5
TARGET_PEER_SPEEDUP = 30.0
TARGET_PEAK_MB = 2 * 1024  # at any size of register, 10,000,000 rows included


class Outcome(TypedDict):
    """What one run in a child process reports to the parent."""

    seconds: float
    totals: dict[str, int]  # cents by category
    gross_cents: int
    rows_used: int
    peak_mb: float
    base_mb: float  # resident size after the imports, before the run
    held_mb: float  # what TrueUp's result holds (``held_mb``); 0 for the others
    notes: dict[str, int]  # TrueUp's counts: rows read, lines, employees, exceptions by kind


# ------------------------------------------------------------------------------------------
# The register


def amount_text(cents: int, separators: bool) -> str:
    whole, fraction = divmod(abs(cents), 100)
    text = f"{whole:,}.{fraction:02d}" if separators else f"{whole}.{fraction:02d}"
    return f"-{text}" if cents < 0 else text


def generate(path: Path, rows: int, seed: int) -> None:
    """Employees one after the other, each with every check of their employment, until the
    register has ``rows`` rows. Names are unique up to 65,000 employees (about 8 million rows), so
    no two employees' lines can be taken for duplicates."""
    rng = random.Random(seed)
    fridays = [
        FIRST_CHECK + timedelta(weeks=n) for n in range((LAST_CHECK - FIRST_CHECK).days // 7 + 1)
    ]
    written = 0
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADERS)
        number = 0
        while written < rows:
            number += 1
            name = (
                f"{LAST_NAMES[number % 50]}, {FIRST_NAMES[(number // 50) % 50]} "
                f"{chr(65 + (number // 2500) % 26)}."
            )
            employee_id = f"E{number:06d}"
            state = rng.choice(STATES)
            class_code = rng.choice(CLASSES)
            officer = number % 150 == 7
            weekly = rng.random() < 0.6
            checks = fridays if weekly else fridays[number % 2 :: 2]
            if rng.random() < 0.15:  # hired during the year
                checks = checks[rng.randrange(len(checks)) :]
            leaver = rng.random() < 0.1
            if leaver and len(checks) > 1:
                checks = checks[: rng.randrange(1, len(checks))]
            weeks = 1 if weekly else 2
            pay = rng.randint(500_000, 1_000_000) if officer else rng.randint(40_000, 250_000)
            pay *= weeks
            separators = rng.random() < 0.5  # the export's own habit, kept for all its rows
            negative_deductions = rng.random() < 0.4
            section_125 = rng.randint(2_000, 30_000) * weeks if rng.random() < 0.6 else 0
            deferral = rng.randint(2, 8) if rng.random() < 0.45 else 0  # % of regular pay
            benefits = rng.randint(5_000, 40_000) * weeks if rng.random() < 0.3 else 0
            commissioned = rng.random() < 0.05
            tipped = class_code in TIPPED and not officer

            for index, check in enumerate(checks):
                end = check - timedelta(days=5)
                start = end - timedelta(days=7 * weeks - 1)
                lines: list[tuple[str, int]] = []
                regular = pay + rng.randint(-pay // 10, pay // 20)
                lines.append(("regular", regular))
                if not officer:
                    draw = rng.random()
                    if draw < 0.35:
                        overtime = rng.randint(2_000, 60_000) * weeks
                        lines.append(("overtime", overtime))
                        if rng.random() < 0.3:
                            lines.append(("overtime_premium", overtime // 3))
                    elif draw < 0.36:
                        lines.append(("overtime", 0))  # printed though nothing was worked
                    if rng.random() < 0.03:
                        lines.append(("double_time", rng.randint(5_000, 40_000)))
                if tipped and rng.random() < 0.9:
                    lines.append(("tips", rng.randint(5_000, 90_000) * weeks))
                if rng.random() < 0.02:
                    lines.append(("bonus", rng.randint(10_000, 500_000)))
                if commissioned:
                    lines.append(("commission", rng.randint(0, 300_000)))
                if rng.random() < 0.08:
                    code = rng.choice(("vacation", "holiday", "sick"))
                    lines.append((code, rng.randint(8_000, 200_000)))
                if rng.random() < 0.002:
                    lines.append(("military", rng.randint(10_000, 100_000)))
                if rng.random() < 0.03:
                    lines.append(("reimbursement", rng.randint(1_000, 50_000)))
                if rng.random() < 0.01:
                    lines.append(("reimbursement_unsubstantiated", rng.randint(1_000, 20_000)))
                if rng.random() < 0.01:
                    lines.append(("meals_lodging", rng.randint(1_000, 30_000)))
                if section_125:
                    amount = -section_125 if negative_deductions else section_125
                    lines.append(("section_125", amount))
                if deferral:
                    amount = regular * deferral // 100
                    lines.append(("401k", -amount if negative_deductions else amount))
                if benefits:
                    lines.append(("employer_benefits", benefits))
                if leaver and index == len(checks) - 1 and rng.random() < 0.5:
                    lines.append(("severance", rng.randint(100_000, 2_000_000)))
                if rng.random() < 0.001:
                    lines.append(("other", rng.randint(100, 10_000)))  # not in the mapping
                for code, cents in lines:
                    out.writerow(
                        (
                            name,
                            employee_id,
                            state,
                            class_code,
                            check.isoformat(),
                            start.isoformat(),
                            end.isoformat(),
                            code,
                            amount_text(cents, separators),
                            "Y" if officer else "N",
                        )
                    )
                    written += 1
                    if written == rows:
                        break
                if written == rows:
                    break
    partial.replace(path)


# ------------------------------------------------------------------------------------------
# The wide register: an ADP Workforce Now custom report

WIDE_FIELDS = (
    "Payroll Name",
    "File Number",
    "Pay Date",
    "Period Beginning Date",
    "Period Ending Date",
    "Home Department",
    "Worked In State",
    "Workers Comp Code",
)
# Each amount column, and how often a check has something in it.
WIDE_AMOUNTS = (
    "REG_Regular_Earnings",
    "OT_Overtime_Earnings",
    "DT_Double Time_Earnings",
    "B_Bonus_Earnings",
    "C_Commission_Earnings",
    "TIPS_Tips_Earnings",
    "V_Vacation_Earnings",
    "SEV_Severance_Earnings",
    "XQ_Equipment Allowance_Earnings",  # no code set names it: unmapped
    "REG_Regular_Hours",
    "401K$_Deduction",
    "S125_Section 125_Deduction",
    "MED_Medical_Deduction",
    "FIT_Federal Income Tax_Taxes",
    "Net Pay",
)


def us_date(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def wide_amounts(rng: random.Random, pay: int, tipped: bool, last: bool) -> dict[str, int]:
    """One check's amounts in cents by column (a column left out is a blank cell)."""
    regular = pay + rng.randint(-pay // 10, pay // 20)
    found = {"REG_Regular_Earnings": regular, "REG_Regular_Hours": 8_000}
    if rng.random() < 0.35:
        found["OT_Overtime_Earnings"] = rng.randint(2_000, 60_000)
    if rng.random() < 0.03:
        found["DT_Double Time_Earnings"] = rng.randint(5_000, 40_000)
    if rng.random() < 0.02:
        found["B_Bonus_Earnings"] = rng.randint(10_000, 500_000)
    if rng.random() < 0.04:
        found["C_Commission_Earnings"] = rng.randint(0, 300_000)  # a zero now and then
    if tipped and rng.random() < 0.9:
        found["TIPS_Tips_Earnings"] = rng.randint(5_000, 90_000)
    if rng.random() < 0.08:
        found["V_Vacation_Earnings"] = rng.randint(8_000, 200_000)
    if last and rng.random() < 0.5:
        found["SEV_Severance_Earnings"] = rng.randint(100_000, 2_000_000)
    if rng.random() < 0.001:
        found["XQ_Equipment Allowance_Earnings"] = rng.randint(100, 10_000)
    if rng.random() < 0.45:
        found["401K$_Deduction"] = regular * rng.randint(2, 8) // 100
    if rng.random() < 0.5:
        found["S125_Section 125_Deduction"] = rng.randint(2_000, 30_000)
    if rng.random() < 0.6:
        found["MED_Medical_Deduction"] = rng.randint(2_000, 40_000)
    found["FIT_Federal Income Tax_Taxes"] = regular // 8
    found["Net Pay"] = regular - regular // 4
    return found


def generate_wide(path: Path, rows: int, seed: int) -> None:
    """Employees one after the other, each with every check of their employment (every two
    weeks), until the report has ``rows`` rows."""
    rng = random.Random(seed)
    fridays = [
        FIRST_CHECK + timedelta(weeks=n) for n in range((LAST_CHECK - FIRST_CHECK).days // 7 + 1)
    ]
    written = 0
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow((*WIDE_FIELDS, *WIDE_AMOUNTS))
        number = 0
        while written < rows:
            number += 1
            name = (
                f"{LAST_NAMES[number % 50]}, {FIRST_NAMES[(number // 50) % 50]} "
                f"{chr(65 + (number // 2500) % 26)}."
            )
            state, class_code = rng.choice(STATES), rng.choice(CLASSES)
            department = f"D{rng.randrange(40):02d}"
            checks = fridays[number % 2 :: 2]
            if rng.random() < 0.15:  # hired during the year
                checks = checks[rng.randrange(len(checks)) :]
            if rng.random() < 0.1 and len(checks) > 1:  # left during the year
                checks = checks[: rng.randrange(1, len(checks))]
            pay = rng.randint(80_000, 500_000)
            separators = rng.random() < 0.5
            for index, check in enumerate(checks):
                end = check - timedelta(days=5)
                start = end - timedelta(days=13)
                found = wide_amounts(rng, pay, class_code in TIPPED, index == len(checks) - 1)
                cells = [
                    amount_text(found[column], separators) if column in found else ""
                    for column in WIDE_AMOUNTS
                ]
                out.writerow(
                    (
                        name,
                        f"{number:06d}",
                        us_date(check),
                        us_date(start),
                        us_date(end),
                        department,
                        state,
                        class_code,
                        *cells,
                    )
                )
                written += 1
                if written == rows:
                    break
    partial.replace(path)


def wide_categories() -> dict[str, str]:
    """Each amount column of the wide register the ADP code set reads, and its category: the
    earnings by their code, the deferral deductions; hours, taxes, other deductions and net pay
    are not pay, and the unmapped column is in no total."""
    from trueup.payroll.ingest import categories, profiles

    profile = profiles()["adp_wfn"]
    found = {}
    for column in WIDE_AMOUNTS:
        coded = profile.code_column(column)
        if coded is None:
            continue
        category = profile.codes.get(coded[0].casefold())
        holds = profile.code_columns[coded[1]]
        if category is None or holds == "ignore":
            continue
        if holds == "deductions" and not categories()[category].deduction:
            continue
        found[column] = category
    return found


def floor_wide(path: Path) -> Result:
    import polars as pl

    from trueup.payroll.ingest import categories

    mapped, known = wide_categories(), categories()
    frame = pl.read_csv(path, infer_schema=False)
    check = pl.col("Pay Date").str.to_date("%m/%d/%Y")

    def cents(column: str) -> pl.Expr:
        text = pl.col(column).str.replace_all(",", "", literal=True)
        value = text.str.replace(".", "", literal=True).cast(pl.Int64).fill_null(0)
        return value.abs() if known[mapped[column]].deduction else value

    summed = (
        frame.lazy()
        .filter((check >= EFFECTIVE) & (check < EXPIRATION))
        .select(
            *[cents(column).alias(column) for column in mapped],
            used=pl.any_horizontal([cents(column) != 0 for column in mapped]),
        )
        .select(*[pl.col(column).sum() for column in mapped], pl.col("used").sum())
        .collect()
        .row(0, named=True)
    )
    totals: dict[str, int] = defaultdict(int)
    for column, category in mapped.items():
        if summed[column]:
            totals[category] += summed[column]
    gross = sum(total for category, total in totals.items() if known[category].in_gross)
    return dict(totals), gross, int(summed["used"]), {}


def trueup_wide(path: Path) -> Result:
    return imported(path, "adp_wfn")


def peer_wide(path: Path) -> Result:
    from trueup.payroll.ingest import categories

    mapped, known = wide_categories(), categories()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    seen: set[tuple[object, ...]] = set()
    used = 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            who = (row["Payroll Name"] or "").strip() or (row["File Number"] or "").strip()
            amounts: dict[str, Decimal] = {}
            for column, category in mapped.items():
                text = (row[column] or "").strip()
                if not text:
                    continue
                amount = parse_amount(text)
                if amount is None:
                    break  # a row with a bad amount is left out as a whole
                amount = abs(amount) if known[category].deduction else amount
                if amount:
                    amounts[column] = amount
            else:
                check = parse_date(row["Pay Date"] or "", ("%m/%d/%Y",))
                state = (row["Worked In State"] or "").strip()
                class_code = (row["Workers Comp Code"] or "").strip()
                key = (who, check, state, class_code, tuple(sorted(amounts.items())))
                if not who or not amounts or key in seen:
                    continue
                seen.add(key)
                if check is None or not EFFECTIVE <= check < EXPIRATION:
                    continue
                if not state or not class_code:
                    continue
                for column, amount in amounts.items():
                    totals[mapped[column]] += amount
                used += 1
    cents = {category: int(total.scaleb(2)) for category, total in totals.items()}
    gross = sum(total for category, total in cents.items() if known[category].in_gross)
    return cents, gross, used, {}


# ------------------------------------------------------------------------------------------
# The three contenders. Each returns (totals in cents by category, gross cents, rows used,
# TrueUp's counts).

Result = tuple[dict[str, int], int, int, dict[str, int]]


def floor(path: Path) -> Result:
    import polars as pl

    from trueup.payroll.ingest import categories, profiles

    codes = profiles()["trueup"].codes
    known = categories()
    deductions = [code for code, category in codes.items() if known[category].deduction]
    frame = pl.read_csv(path, infer_schema=False)
    # Two decimals always, so dropping the separators and the point gives cents.
    cents = pl.col("amount").str.replace_all(",", "", literal=True)
    cents = cents.str.replace(".", "", literal=True).cast(pl.Int64)
    by_code = (
        frame.lazy()
        .filter(
            (pl.col("check_date") >= EFFECTIVE.isoformat())  # ISO dates sort as text
            & (pl.col("check_date") < EXPIRATION.isoformat())
            & (pl.col("officer") != "Y")
        )
        .select(
            "earnings_code",
            cents=pl.when(pl.col("earnings_code").is_in(deductions))
            .then(cents.abs())
            .otherwise(cents),
        )
        .filter(pl.col("cents") != 0)
        .group_by("earnings_code")
        .agg(pl.col("cents").sum(), rows=pl.len())
        .collect()
    )
    totals: dict[str, int] = defaultdict(int)
    used = 0
    for code, total, rows in by_code.iter_rows():
        category = codes.get(code)
        if category is not None and category != "ignore":
            totals[category] += total
            used += rows
    gross = sum(total for category, total in totals.items() if known[category].in_gross)
    return dict(totals), gross, used, {}


def trueup(path: Path) -> Result:
    return imported(path, "trueup")


# Rows a batch holds when TrueUp reads the register in batches (``--batch-rows``); 0: read whole.
BATCH_ROWS = 0


def imported(path: Path, profile_key: str) -> Result:
    """TrueUp's import of the register: read, its profile told from its headers, and its frame
    handed over to the import as the app hands it (``Export.take_frame``), nothing else holding
    it, so the import lets go of the cells once it has read them. With ``BATCH_ROWS``, read from
    the file a batch of rows at a time instead (``read_register_batches``, ``ingest_batches``)."""
    from trueup.payroll.ingest import Options, detect_profile, ingest, read_register

    options = Options(EFFECTIVE, EXPIRATION)
    if BATCH_ROWS:
        from trueup.payroll.ingest import ingest_batches, read_register_batches

        batches = read_register_batches(path, BATCH_ROWS)
        profile = detect_profile(batches.columns)
        assert profile.key == profile_key, profile.key
        result = ingest_batches(batches, profile, options)
    else:
        read = [read_register(path.read_bytes(), path.name)]
        profile = detect_profile(read[0].columns)
        assert profile.key == profile_key, profile.key
        result = ingest(read.pop(), profile, options)
    RESULTS.append(result)
    return result.totals, result.gross_cents, result.rows_used, trueup_notes(result)


# TrueUp's result, kept for ``held_mb`` once the clock has stopped.
RESULTS: list[Ingested] = []


def held_mb(result: Ingested) -> float:
    """About what the import's result holds, in MB: its frames (the cells behind the lines, the
    exceptions, employees and quarters) and its engine lines (dicts of text and Decimal amounts,
    one per employee and class). A peak that grows with the register by no more than this is an
    import whose own memory does not grow with it."""
    frames = (result.cells, result.exceptions, result.employees, result.quarters)
    size = sum(frame.estimated_size() for frame in frames) + sys.getsizeof(result.lines)
    for line in result.lines:
        size += sys.getsizeof(line) + sum(map(sys.getsizeof, line.values()))
    return size / 1e6


def trueup_notes(result: Ingested) -> dict[str, int]:
    return {
        "rows read": result.rows_read,
        "engine lines": len(result.lines),
        "employees": result.employees.height,
        **{
            f"exceptions: {kind}": count
            for kind, count in result.exceptions.group_by("kind").len().sort("kind").iter_rows()
        },
        **{f"unmapped {item['code']} cents": int(str(item["cents"])) for item in result.unmapped},
    }


# The rules of ``ingest`` (commit e4d2114) that a register like the generated one needs.
TOTALS_ROW = re.compile(r"(?i)^\s*(grand\s+)?(sub\s*)?totals?\b|\btotals?\s*:?\s*$")
DASHES = re.compile(r"-+")
AMOUNT = re.compile(r"(\()?(-)?(\d{1,3}(?:,\d{3}){1,4}|\d{1,15})?(?:\.(\d{0,2}))?(-)?(\))?")
TRUE = frozenset(("y", "yes", "true", "1", "x", "officer"))


def parse_amount(text: str) -> Decimal | None:
    """$ and spaces ignored, thousands in groups of three, a minus sign before or after or
    parentheses, at most two decimals; dashes alone are zero."""
    text = "".join(text.replace("$", "").split())
    if DASHES.fullmatch(text):
        return Decimal(0)
    match = AMOUNT.fullmatch(text)
    if match is None:
        return None
    opening, lead, whole, fraction, trail, closing = match.groups()
    signs = sum(part is not None for part in (opening, lead, trail))
    if not (whole or fraction) or (opening is None) != (closing is None) or signs > 1:
        return None
    value = Decimal(f"{(whole or '0').replace(',', '')}.{fraction or ''}")
    return -value if signs else value


def parse_date(text: str, formats: tuple[str, ...]) -> date | None:
    text = text.strip()
    if text[4:5] == "-" and text[7:8] == "-":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    for fmt in formats:
        try:
            # A calendar date: no time of day, so no time zone.
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial day number
        return date(1899, 12, 30) + timedelta(days=int(text[:5]))
    return None


def peer(path: Path) -> Result:
    from trueup.payroll.ingest import categories, profiles

    profile = profiles()["trueup"]
    codes, known, formats = profile.codes, categories(), profile.date_formats
    totals: dict[str, Decimal] = defaultdict(Decimal)
    seen: set[tuple[str, date | None, str, Decimal, str, str]] = set()
    used = 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            employee = (row["employee"] or "").strip()
            employee_id = (row["employee_id"] or "").strip()
            if TOTALS_ROW.search(employee) or TOTALS_ROW.search(employee_id):
                continue  # the report's own sums
            text = (row["amount"] or "").strip()
            if not text:
                continue
            amount = parse_amount(text)
            if amount is None:
                continue  # not an amount
            code = (row["earnings_code"] or "").strip()
            category = codes.get(" ".join(code.split()).casefold())
            if category is None or category == "ignore":
                continue
            if known[category].deduction:
                amount = abs(amount)
            if not amount:
                continue
            who = employee or employee_id
            if not who:
                continue
            check = parse_date(row["check_date"] or "", formats)
            state, class_code = (row["state"] or "").strip(), (row["class"] or "").strip()
            key = (who, check, code, amount, state, class_code)
            if key in seen:
                continue  # the same check line again
            seen.add(key)
            if check is None or not EFFECTIVE <= check < EXPIRATION:
                continue
            if not state or not class_code:
                continue
            if (row["officer"] or "").strip().lower() in TRUE:
                continue
            totals[category] += amount
            used += 1
    cents = {category: int(total.scaleb(2)) for category, total in totals.items()}
    gross = sum(total for category, total in cents.items() if known[category].in_gross)
    return cents, gross, used, {}


CONTENDERS: dict[str, Callable[[Path], Result]] = {"floor": floor, "trueup": trueup, "peer": peer}
WIDE_CONTENDERS: dict[str, Callable[[Path], Result]] = {
    "floor": floor_wide,
    "trueup": trueup_wide,
    "peer": peer_wide,
}
LABELS = {
    "floor": "floor: Polars read_csv + sum",
    "trueup": "TrueUp: read_register + ingest",
    "peer": "plain Python: csv + Decimal",
}


# ------------------------------------------------------------------------------------------
# Running them


def resident_mb(field: str) -> float:
    """VmRSS or VmHWM (the peak) of this process, in MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(name: str, path: Path, register: str, batch_rows: int) -> None:
    """One run in this fresh process, reported as JSON on stdout."""
    global BATCH_ROWS
    BATCH_ROWS = batch_rows
    import polars  # noqa: F401 (imported before the clock starts, as a web worker has it)

    import trueup.payroll.ingest  # noqa: F401

    base = resident_mb("VmRSS")
    start = time.perf_counter()
    contenders = WIDE_CONTENDERS if register == "wide" else CONTENDERS
    totals, gross, used, notes = contenders[name](path)
    seconds = time.perf_counter() - start
    outcome: Outcome = {
        "seconds": seconds,
        "totals": dict(sorted(totals.items())),
        "gross_cents": gross,
        "rows_used": used,
        "peak_mb": resident_mb("VmHWM"),
        "base_mb": base,
        "held_mb": held_mb(RESULTS[0]) if RESULTS else 0.0,
        "notes": notes,
    }
    print(json.dumps(outcome))


def run(
    name: str, path: Path, register: str, root: Path | None = None, batch_rows: int = 0
) -> Outcome:
    """One run of a contender in a fresh process; TrueUp from the checkout at ``root`` if
    given, reading the register in batches of ``batch_rows`` rows if not 0."""
    command = [
        *(sys.executable, str(Path(__file__).resolve()), "--child", name),
        *("--path", str(path), "--register", register, "--batch-rows", str(batch_rows)),
    ]
    env = machine.checkout_env(root)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        sys.exit(f"{name} failed:\n{done.stderr}")
    outcome: Outcome = json.loads(done.stdout.splitlines()[-1])
    return outcome


def cpu_seconds() -> tuple[float, float]:
    """(busy seconds of all cores since boot, CPU seconds of this script's finished children)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, children.ru_utime + children.ru_stime


def code_measured() -> str:
    """Where the imported TrueUp comes from, and its commit when that is a git checkout."""
    import trueup

    package = Path(trueup.__file__).resolve().parent
    git = ["git", "-C", str(package)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        return str(package)
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "payroll/ingest"], capture_output=True, text=True
    ).stdout.split("\n")
    changes = [line[3:] for line in changed if line.strip()]
    local = f", with local changes to {', '.join(changes)}" if changes else ""
    return f"{package} at commit {head.stdout.strip()}{local}"


def dollars(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):,.2f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def compare(args: argparse.Namespace, path: Path) -> None:
    """This checkout's import against another's, in alternating fresh processes beside the
    floor. Both must give the same totals, rows and counts of exceptions."""
    roots = machine.checkouts(args.against)
    print(f"{args.runs} rounds: the floor, then each checkout's import, once a round")
    print(f"{'round':<7}{'run':<9}{'seconds':>9}{'peak MB':>9}")

    def show(round_: int, name: str, outcome: Outcome) -> None:
        print(f"{round_:<7}{name:<9}{outcome['seconds']:>9.2f}{outcome['peak_mb']:>9,.0f}")

    contenders = {
        "floor": partial(run, "floor", path, args.register),
        **{
            name: partial(run, "trueup", path, args.register, root, args.batch_rows)
            for name, root in roots.items()
        },
    }
    runs = machine.alternate(args.runs, contenders, show)
    answers = {
        json.dumps([o["totals"], o["gross_cents"], o["rows_used"], o["notes"]])
        for name in roots
        for o in runs[name]
    }
    if len(answers) != 1:
        sys.exit("*** DISAGREE: the two checkouts' imports give different results ***")
    print("AGREE: both checkouts give the same totals, rows used and exceptions")
    seconds = {name: [o["seconds"] for o in done] for name, done in runs.items()}
    floor = statistics.median(seconds["floor"])
    for name, root in roots.items():
        median = statistics.median(seconds[name])
        peak = max(o["peak_mb"] for o in runs[name])
        held = runs[name][0]["held_mb"]
        print(
            f"median, {name} ({root}): {median:.2f} s, {median / floor:.2f}× the floor's "
            f"{floor:.2f} s; peak {peak:,.0f} MB, of which the result holds {held:,.0f} MB"
        )
    print(
        "this checkout's time against the other's: "
        f"{machine.change(seconds['this'], seconds['against'])}"
    )


def batch_rows(args: argparse.Namespace, path: Path) -> int:
    """Rows a batch holds in TrueUp's import: as asked, else none (the file read whole, as an
    upload is) unless the file is larger than an upload may be; then it is read as a batch
    import of a stored file reads it (``BATCH_ROWS`` rows a batch)."""
    from trueup.payroll.ingest.readers import MAX_BYTES
    from trueup.payroll.ingest.stream import BATCH_ROWS as STORED_FILE_BATCH

    if args.batch_rows:
        return int(args.batch_rows)
    size = path.stat().st_size
    if size <= MAX_BYTES:
        return 0
    print(
        f"the file is {size / 2**20:,.0f} MB, more than an upload may be "
        f"({MAX_BYTES / 2**20:,.0f} MB): TrueUp reads it as the import command reads such a "
        "file (read_register_batches, ingest_batches)"
    )
    return STORED_FILE_BATCH


def register_path(register: str, rows: int, seed: int) -> Path:
    """Where the generated register of this shape, size and seed is kept between runs."""
    wide = "wide-" if register == "wide" else ""
    return Path("/tmp") / f"trueup-bench-{wide}register-{rows}-{seed}.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--register", choices=("long", "wide"), default="long")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--runs", type=int, default=3, help="runs of the floor and of TrueUp")
    parser.add_argument("--peer-runs", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--path", type=Path, help="the register (default: under /tmp)")
    parser.add_argument(
        "--against", help="another checkout: its import and this one's in alternating runs"
    )
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=0,
        help="TrueUp reads the register from the file in batches of this many rows "
        "(read_register_batches, ingest_batches); default: whole, as an upload, unless the "
        "file is larger than an upload may be",
    )
    parser.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    machine.add_arguments(parser)
    args = parser.parse_args()
    wide = args.register == "wide"
    path: Path = args.path or register_path(args.register, args.rows, args.seed)
    if args.child:
        child(args.child, path, args.register, args.batch_rows)
        return
    # The parent watches the machine; its children's time counts as the bench's own.
    machine.check(args)

    if args.regenerate or not path.exists():
        start = time.perf_counter()
        (generate_wide if wide else generate)(path, args.rows, args.seed)
        made = f"generated in {time.perf_counter() - start:.1f} s"
    else:
        made = "cached; --regenerate makes it again"
    print(f"register: {path} ({path.stat().st_size / 1_048_576:.1f} MB, {made})")
    args.batch_rows = batch_rows(args, path)
    if args.batch_rows:
        print(f"TrueUp reads the register in batches of {args.batch_rows:,} rows")
        LABELS["trueup"] = "TrueUp: in batches from the file"
    shape = "ADP Workforce Now custom report (wide)" if wide else "TrueUp template (long)"
    print(f"{shape}; policy period {EFFECTIVE} to {EXPIRATION}, check-date basis")
    print(f"TrueUp: {code_measured()}")
    if args.against:
        compare(args, path)
        return

    # The floor and TrueUp take turns, so a change in the machine's load touches both alike.
    order = ["floor", "trueup"] * args.runs + ["peer"] * args.peer_runs
    outcomes: dict[str, list[Outcome]] = {"floor": [], "trueup": [], "peer": []}
    busy, ours = cpu_seconds()
    start = time.perf_counter()
    for name in order:
        outcomes[name].append(run(name, path, args.register, None, args.batch_rows))
    elapsed = time.perf_counter() - start
    busy2, ours2 = cpu_seconds()
    others = max(0.0, (busy2 - busy) - (ours2 - ours)) / elapsed * 100
    print(
        f"machine: {os.cpu_count()} cores; other processes used {others:.0f} % of one core "
        f"during the {elapsed:.0f} s of runs"
    )

    notes = outcomes["trueup"][0]["notes"]
    print(", ".join(f"{key} {value:,}" for key, value in notes.items()))
    print()
    print(f"{'':<33}{'best s':>8}  {'runs s':<20}{'rows/s':>12}{'peak MB':>10}{'base MB':>9}")
    best: dict[str, float] = {}
    rows_read = notes.get("rows read", args.rows)
    for name, done in outcomes.items():
        if not done:
            continue  # --peer-runs 0
        best[name] = min(o["seconds"] for o in done)
        times = " ".join(f"{o['seconds']:.2f}" for o in done)
        peak = max(o["peak_mb"] for o in done)
        base = min(o["base_mb"] for o in done)
        print(
            f"{LABELS[name]:<33}{best[name]:>8.2f}  {times:<20}{rows_read / best[name]:>12,.0f}"
            f"{peak:>10,.0f}{base:>9,.0f}"
        )
    print()

    # Every run of every contender must give the same numbers.
    answers = {
        (json.dumps(o["totals"], sort_keys=True), o["gross_cents"], o["rows_used"])
        for done in outcomes.values()
        for o in done
    }
    reference = (outcomes["peer"] or outcomes["trueup"])[0]
    width = max(len(c) for c in reference["totals"])
    for category, total in reference["totals"].items():
        print(f"  {category:<{width}} {dollars(total):>20}")
    print(f"  {'gross':<{width}} {dollars(reference['gross_cents']):>20}")
    print(f"  {'rows used':<{width}} {reference['rows_used']:>20,}")
    if len(answers) != 1:
        print("\n*** DISAGREE: the contenders' totals differ ***")
        for name, done in outcomes.items():
            for o in done:
                print(f"{name}: {o['totals']} gross {o['gross_cents']} rows {o['rows_used']}")
        sys.exit(1)
    print(
        f"AGREE: {', '.join(LABELS[name].split(':')[0] for name in best)} give the same totals "
        "by category, gross and rows used, to the cent"
    )
    print()

    ratio = best["trueup"] / best["floor"]
    peak = max(o["peak_mb"] for o in outcomes["trueup"])
    print(
        f"TrueUp / floor: {ratio:.2f}× (target ≤ {TARGET_FLOOR_RATIO:g}×: "
        f"{verdict(ratio <= TARGET_FLOOR_RATIO)}; stretch ≤ {STRETCH_FLOOR_RATIO:g}×: "
        f"{verdict(ratio <= STRETCH_FLOOR_RATIO)})"
    )
    if "peer" in best:
        speedup = best["peer"] / best["trueup"]
        print(
            f"TrueUp vs plain Python: {speedup:.1f}× faster (target ≥ {TARGET_PEER_SPEEDUP:g}×: "
            f"{verdict(speedup >= TARGET_PEER_SPEEDUP)})"
        )
    print(
        f"TrueUp peak memory: {peak:,.0f} MB (target ≤ {TARGET_PEAK_MB:,.0f} MB: "
        f"{verdict(peak <= TARGET_PEAK_MB)})"
    )
    held = outcomes["trueup"][0]["held_mb"]
    print(
        f"of which the import's result holds about {held:,.0f} MB (its lines, cells, exceptions, "
        f"employees and quarters); the import's own: {peak - held:,.0f} MB"
    )


if __name__ == "__main__":
    main()
