"""Engine benchmark: rate generated worksheets of 20 payroll lines each, with the full trace.

Prints p50/p95 per worksheet and lines per second for TrueUp's engine and, measured in the same
run on the same worksheets, a floor: the bare manual-premium arithmetic (payroll × rate ÷ 100 per
line, in Decimal, no rules and no trace). The target is p50 ≤ 0.5 ms per 20-line worksheet.

    .venv/bin/python bench/engine.py [--worksheets 10000] [--lines 20] [--seed 7]

A change to the engine is measured against the checkout before it with ``--against``: the two
engines run in turn, each in a fresh process, ``--rounds`` times, and the medians are compared.
On a machine whose speed drifts from minute to minute, a single run of each can differ by more
than the change; alternating runs see the same machine.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/engine.py --against /tmp/before [--rounds 5]

The engine is measured as the product runs it: compiled to C when ``make engine`` has built it
from these sources (``trueup/rating/native.py``), its Python modules otherwise; the bench prints
which. The floor is this file's own Python, interpreted either way. ``--interpreted`` measures
the compiled engine against its Python modules in alternating runs (``TRUEUP_ENGINE=python``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import machine  # bench/machine.py: is the machine quiet enough to measure?

import trueup.rating
from trueup.rating import RateTable, rate_worksheet
from trueup.rating.money import HUNDRED
from trueup.rating.worksheet import (
    AuditFacts,
    Estimate,
    ExperienceMod,
    PayrollLine,
    Policy,
    Worksheet,
)

STATES = ("IN", "PA", "MO", "KY", "OK", "RI", "LA", "OR", "NV", "CA")
CLASSES = (
    "8810",
    "8742",
    "5645",
    "5403",
    "5474",
    "5190",
    "5183",
    "9082",
    "8017",
    "7219",
    "0042",
    "9014",
    "3632",
    "8380",
    "2003",
    "5221",
    "5022",
    "8832",
    "9015",
    "7380",
)


# The engine's p50 per worksheet, with the full trace, at most this many times the floor's.
FLOOR_TIMES = 30


def code_in(state: str, code: str) -> str:
    """Pennsylvania's class codes have three digits (PCRB): there the bench numbers its synthetic
    classes 100, 101, … so every state's worksheets are rated with codes of its own system."""
    if state != "PA":
        return code
    return str(100 + (*CLASSES, *LOW_WAGE_PARTNERS).index(code))


# CA dual-wage classes: payroll in a high-wage class without hours moves to its low-wage partner.
LOW_WAGE_PARTNERS = ("5432", "5482", "5553", "5140", "5187", "5205", "5028")


def build_rates() -> RateTable:
    rng = random.Random(1)
    rows = ["state,line,class,basis,effective,rate,minimum_premium,description,status"]
    for state in STATES:
        for code in (*CLASSES, *LOW_WAGE_PARTNERS):
            rate = Decimal(rng.randint(100, 15000)) / 1000
            code = code_in(state, code)
            rows.append(f"{state},WC,{code},payroll,2024-01-01,{rate},,bench,illustrative")
    return RateTable.from_csv_text("\n".join(rows) + "\n", "bench-rates")


def build_worksheets(count: int, lines: int, seed: int) -> list[Worksheet]:
    rng = random.Random(seed)
    worksheets = []
    for n in range(count):
        state = STATES[n % len(STATES)]
        classes = [code_in(state, c) for c in rng.sample(CLASSES, 4)]
        payroll = []
        for i in range(lines):
            gross = Decimal(rng.randint(2_000_000, 9_000_000)) / 100
            overtime = Decimal(rng.randint(0, 300_000)) / 100 if i % 3 == 0 else Decimal(0)
            payroll.append(
                PayrollLine(
                    state=state,
                    class_code=classes[i % 4],
                    gross=gross,
                    employee=f"E{i:03d}",
                    overtime_total=overtime,
                    tips=Decimal(rng.randint(0, 50_000)) / 100 if i % 5 == 0 else Decimal(0),
                    section_125=Decimal(rng.randint(0, 200_000)) / 100,
                )
            )
        policy = Policy(
            line="WC",
            number=f"WC-{n:06d}",
            effective=date(2025, 1, 1),
            expiration=date(2026, 1, 1),
            states=(state,),
            experience_mods=(ExperienceMod(Decimal("0.93"), date(2025, 1, 1)),),
            premium_discount=True,
            deposit_premium=Decimal(rng.randint(10_000, 90_000)),
        )
        estimated = tuple(
            Estimate(state, c, Decimal(rng.randint(100, 400) * 1000)) for c in classes
        )
        worksheets.append(Worksheet(policy, estimated, AuditFacts(payroll=tuple(payroll))))
    return worksheets


def floor(worksheet: Worksheet, rates: RateTable) -> Decimal:
    policy = worksheet.policy
    total = Decimal(0)
    for line in worksheet.audited.payroll:
        assert line.class_code is not None
        found = rates.lookup(line.state, "WC", line.class_code, policy.effective)
        assert found is not None
        total += line.gross * found.rate / HUNDRED
    return total


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] / 1e6


