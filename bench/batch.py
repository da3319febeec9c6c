"""Batch benchmark: re-rate the open audits of the web benchmark's book in PostgreSQL, with
background workers, against the floor of writing as many results with COPY.

1. Loads the web benchmark's book (bench/web.py's loader) into its own database, ``bg_batch`` by
   default (``TRUEUP_BENCH_DB``), made again when it does not hold that book.
2. Makes ``--audits`` audits that have payroll facts open (in progress, no final result): the
   book's open audits are mostly waiting for records and have no facts yet, and re-rating those
   measures nothing. Every other audit is left as the book has it (final ones are not re-rated).
3. For each set-up — 1 and 2 database-backend workers (``trueup db_worker``), 2 RQ workers
   (``trueup rqworker``, Redis at 127.0.0.1:6379, database 13 or ``TRUEUP_BENCH_REDIS``,
   emptied) — starts the workers, starts a re-rating (``rerate_start``: one item per open
   audit, chunks enqueued on commit) and times it until the batch is finished; then removes
   the batch and its results, so each set-up re-rates the same audits.
4. The floor, in the same run: PostgreSQL ``COPY`` of as many result rows (the same worksheet
   and result JSON as the re-rating wrote) into a table like the results table.

Prints audits/s for each set-up, the scaling from 1 to 2 database workers and each against the
floor (the goal: 2 workers within 3x the floor's time).

    .venv/bin/python bench/batch.py [--audits 100000] [--chunk 200] [--reload] [--profile]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import machine  # bench/machine.py: is the machine quiet enough to measure?

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TRUEUP_BENCH_DB", "bg_batch")
# This checkout's trueup, before any installed copy, here and in the workers.
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
import web  # noqa: E402  (bench/web.py: the book and its loader; reads TRUEUP_BENCH_DB)

# Emptied by the RQ set-up: a Redis database of this bench's own (TRUEUP_BENCH_REDIS).
REDIS_URL = os.environ.get("TRUEUP_BENCH_REDIS", "redis://127.0.0.1:6379/13")
SEED = 7


@dataclass
class Run:
    name: str
    audits: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.audits / self.seconds


def open_audits_with_facts(count: int) -> list[int]:
    """``count`` audits with payroll facts, made open (in progress) for the re-rating; every
    other audit made final, so the re-rating covers exactly these."""
    from django.db import connection, transaction

    from trueup.audits.models import Audit, PayrollEntry

    with transaction.atomic():
        with_facts = list(
            PayrollEntry.objects.values_list("audit_id", flat=True).distinct().order_by("audit_id")
        )
        if len(with_facts) < count:
            raise SystemExit(
                f"the book has {len(with_facts):,} audits with payroll facts, fewer than "
                f"{count:,}: load a larger one (--book)"
            )
        chosen = with_facts[:count]
        Audit.objects.filter(
            status__in=["scheduled", "records_requested", "records_received", "in_progress"]
        ).exclude(pk__in=chosen).update(status="completed")
        Audit.objects.filter(pk__in=chosen).update(status="in_progress", final_result=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return chosen


def clean_up(watermark: int) -> None:
    """Remove the re-ratings and the results they wrote: the next set-up starts the same."""
    from django.db import connection

    from trueup.audits.models import RerateBatch, ResultSnapshot

    RerateBatch.objects.all().delete()
    ResultSnapshot.objects.filter(pk__gt=watermark).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")


def start_workers(kind: str, count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "TRUEUP_TASKS": kind, "TRUEUP_REDIS_URL": REDIS_URL}
    if kind == "database":
        args = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"]
    else:
        args = ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return [
        subprocess.Popen(
            [sys.executable, "-m", "django", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def rerate(name: str, kind: str, workers: int, chunk: int, watermark: int) -> Run:
    from django.conf import settings
    from django.db import connections
    from django.test.utils import override_settings

    from trueup.audits.models import RerateBatch, RerateStatus
    from trueup.flows.rerate import rerate_progress, rerate_start

    backend = {
        "database": "django_tasks_db.DatabaseBackend",
        "rq": "django_tasks_rq.RQBackend",
    }[kind]
    queues = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    if kind == "rq":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    connections.close_all()
    started_workers = start_workers(kind, workers)
    try:
        time.sleep(4)  # the workers start Django before they take work; not part of the figure
        with override_settings(TASKS={"default": {"BACKEND": backend}}, RQ_QUEUES=queues):
            assert settings.TASKS["default"]["BACKEND"] == backend
            started = time.perf_counter()
            batch = rerate_start(by=None, chunk_size=chunk)
            while RerateBatch.objects.filter(pk=batch.pk, status=RerateStatus.RUNNING).exists():
                time.sleep(0.05)
            seconds = time.perf_counter() - started
    finally:
        stop_workers(started_workers)
    progress = rerate_progress(batch)
    if progress["done"] != batch.total:
        print(f"!!! {name}: {progress}")
    run = Run(name, progress["done"], seconds)
    clean_up(watermark)
    return run


def copy_floor(count: int) -> Run:
    """COPY ``count`` result rows, like the ones a re-rating writes, into a table like the
    results table (made here and dropped after)."""
    from django.db import connection, transaction

    from trueup.audits.models import Audit, ResultSnapshot
    from trueup.audits.services import audit_rate

    with transaction.atomic():
        audit = Audit.objects.filter(status="in_progress").order_by("pk").first()
        assert audit is not None
        sample = audit_rate(audit=audit, by=None)
        fields = [f for f in ResultSnapshot._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(f.column for f in fields)
        values = [f.get_db_prep_save(getattr(sample, f.attname), connection) for f in fields]
        audit_ids = list(
            Audit.objects.filter(status="in_progress").values_list("pk", flat=True)[:count]
        )
        audit_column = [f.attname for f in fields].index("audit_id")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE floor_results (LIKE audits_resultsnapshot INCLUDING ALL)"
            )
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY floor_results ({columns}) FROM STDIN") as copy:
                for n in range(count):
                    values[audit_column] = audit_ids[n % len(audit_ids)]
                    copy.write_row(values)
            seconds = time.perf_counter() - started
            cursor.execute("DROP TABLE floor_results")
        transaction.set_rollback(True)  # the sample rating was only for its JSON
    return Run("COPY of as many result rows (floor)", count, seconds)


def profile_chunk(chunk: int, watermark: int) -> None:
    """Re-rate one chunk in this process under cProfile and print where its time goes."""
    import cProfile
    import pstats

    from django.test.utils import override_settings

    from trueup.flows.rerate import rerate_chunk, rerate_start

    # The chunks are enqueued nowhere: the profiled one is run here, by hand.
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        batch = rerate_start(by=None, chunk_size=chunk)
    ids = list(batch.items.order_by("audit_id").values_list("audit_id", flat=True)[:chunk])
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(rerate_chunk.call, batch.pk, ids)
    seconds = time.perf_counter() - started
    print(f"one chunk of {len(ids)} audits in one process: {seconds:.2f} s (under cProfile)")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    clean_up(watermark)


def load_book(audits: int, reload: bool) -> None:
    """bench/web.py's loader, into this bench's database."""
    web.prepare_database(audits, SEED, reload)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--audits", type=int, default=100_000, help="open audits to re-rate")
    parser.add_argument(
        "--book", type=int, help="audits in the book (default: twice --audits, for the facts)"
    )
    parser.add_argument("--chunk", type=int, default=200, help="audits per task")
    parser.add_argument("--reload", action="store_true", help="load the book even if it is there")
    parser.add_argument(
        "--profile", action="store_true", help="profile one chunk in this process, then stop"
    )
    machine.add_arguments(parser)
    args = parser.parse_args()
    machine.check(args, during=False)
    if not web.DB_NAME.startswith("bg_"):
        raise SystemExit(f"TRUEUP_BENCH_DB={web.DB_NAME}: this bench drops it; name it bg_...")

    os.environ["DATABASE_URL"] = web.DATABASE_URL
    os.environ["TRUEUP_DEBUG"] = "0"
    os.environ.setdefault("TRUEUP_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trueup.settings")
    os.environ["PYTHONPATH"] = str(ROOT)
    import django

    django.setup()
    from trueup.audits.models import ResultSnapshot

    load_book(args.book or 2 * args.audits, args.reload)
    chosen = open_audits_with_facts(args.audits)
    last = ResultSnapshot.objects.order_by("-pk").first()
    watermark = last.pk if last else 0
    clean_up(watermark)
    if args.profile:
        profile_chunk(args.chunk, watermark)
        return
    print(f"re-rating {len(chosen):,} open audits with payroll facts, {args.chunk} per task")

    runs = [
        rerate("1 database worker", "database", 1, args.chunk, watermark),
        rerate("2 database workers", "database", 2, args.chunk, watermark),
        rerate("2 RQ workers (Redis)", "rq", 2, args.chunk, watermark),
    ]
    floor = copy_floor(args.audits)
    for run in [*runs, floor]:
        print(
            f"{run.name:<38} {run.audits:>8,} audits {run.seconds:8.1f} s {run.per_second:9,.0f}/s"
        )
    one, two, rq = runs
    print(f"scaling, 1 → 2 database workers: {two.per_second / one.per_second:.2f}x")
    for run in runs:
        print(f"{run.name}: {run.seconds / floor.seconds:,.0f}x the floor's time")
    print(
        "goal ≤ 3x the floor with 2 workers: "
        + ("met" if two.seconds <= 3 * floor.seconds else "NOT met")
    )
    del rq


if __name__ == "__main__":
    main()
