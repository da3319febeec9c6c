"""Whether a change to the engine changed any result: the same worksheets rated by this checkout's
engine and by another's, compared to the character.

A change meant to make the engine faster must leave every result as it was. This script draws a
fixed set of worksheets once, rates them with each engine in a process of its own (another
checkout's by putting it first on ``PYTHONPATH``), and compares each result's JSON
(``result_to_json``: every figure, reason, finding and adjustment line), or, for a worksheet the
engine refuses, its problems:

- worksheets drawn by the property tests' strategies (``tests/rating/test_properties.py``): WC on
  one to three states with split periods, officers, subcontractors, cancellations and interim
  audits, and GL with one-way audits. What hypothesis draws depends on where the strategies'
  files are, so the worksheets are drawn here once and handed to both engines;
- the engine bench's generated worksheets (``bench/engine.py``: ten states, overtime, tips,
  Section 125, an experience mod and premium discount);
- the shipped examples (``examples/*.json``).

It prints each engine's digest and, where they differ, the first worksheet whose result differs
and the start of the difference. Exit status 1 when any result differs.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/engine_digest.py --against /tmp/before [--wc 1500] [--gl 400]

The compiled engine (``make engine``) must give what its Python modules give, interpreted:

    .venv/bin/python bench/engine_digest.py --interpreted
"""

from __future__ import annotations

import argparse
import copyreg
import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The tests' strategies are read from the checkout, after any PYTHONPATH given: the imports
# below come after this on purpose.
sys.path.append(str(ROOT))

import engine  # noqa: E402  (bench/engine.py: the bench's worksheets and rates)
import machine  # noqa: E402  (bench/machine.py: a child process on another checkout)

from tests.rating import test_properties as properties  # noqa: E402
from trueup.rating import RateTable, WorksheetError, rate_worksheet  # noqa: E402
from trueup.rating import worksheet as worksheets  # noqa: E402
from trueup.rating.jsonio import result_to_json, worksheet_from_json  # noqa: E402
from trueup.rating.worksheet import Worksheet  # noqa: E402

# Which rate table each kind of worksheet is rated with (None: the engine's demo rates).
Case = tuple[Worksheet, str]


def drawn(strategy: Any, count: int) -> list[Worksheet]:
    """``count`` worksheets from a strategy, derandomized."""
    found: list[Worksheet] = []
    if count < 1:
        return found

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(worksheet: Worksheet) -> None:
        found.append(worksheet)

    collect()
    return found


def cases(args: argparse.Namespace) -> list[Case]:
    return [
        *((ws, "wc") for ws in drawn(properties.wc_worksheets(), args.wc)),
        *((ws, "gl") for ws in drawn(properties.gl_worksheets(), args.gl)),
        *((ws, "bench") for ws in engine.build_worksheets(args.bench, 20, 3)),
        *(
            (worksheet_from_json(path.read_text(encoding="utf-8")), "shipped")
            for path in sorted((ROOT / "examples").glob("*.json"))
        ),
    ]


def rate_all(path: Path) -> None:
    """In the child: rate the worksheets in ``path`` and print each outcome's JSON, one a line."""
    tables: dict[str, RateTable | None] = {
        "wc": properties.RATES,
        "gl": properties.GL_RATES,
        "bench": engine.build_rates(),
        "shipped": None,
    }
    with path.open("rb") as file:
        worksheets: list[Case] = pickle.load(file)
    for worksheet, kind in worksheets:
        try:
            text = result_to_json(rate_worksheet(worksheet, rates=tables[kind]), indent=None)
        except WorksheetError as refused:
            text = json.dumps([(p.path, p.reason) for p in refused.problems])
        print(text)


def picklable() -> None:
    """Every worksheet class pickled by its fields, as its constructor takes them: a compiled
    engine's frozen dataclasses (``trueup/rating/native.py``) cannot be pickled otherwise, and
    either engine reads them back so."""
    for kind in vars(worksheets).values():
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            copyreg.pickle(kind, _fields)


def _fields(value: Any) -> tuple[type, tuple[object, ...]]:
    return type(value), tuple(getattr(value, f.name) for f in dataclasses.fields(value))


def outcomes(path: Path, engine_root: Path | None, interpreted: bool = False) -> list[str]:
    """Every worksheet's outcome from one engine: this checkout's, or ``engine_root``'s; its
    Python modules with ``interpreted``, not its compiled build (``trueup/rating/native.py``)."""
    env = machine.checkout_env(engine_root, interpreted=interpreted)
    command = [sys.executable, __file__, "--rate", str(path)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return out.splitlines()


def report(name: str, lines: list[str]) -> str:
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    print(f"{name}: {len(lines)} outcomes, digest {digest}")
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, help="another checkout whose engine to compare")
    parser.add_argument(
        "--interpreted",
        action="store_true",
        help="compare this checkout's compiled engine with its Python modules, interpreted",
    )
    parser.add_argument("--wc", type=int, default=1500)
    parser.add_argument("--gl", type=int, default=400)
    parser.add_argument("--bench", type=int, default=600)
    parser.add_argument("--rate", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.rate is not None:
        rate_all(args.rate)
        return
    drawn_cases = cases(args)
    picklable()
    handle, name = tempfile.mkstemp(suffix=".pickle")  # readable by this user only
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(drawn_cases, file)
        ours = outcomes(path, None)
        compared = args.interpreted or args.against is not None
        theirs = outcomes(path, args.against, args.interpreted) if compared else None
    finally:
        path.unlink()
    rated = sum(not line.startswith("[") for line in ours)
    print(f"worksheets: {len(ours)} ({rated} rated, {len(ours) - rated} refused)")
    digest = report(f"this checkout ({ROOT})", ours)
    if theirs is None:
        return
    other = f"against ({args.against or ROOT})" + (", interpreted" if args.interpreted else "")
    if report(other, theirs) == digest:
        print("SAME: every result is identical")
        return
    first = next(n for n, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b)
    mine, other = ours[first], theirs[first]
    shorter = min(len(mine), len(other))
    at = next((i for i in range(shorter) if mine[i] != other[i]), shorter)
    print(f"DIFFERENT: worksheet {first} first, at character {at}:")
    print(f"  this checkout: …{mine[max(0, at - 80) : at + 120]}")
    print(f"  against:       …{other[max(0, at - 80) : at + 120]}")
    raise SystemExit(1)


if __name__ == "__main__":
    main()
