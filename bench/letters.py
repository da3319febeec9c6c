"""Letters benchmark: results letters printed to PDF and e-mailed by background workers, with 1
and 2 database-backend workers, against the floor of printing the same letters in one process.

1. Makes its own PostgreSQL database (``bg_letters``, dropped first) and loads the demo book
   into it (``trueup load_demo_book``, tasks run at once while loading).
2. Writes ``--letters`` results letters about the book's completed audits (each written in its
   own transaction, as a business change writes it, waiting in the database for a worker).
3. For 1 and 2 workers (``trueup db_worker``; e-mail to Django's in-memory backend, so the mail
   server is not measured), times until every letter is sent, then marks them waiting again.
4. The floor, in the same run: the same letters' HTML printed to PDF one after the other in
   this process (WeasyPrint), the work no worker can skip.

    .venv/bin/python bench/letters.py [--letters 200]
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py: is the machine quiet enough to measure?
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("TRUEUP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bg_letters"


def fresh_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def manage(*args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def write_letters(count: int) -> list[int]:
    from django.db import transaction

    from trueup.audits.models import Audit
    from trueup.audits.workflow import Status
    from trueup.billing.selectors import dispute_terms
    from trueup.letters.services import letter_send

    audits = list(
        Audit.objects.filter(status=Status.COMPLETED, final_result__isnull=False)
        .exclude(period__policy__insured__contact_email="")
        .order_by("pk")
    )
    if not audits:
        raise SystemExit("the demo book has no completed audit with an insured's e-mail")
    ids = []
    for n in range(count):
        audit = audits[n % len(audits)]
        with transaction.atomic():
            letter = letter_send(audit=audit, kind="results", by=None, extra=dispute_terms(audit))
        ids.append(letter.pk)
    return ids


def send_with(workers: int, ids: list[int]) -> float:
    from trueup.letters.models import Letter, LetterStatus

    env = {**os.environ, "TRUEUP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    args = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "django", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        while Letter.objects.filter(pk__in=ids).exclude(status=LetterStatus.SENT).exists():
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()


def again(ids: list[int]) -> None:
    """The same letters waiting once more, queued for the next set-up."""
    from django.db import transaction

    from trueup.core.tasks import enqueue_on_commit
    from trueup.letters.delivery import deliver_letter
    from trueup.letters.models import Letter, LetterStatus

    with transaction.atomic():
        Letter.objects.filter(pk__in=ids).update(
            status=LetterStatus.QUEUED, pdf="", text="", sent_at=None, attempts=0
        )
        for pk in ids:
            enqueue_on_commit(deliver_letter, pk)


def floor(ids: list[int]) -> float:
    from trueup.core.pdf import html_to_pdf
    from trueup.letters.models import Letter

    pages = list(Letter.objects.filter(pk__in=ids).values_list("html", flat=True))
    html_to_pdf(pages[0])  # WeasyPrint's first call loads fonts: not the letters' cost
    started = time.perf_counter()
    for html in pages:
        html_to_pdf(html)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=200, help="results letters to send")
    machine.add_arguments(parser)
    args = parser.parse_args()
    machine.check(args)
    os.environ.update(
        DATABASE_URL=f"{SERVER}/{DB_NAME}",
        TRUEUP_DEBUG="1",
        TRUEUP_SECRET_KEY=os.environ.get("TRUEUP_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="trueup.settings",
        PYTHONPATH=str(ROOT),
        TRUEUP_MAIL_DIR=str(ROOT / "bench" / ".sent-mail"),
    )
    fresh_database()
    manage("migrate", "--noinput")
    manage("load_demo_book", TRUEUP_TASKS="immediate")
    os.environ["TRUEUP_TASKS"] = "database"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    ids = write_letters(args.letters)
    print(f"{len(ids)} results letters, printed to PDF and e-mailed by background workers")
    one = send_with(1, ids)
    again(ids)
    two = send_with(2, ids)
    base = floor(ids)
    rows = [("1 database worker", one), ("2 database workers", two), ("floor: PDFs only", base)]
    for name, seconds in rows:
        print(f"  {name:<20} {seconds:7.1f} s  {len(ids) / seconds:6.1f} letters/s")
    print(f"  scaling 1 → 2 workers: {one / two:.2f}×; 2 workers at {two / base:.2f}× the floor")


if __name__ == "__main__":
    main()