def measure(args: argparse.Namespace) -> dict[str, float]:
    """Rate the worksheets with the engine, then with the floor: per worksheet p50 and p95 (ms),
    lines per second and the reasons traced."""
    rates = build_rates()
    worksheets = build_worksheets(args.worksheets, args.lines, args.seed)
    for ws in worksheets[:50]:  # warm caches (rule book versions, rate lookups)
        rate_worksheet(ws, rates=rates)

    engine_ns: list[int] = []
    traced = 0
    for ws in worksheets:
        start = time.perf_counter_ns()
        result = rate_worksheet(ws, rates=rates)
        engine_ns.append(time.perf_counter_ns() - start)
        traced += sum(len(e.reasons) for e in result.audited.exposures)

    floor_ns: list[int] = []
    for ws in worksheets:
        start = time.perf_counter_ns()
        floor(ws, rates)
        floor_ns.append(time.perf_counter_ns() - start)

    lines = args.worksheets * args.lines
    return {
        "p50": percentile(engine_ns, 0.5),
        "p95": percentile(engine_ns, 0.95),
        "lines_s": lines / (sum(engine_ns) / 1e9),
        "floor_p50": percentile(floor_ns, 0.5),
        "floor_p95": percentile(floor_ns, 0.95),
        "floor_lines_s": lines / (sum(floor_ns) / 1e9),
        "traced": traced,
    }


def engine_kind() -> str:
    if trueup.rating.COMPILED:
        return "compiled (make engine: trueup/rating/compiled, built from these sources)"
    return "interpreted (its Python modules: not built, or TRUEUP_ENGINE=python)"


def report(args: argparse.Namespace, figures: dict[str, float]) -> None:
    print(f"engine: {engine_kind()}")
    print(f"worksheets: {args.worksheets} × {args.lines} payroll lines (seed {args.seed})")
    traced = int(figures["traced"])
    per = traced / args.worksheets
    print(f"reasons traced on audited exposures: {traced} ({per:.1f} per worksheet)")
    print(f"{'':<34}{'p50 ms':>9}{'p95 ms':>9}{'lines/s':>12}")
    print(
        f"{'TrueUp engine (full trace)':<34}{figures['p50']:>9.3f}"
        f"{figures['p95']:>9.3f}{figures['lines_s']:>12,.0f}"
    )
    print(
        f"{'floor: bare manual premium':<34}{figures['floor_p50']:>9.3f}"
        f"{figures['floor_p95']:>9.3f}{figures['floor_lines_s']:>12,.0f}"
    )
    target = "met" if figures["p50"] <= 0.5 else "NOT met"
    print(f"target p50 ≤ 0.5 ms per worksheet: {target}")
    times = figures["p50"] / figures["floor_p50"]
    goal = "met" if times <= FLOOR_TIMES else "NOT met"
    print(f"p50 against the floor's: {times:.1f}× (goal ≤ {FLOOR_TIMES}×: {goal})")


def run_child(
    args: argparse.Namespace, root: Path | None, interpreted: bool = False
) -> dict[str, float]:
    """One run of this bench in a fresh process, with the engine of the checkout at ``root``
    (this one's: None), or its Python modules with ``interpreted``."""
    command = [
        sys.executable,
        __file__,
        f"--worksheets={args.worksheets}",
        f"--lines={args.lines}",
        f"--seed={args.seed}",
        "--allow-busy",  # the parent watches the machine for the whole comparison
        "--figures",
    ]
    env = machine.checkout_env(root, interpreted=interpreted)
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(out.splitlines()[-1])
    return figures


def compare(args: argparse.Namespace) -> None:
    """This checkout's engine against another's (or its compiled engine against its Python
    modules), in alternating fresh processes."""
    if args.interpreted:
        runs = {
            "compiled": partial(run_child, args, None),
            "interpreted": partial(run_child, args, None, True),
        }
        roots: dict[str, Path] = dict.fromkeys(runs, machine.ROOT)
    else:
        roots = machine.checkouts(args.against)
        runs = {name: partial(run_child, args, root) for name, root in roots.items()}
    print(
        f"worksheets: {args.worksheets} × {args.lines} payroll lines (seed {args.seed}), "
        f"{args.rounds} rounds, each engine once a round"
    )
    print(f"{'round':<7}{'engine':<12}{'p50 ms':>9}{'p95 ms':>9}{'floor p50':>11}{'÷ floor':>9}")

    def show(round_: int, name: str, figures: dict[str, float]) -> None:
        print(
            f"{round_:<7}{name:<12}{figures['p50']:>9.3f}{figures['p95']:>9.3f}"
            f"{figures['floor_p50']:>11.3f}{figures['p50'] / figures['floor_p50']:>8.1f}×"
        )

    found = machine.alternate(args.rounds, runs, show)
    p50s = {name: [r["p50"] for r in figures] for name, figures in found.items()}
    for name, root in roots.items():
        p50 = statistics.median(p50s[name])
        floor_p50 = statistics.median(r["floor_p50"] for r in found[name])
        print(f"median, {name} ({root}): p50 {p50:.3f} ms, {p50 / floor_p50:.1f}× the floor")
    first, second = runs
    change = machine.change(p50s[first], p50s[second])
    print(f"{first}'s p50 against {second}'s: {change}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worksheets", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--against", help="another checkout: its engine and this one's in alternating runs"
    )
    parser.add_argument(
        "--interpreted",
        action="store_true",
        help="the compiled engine against its Python modules in alternating runs",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternations with --against or --interpreted"
    )
    parser.add_argument("--figures", action="store_true", help=argparse.SUPPRESS)
    machine.add_arguments(parser)
    args = parser.parse_args()
    if args.figures:  # one run for --against: the figures as JSON
        print(json.dumps(measure(args)))
        return
    machine.check(args)
    if args.against or args.interpreted:
        compare(args)
    else:
        report(args, measure(args))


if __name__ == "__main__":
    main()
