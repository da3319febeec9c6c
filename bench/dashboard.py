"""Dashboard benchmark: the department's metrics on books of 25,000, 50,000 and 100,000 audits.

For each size the book is bench/web.py's (the same loader, seed and "today"), kept in its own
PostgreSQL database ``trueup_bench_dash_<size>`` between runs (``--reload`` loads it again).
For each book it times, in this process:

- the rebuild of the figures the metrics read (``figures.refresh``: one row per audit);
- the default dashboard (the last year, every state) computed from the figures, cold;
- a filtered dashboard (one state, one method), cold;
- the dashboard page, ``GET /dashboard/`` for a signed-in manager, answered from the kept
  snapshot (median and p95 of ``--requests`` requests), and the floor, ``GET /healthz``,
  served the same way in the same run.

The page under concurrent load is measured by bench/web.py's mix (its "dashboard" endpoint).
It prints one line per book and whether the page's cost is flat: the 100,000-audit page within
1.5× of the 25,000-audit page.

    .venv/bin/python bench/dashboard.py [--sizes 25000,50000,100000] [--requests 200] [--reload]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import machine  # bench/machine.py: is the machine quiet enough to measure?

sys.path.insert(0, str(Path(__file__).resolve().parent))

FLAT_WITHIN = 1.5


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def served(client: Any, path: str, requests: int) -> tuple[float, float]:
    """Median and p95 in ms of ``requests`` GETs of ``path`` through the whole Django stack."""
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, HTTP_HOST="127.0.0.1")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def measure(web: Any, size: int, seed: int, requests: int, reload: bool) -> dict[str, float]:
    from django.db import connections
    from django.test import Client

    from trueup.accounts.models import User
    from trueup.core import clock
    from trueup.reporting import figures, metrics
    from trueup.reporting.models import FiguresRun

    connections.close_all()
    web.prepare_database(size, seed, reload)
    refresh_ms = timed(figures.refresh)
    run = FiguresRun.objects.first()
    assert run is not None
    default = metrics.default_filters(clock.today())
    filtered = replace(default, state="KY", method="physical")
    cold_ms = timed(lambda: metrics.compute(default))
    filtered_ms = timed(lambda: metrics.compute(filtered))
    client = Client()
    client.force_login(User.objects.get(username="manager01"))
    client.get("/dashboard/", HTTP_HOST="127.0.0.1")  # warm: the snapshot is read once
    page = served(client, "/dashboard/", requests)
    floor = served(client, "/healthz", requests)
    return {
        "audits": run.audits,
        "refresh_ms": refresh_ms,
        "cold_ms": cold_ms,
        "filtered_ms": filtered_ms,
        "page_p50": page[0],
        "page_p95": page[1],
        "floor_p50": floor[0],
        "floor_p95": floor[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reload", action="store_true")
    machine.add_arguments(parser)
    args = parser.parse_args()
    machine.check(args, during=False)
    sizes = [int(s) for s in args.sizes.split(",")]
    # The database is chosen before Django reads its settings: one book per process run, so
    # each size runs in a child process of its own.
    if len(sizes) > 1:
        run_each(sizes, args)
        return
    import web

    web.serving_settings()
    web.use_sized_book(sizes[0])
    import django

    django.setup()
    busy = web.machine_busy(3)
    figures = measure(web, sizes[0], args.seed, args.requests, args.reload)
    print(
        f"{sizes[0]:>7,} audits ({figures['audits']:,} rows): rebuild "
        f"{figures['refresh_ms'] / 1000:.1f} s · default dashboard cold "
        f"{figures['cold_ms']:.0f} ms · filtered cold {figures['filtered_ms']:.0f} ms · page "
        f"p50 {figures['page_p50']:.1f} ms p95 {figures['page_p95']:.1f} ms · floor (/healthz) "
        f"p50 {figures['floor_p50']:.1f} ms p95 {figures['floor_p95']:.1f} ms · machine busy "
        f"before {busy:.0f} % of one core"
    )
    print(f"RESULT {sizes[0]} {figures['page_p50']:.2f} {figures['cold_ms']:.0f}")


def run_each(sizes: list[int], args: argparse.Namespace) -> None:
    import subprocess

    pages: dict[int, float] = {}
    for size in sizes:
        command = [sys.executable, __file__, "--sizes", str(size), "--seed", str(args.seed)]
        command += ["--requests", str(args.requests)] + (["--reload"] if args.reload else [])
        command += ["--allow-busy"] if args.allow_busy else []
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("RESULT "):
                pages[size] = float(line.split()[2])
            else:
                print(line)
    smallest, largest = pages[min(pages)], pages[max(pages)]
    flat = largest <= smallest * FLAT_WITHIN
    print(
        f"page p50 at {max(pages):,} audits is {largest / smallest:.2f}× its time at "
        f"{min(pages):,}: {'flat' if flat else 'NOT flat'} (within {FLAT_WITHIN}× counts as flat)"
    )


if __name__ == "__main__":
    main()
