"""Class lookup benchmark: the evaluation set of descriptions of operations
(``tests/reference/class_eval.csv``, each with the class expected) looked up in the class table
shipped with TrueUp.

Migrates a fresh SQLite database in a temporary directory (the class table is seeded by the
migrations), builds the index once (timed apart), then looks up every description and prints
top-1 and top-3 accuracy, the median and p95 lookup time, and the descriptions whose class was
not in the top 3. Goal: top-3 ≥ 90 %, median ≤ 20 ms per lookup.

    .venv/bin/python bench/classes.py [--repeat 3] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import machine  # bench/machine.py: is the machine quiet enough to measure?

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "reference" / "class_eval.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="look up the whole set this often")
    parser.add_argument("--misses", action="store_true", help="list the descriptions missed")
    machine.add_arguments(parser)
    options = parser.parse_args()
    machine.check(options)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trueup.settings_tests")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from trueup.reference.classes import index_for, suggest

        started = time.perf_counter()
        index_for("NCCI", "WC")
        built = time.perf_counter() - started
        with EVAL.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        times: list[float] = []
        top1 = top3 = 0
        misses: list[str] = []
        for round_ in range(options.repeat):
            for row in rows:
                started = time.perf_counter()
                found = suggest(row["description"], state=row["state"], limit=3)
                times.append(time.perf_counter() - started)
                if round_:
                    continue
                codes = [s.code for s in found.suggestions]
                top1 += codes[:1] == [row["expected"]]
                top3 += row["expected"] in codes
                if row["expected"] not in codes:
                    misses.append(
                        f"  {row['state']} {row['description']!r}: {row['expected']}, got {codes}"
                    )
        n = len(rows)
        times.sort()
        print(f"descriptions: {n} (each looked up {options.repeat} times)")
        classes = len(index_for("NCCI", "WC").entries)
        print(f"index build (NCCI, {classes} classes): {built * 1000:.1f} ms")
        print(f"top-1 accuracy: {top1 / n:.1%} ({top1}/{n})")
        print(f"top-3 accuracy: {top3 / n:.1%} ({top3}/{n})  goal ≥ 90 %")
        print(f"median lookup: {statistics.median(times) * 1000:.2f} ms  goal ≤ 20 ms")
        print(f"p95 lookup: {times[int(len(times) * 0.95)] * 1000:.2f} ms")
        if options.misses:
            print("not in the top 3:")
            print("\n".join(misses) or "  none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
