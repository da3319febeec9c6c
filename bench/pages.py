"""Pages benchmark: the processor time of each page on books of 25,000, 50,000 and 100,000 audits.

The goal is counted in processor time per page request, the app's and the database's together
(bench/web.py measures the same pages under concurrent load, where waiting hides the cost). For
each size the book is bench/web.py's (the same loader, seed and "today"), kept in the database
``trueup_bench_dash_<size>`` it shares with bench/dashboard.py (``--reload`` loads it again).
For each book, in this process, through the whole Django stack (middleware, sessions, templates):

- each endpoint of bench/web.py's mix (worklist, filtered worklist, audit page, API, dashboard)
  and its floor, ``GET /healthz``, is asked ``--requests`` times, the paths drawn from the mix's
  own lists, one request at a time;
- per request it takes this process's processor time (``time.process_time``), the PostgreSQL
  backend's (its ``/proc/<pid>/stat``, read around each endpoint's requests) and the queries.

It prints a line per endpoint and book, the mix's mean weighted as bench/web.py weighs it, and
whether each page is flat: its processor time (the app's median and the database's mean) at the
largest book within 1.5× of the smallest.

    .venv/bin/python bench/pages.py [--sizes 25000,50000,100000] [--requests 100] [--reload]

A change to the pages is measured against the checkout before it with ``--against``: on the
smallest book given, the two checkouts' pages are measured in turn, each in a fresh process,
``--rounds`` times, and each page's medians are compared (app and database, per request). A
single run of each can differ by more than the change on a machine whose speed drifts.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/pages.py --against /tmp/before --sizes 25000 [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import machine  # bench/machine.py: is the machine quiet enough to measure?

sys.path.insert(0, str(Path(__file__).resolve().parent))

FLAT_WITHIN = 1.5
GOAL_MS = 10.0  # processor time per page request in the mix, app and database together


def backend_seconds(pid: int) -> float:
    """Processor time PostgreSQL's backend ``pid`` has used (user and system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Counted:
    """Counts the queries the pages send, and nothing else. (Django's debug cursor, which
    ``connection.queries`` needs, times and formats each query as well: about a millisecond
    of the audit page's processor time that the pages do not cost when served.)"""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def measure(web: Any, requests: int, seed: int) -> list[dict[str, Any]]:
    """Per endpoint: its weight, the app's processor ms per request (median and mean), the
    database's mean and the queries per request."""
    from django.db import connection
    from django.test import Client

    rng = random.Random(seed)
    rows = []
    for name, weight, paths, headers in web.endpoints(seed):
        client = Client(HTTP_HOST="127.0.0.1")
        extra = {}
        if "Cookie" in headers:
            client.cookies.load(headers["Cookie"])
        if "Authorization" in headers:
            extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
        for path in paths[:3]:  # warm: templates compiled, the rule book read
            client.get(path, **extra)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        app, counted = [], Counted()
        database = backend_seconds(pid)
        with connection.execute_wrapper(counted):
            for _ in range(requests):
                path = rng.choice(paths)
                started = time.process_time()
                response = client.get(path, **extra)
                app.append((time.process_time() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} answered {response.status_code}")
        database = (backend_seconds(pid) - database) * 1000 / requests
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != pid:
                raise SystemExit("the database connection changed: its time was not counted")
        rows.append(
            {
                "name": name,
                "weight": weight,
                "p50": statistics.median(app),
                "mean": statistics.fmean(app),
                "database": database,
                "queries": counted.queries / requests,
            }
        )
    return rows


def one_book(size: int, args: argparse.Namespace) -> None:
    import web

    web.serving_settings()
    web.use_sized_book(size)
    import django

    django.setup()
    web.prepare_database(size, args.seed, args.reload)
    web.prepare_figures()
    for row in measure(web, args.requests, args.seed):
        print(
            f"{size:>7,} audits · {row['name']:<20} app p50 {row['p50']:6.1f} ms, mean "
            f"{row['mean']:6.1f} ms · database {row['database']:5.1f} ms · "
            f"{row['queries']:4.1f} queries"
        )
        print(
            f"RESULT {size} {row['weight']} {row['p50']:.3f} {row['mean']:.3f} "
            f"{row['database']:.3f} {row['name']}"
        )


# Per endpoint: its weight in the mix, the app's p50 and mean and the database's mean (ms).
Rows = dict[str, tuple[int, float, float, float]]


def run_book(size: int, args: argparse.Namespace, root: Path | None = None) -> Rows:
    """One book measured in a child process of its own (the database is chosen before Django
    starts), with TrueUp from the checkout at ``root`` if given."""
    command = [sys.executable, __file__, "--sizes", str(size), "--seed", str(args.seed)]
    command += ["--requests", str(args.requests)] + (["--reload"] if args.reload else [])
    command += ["--allow-busy"]  # the parent checked the machine before starting
    env = machine.checkout_env(root)
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    found: Rows = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            _, _, weight, p50, mean, db, name = line.split(" ", 6)
            found[name] = (int(weight), float(p50), float(mean), float(db))
        elif "audits ·" in line and root is None:
            print(line)
    return found


def mix(rows: Rows) -> tuple[float, float]:
    """The mix's processor time a request, the app's and the database's, weighted as
    bench/web.py weighs its pages (the floor left out)."""
    pages = {n: r for n, r in rows.items() if not n.startswith("healthz")}
    weights = sum(r[0] for r in pages.values())
    app = sum(r[0] * r[2] for r in pages.values()) / weights
    database = sum(r[0] * r[3] for r in pages.values()) / weights
    return app, database


def run_each(sizes: list[int], args: argparse.Namespace) -> None:
    """Each book in a child process of its own."""
    found = {size: run_book(size, args) for size in sizes}
    for size, rows in found.items():
        app, database = mix(rows)
        print(
            f"{size:>7,} audits: the mix's pages cost {app + database:.1f} ms a request "
            f"(app {app:.1f} ms, database {database:.1f} ms; goal ≤ {GOAL_MS:.0f} ms)"
        )
    smallest, largest = found[min(found)], found[max(found)]
    for name, row in largest.items():
        ratio = (row[1] + row[3]) / (smallest[name][1] + smallest[name][3])
        verdict = "flat" if ratio <= FLAT_WITHIN else "NOT flat"
        print(
            f"{name}: app p50 and database at {max(found):,} audits are {ratio:.2f}× at "
            f"{min(found):,}: {verdict} (within {FLAT_WITHIN}× counts as flat)"
        )


def compare(args: argparse.Namespace, size: int) -> None:
    """This checkout's pages against another's on one book, in alternating child processes. Per
    page, the app's mean and the database's, added; the mix as bench/web.py weighs it."""
    roots = machine.checkouts(args.against)
    print(f"{size:,} audits, {args.requests} requests a page, {args.rounds} rounds")

    def show(round_: int, name: str, rows: Rows) -> None:
        print(f"round {round_} {name:<8} mix {sum(mix(rows)):5.1f} ms a request")

    books = {name: partial(run_book, size, args, root) for name, root in roots.items()}
    runs = machine.alternate(args.rounds, books, show)
    print(f"{'median ms a request (app + database)':<38}{'this':>8}{'against':>9}{'change':>8}")
    names = [*runs["this"][0], "the mix"]
    for page in names:
        both = [statistics.median(_cost(rows, page) for rows in runs[n]) for n in roots]
        print(f"{page:<38}{both[0]:>8.1f}{both[1]:>9.1f}{both[0] / both[1] - 1:>+8.1%}")


def _cost(rows: Rows, page: str) -> float:
    if page == "the mix":
        return sum(mix(rows))
    _, _, mean, database = rows[page]
    return mean + database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument(
        "--against", help="another checkout: its pages and this one's in alternating runs"
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternations with --against")
    machine.add_arguments(parser)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    machine.check(args, during=False)
    if args.against:
        compare(args, min(sizes))
    elif len(sizes) > 1:
        run_each(sizes, args)
    else:
        one_book(sizes[0], args)


if __name__ == "__main__":
    main()
