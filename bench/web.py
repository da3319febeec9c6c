"""Web benchmark: 100,000 audits in PostgreSQL, served by gunicorn, driven from a second process.

1. Loads a book of 100,000 audits into the PostgreSQL database ``trueup_bench`` (dropped and made
   again, then migrated). The load is skipped when the database already holds this loader's book;
   ``--reload`` forces it.
2. Serves the app with gunicorn on 127.0.0.1:8001 (``TRUEUP_DEBUG=0``).
3. From a second process, keeps ``--concurrency`` keep-alive connections (``http.client``, one
   thread each) busy for ``--seconds`` with a mix of staff and API reads:

   - the worklist, ``GET /audits/?page=N``, and filtered,
     ``GET /audits/?status=in_progress&state=KY&sort=due`` or ``?assignee=me&status=open``;
   - an audit page, ``GET /audits/<id>/``: these carry a logged-in auditor's session cookie;
   - the API, ``GET /api/audits/<id>``, with a bearer token;
   - the managers' dashboard, ``GET /dashboard/`` (a manager's session), for the last year;
   - the floor, ``GET /healthz``: a trivial view, under the same load.

Prints requests, req/s, p50/p95/p99 and errors per endpoint and overall, and whether each target
is met: p95 ≤ 100 ms over the pages (the floor left out), with no errors, with the pages at
≥ 100 req/s and at ≥ 200 req/s. With the floor a tenth of the mix, ``--rate 112`` runs the
pages alone at 100 req/s.
By default the connections send as fast as they are answered (a closed loop); ``--rate R``
paces them to R req/s in all, and then latency counts from when each request was due.

    .venv/bin/python bench/web.py [--seconds 30] [--concurrency 10] [--rate R] [--reload]
        [--workers 4] [--worker-class sync] [--threads 1] [--only healthz,API]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import machine  # bench/machine.py: is the machine quiet enough to measure?

if TYPE_CHECKING:
    from django.db.models import Model

    from trueup.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# TRUEUP_BENCH_DB names another database (to try an index, say) without touching this one.
DB_NAME = os.environ.get("TRUEUP_BENCH_DB", "trueup_bench")
DATABASE_URL = f"{PG_SERVER}/{DB_NAME}"
HOST, PORT = "127.0.0.1", 8001
# Changes whenever the loaded book changes shape, so an old book is loaded again.
LOADER_VERSION = 2
TODAY = date(2026, 11, 1)  # the book's "today": every period that ended by then has an audit
BENCH_USER = "auditor01"  # the session and the API token belong to this auditor
TARGET_P95_MS = 100.0
TARGET_RPS = (100.0, 200.0)  # page requests a second at which the p95 is held to its target
FLOOR = "healthz (floor)"


# ------------------------------------------------------------------------------------------
# The database


def admin_connection() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def database_comment() -> str | None:
    """The comment this loader left on the bench database, or None if it does not exist."""
    with admin_connection() as conn:
        row = conn.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
            "WHERE datname = %s",
            (DB_NAME,),
        ).fetchone()
    return None if row is None else str(row[0])


def recreate_database() -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def book_label(audits: int, seed: int) -> str:
    return f"bench/web.py book v{LOADER_VERSION}: {audits} audits, seed {seed}"


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def prepare_database(audits: int, seed: int, reload: bool) -> None:
    """Migrate the bench database, loading the book first when it is not already there."""
    label = book_label(audits, seed)
    comment = database_comment()
    if comment == label and not reload:
        started = time.perf_counter()
        migrate()  # picks up any migration added since the book was loaded
        print(
            f"database {DB_NAME}: already holds the book ({label}); migrated in "
            f"{time.perf_counter() - started:.1f} s. --reload loads it again."
        )
        return
    started = time.perf_counter()
    recreate_database()
    migrate()
    print(f"database {DB_NAME}: made and migrated in {time.perf_counter() - started:.1f} s")
    load_book(audits, seed)
    with admin_connection() as conn:
        conn.execute(f"COMMENT ON DATABASE {DB_NAME} IS '{label}'")


# ------------------------------------------------------------------------------------------
# The book


Row = dict[str, Any]


def row(**values: Any) -> Row:
    return values


def copy_rows(model: type[Model], rows: Sequence[Row]) -> int:
    """Write rows (field attname → value, ids included) with PostgreSQL's COPY. A field a row
    leaves out gets the model's default, as bulk_create would give it; auto_now(_add) stamps
    default to now. Values go as they are (psycopg adapts them), JSON through Django's field."""
    from django.db import connection
    from django.db.models import JSONField

    now = datetime.now(UTC)
    fields = list(model._meta.concrete_fields)
    defaults = []
    for f in fields:
        stamp = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        defaults.append(now if stamp else None if f.primary_key else f.get_default())
    pairs = list(zip([f.attname for f in fields], defaults, strict=True))
    json = [(i, f) for i, f in enumerate(fields) if isinstance(f, JSONField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for values in rows:
            out = [values.get(name, default) for name, default in pairs]
            for i, f in json:
                out[i] = f.get_db_prep_save(out[i], connection)
            copy.write_row(out)
    return len(rows)


def reset_sequences(models: Iterable[type[Model]]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


def has_field(model: type[Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=UTC
    )


def add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def pick_status(rng: random.Random, age_days: int) -> str:
    """Older periods are mostly done; recent ones mostly open."""
    if age_days < 30:
        weights = {"scheduled": 50, "records_requested": 35, "in_progress": 15}
    elif age_days < 90:
        weights = {
            "scheduled": 8,
            "records_requested": 22,
            "records_received": 15,
            "in_progress": 30,
            "in_review": 10,
            "completed": 15,
        }
    elif age_days < 180:
        weights = {
            "records_requested": 8,
            "records_received": 4,
            "in_progress": 13,
            "in_review": 8,
            "completed": 60,
            "estimated": 7,
        }
    else:
        weights = {
            "in_progress": 2,
            "in_review": 1,
            "completed": 83,
            "estimated": 6,
            "revised": 5,
            "reversed": 3,
        }
    return rng.choices(list(weights), list(weights.values()))[0]


def status_path(rng: random.Random, status: str) -> list[str]:
    """The moves that took a scheduled audit to ``status``."""
    records = ["records_requested", "records_received"]
    to_work = [*records, "in_progress"] if rng.random() < 0.6 else ["in_progress"]
    submitted = (
        [*to_work, "completed"] if rng.random() < 0.6 else [*to_work, "in_review", "completed"]
    )
    paths = {
        "scheduled": [],
        "waived": [],
        "records_requested": records[:1],
        "records_received": records,
        "in_progress": to_work,
        "in_review": [*to_work, "in_review"],
        "completed": submitted,
        "estimated": ["records_requested", "estimated"],
        "revised": [*submitted, "revised"],
        "reversed": [*submitted, "reversed"],
    }
    return paths[status]


REASONS = {
    "records_requested": "first request",
    "in_review": "adjustment is above the preparer's authority",
    "estimated": "no records after three requests",
    "revised": "insured sent 941s",
    "reversed": "policy rewritten flat",
}
RATED = frozenset({"in_review", "completed", "estimated", "revised", "reversed"})
WITH_FACTS = frozenset({"in_review", "completed", "revised", "reversed"})


@dataclass
class Book:
    """The rows of the book, made in memory with their ids (as field attname → value), then
    written with COPY."""

    rng: random.Random
    auditors: list[int]
    managers: list[int]
    vendor_auditors: dict[int, list[int]]
    audit_has_vendor: bool
    insureds: list[Row] = field(default_factory=list)
    policies: list[Row] = field(default_factory=list)
    periods: list[Row] = field(default_factory=list)
    estimates: list[Row] = field(default_factory=list)
    audits: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    payroll: list[Row] = field(default_factory=list)
    owners: list[Row] = field(default_factory=list)
    subcontractors: list[Row] = field(default_factory=list)
    edits: list[Row] = field(default_factory=list)
    records: list[Row] = field(default_factory=list)
    interviews: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    # audit id, (trade, states, estimated), created_by, created_at: one result each
    to_rate: list[tuple[int, tuple[int, int, bool], int | None, datetime]] = field(
        default_factory=list
    )


def make_book(total: int, agencies: list[int], book: Book) -> None:
    from trueup.flows.demo import NAMES, STATES, TRADES
    from trueup.rating.rates import demo_rates

    rng, rates = book.rng, demo_rates()
    extra_classes = (("8742", 40_000, 160_000), ("8810", 30_000, 90_000))
    n = 0
    while len(book.audits) < total:
        n += 1
        trade_index = rng.randrange(len(TRADES))
        trade = TRADES[trade_index]
        state = rng.choice(STATES)
        states = [state]
        if rng.random() < 0.12:
            states.append(rng.choice([s for s in STATES if s != state]))
        book.insureds.append(
            row(
                id=n,
                name=f"{rng.choice(NAMES)} {trade.name} {n}",
                fein=f"{35_000_000 + n:09d}",
                entity_type=trade.entity,
                mailing_address=f"{rng.randint(10, 9999)} {rng.choice(NAMES)} Road\n{state}",
                contact_name=f"Owner {n}",
                contact_email=f"owner{n}@example.com",
                contact_phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                agency_id=rng.choice(agencies),
            )
        )
        book.policies.append(row(id=n, insured_id=n, number=f"WC-{n:07d}", line="WC"))
        classes = list(trade.classes)
        if rng.random() < 0.3:
            extra = next(c for c in extra_classes if c[0] not in {k[0] for k in classes})
            classes.append(extra)
        effective = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 670))
        for term in range(2 if rng.random() < 0.6 else 1):
            start = add_years(effective, term)
            expiration = add_years(start, 1)
            cancelled = start + timedelta(days=rng.randint(60, 300)) if rng.random() < 0.1 else None
            mod = rng.choice(("0.85", "0.92", "1.00", "1.00", "1.12"))
            estimates = [
                (states[i % len(states)], code, Decimal(rng.randrange(low, high, 1000)))
                for i, (code, low, high) in enumerate(classes)
            ]
            manual = Decimal(0)
            for s, code, exposure in estimates:
                found = rates.lookup(s, "WC", code, start)
                assert found is not None, (s, code, start)
                manual += exposure * found.rate / 100
            deposit = (manual * Decimal(mod)).quantize(Decimal("0.01"))
            period_id = len(book.periods) + 1
            book.periods.append(
                row(
                    id=period_id,
                    policy_id=n,
                    effective=start,
                    expiration=expiration,
                    states=states,
                    cancellation_date=cancelled,
                    cancellation_basis="pro_rata" if cancelled else "",
                    experience_mods=[{"factor": mod, "effective": start.isoformat()}],
                    deposit_premium=deposit,
                )
            )
            for s, code, exposure in estimates:
                book.estimates.append(
                    row(
                        id=len(book.estimates) + 1,
                        period_id=period_id,
                        state=s,
                        class_code=code,
                        exposure=exposure,
                    )
                )
            ended = cancelled or expiration
            if ended <= TODAY and len(book.audits) < total:
                key = (trade_index, len(states), False)
                audit, moves = make_audit(
                    book, total, period_id, ended, cancelled is not None, deposit, key
                )
                make_facts(book, audit, moves, estimates, trade.entity)
                make_documents(book, audit, moves, estimates, trade.entity)
            if cancelled:
                break  # a cancelled policy is not renewed


def make_audit(
    book: Book,
    total: int,
    period_id: int,
    ended: date,
    cancelled: bool,
    deposit: Decimal,
    key: tuple[int, int, bool],
) -> tuple[Row, dict[str, datetime]]:
    """The audit of an ended period, its status history and, for a revised audit, its revision.
    Returns the audit and when it moved to each status."""
    rng = book.rng
    waived = not cancelled and deposit < 750  # schedule.toml: waived below $750
    status = "waived" if waived else pick_status(rng, (TODAY - ended).days)
    if status == "revised" and len(book.audits) + 2 > total:
        status = "completed"  # no room left for the revision
    method = "physical" if deposit >= 10_000 else "mail"
    roll = rng.random()
    method = "virtual" if roll < 0.25 else "telephone" if roll < 0.35 else method
    vendor: int | None = None
    if book.vendor_auditors and rng.random() < 0.1:
        vendor = rng.choice(list(book.vendor_auditors))
        assignee: int | None = rng.choice(book.vendor_auditors[vendor])
    else:
        assignee = rng.choice(book.auditors)
    if status in ("scheduled", "waived") and rng.random() < 0.4:
        assignee = None
    path = status_path(rng, status)
    preparer = assignee if {"in_review", "completed"} & set(path) else None
    audit_id = len(book.audits) + 1
    audit = row(
        id=audit_id,
        period_id=period_id,
        type="waived" if waived else "cancellation" if cancelled else "final",
        method=method,
        status=status,
        assignee_id=assignee,
        prepared_by_id=preparer,
        start_date=ended,
        due_date=ended + timedelta(days=30 if cancelled else 60),
        rush=cancelled,
        created_at=at(ended, rng),
    )
    if book.audit_has_vendor:
        audit["vendor_id"] = vendor
    book.audits.append(audit)
    kind = "cancellation" if cancelled else "final"
    moves = [("scheduled", status if waived else "scheduled", f"{kind} audit scheduled")]
    previous = "scheduled"
    for to in path:
        moves.append((previous, to, REASONS.get(to, "")))
        previous = to
    days = sorted(rng.randint(0, max(1, (TODAY - ended).days)) for _ in moves[1:])
    stamps = [audit["created_at"], *(at(ended + timedelta(days=d), rng) for d in days)]
    rated_at = stamps[-1]
    for (from_status, to_status, reason), stamp in zip(moves, stamps, strict=True):
        if to_status in ("in_review", "completed", "estimated"):
            rated_at = stamp
        by = assignee if to_status not in ("revised", "reversed") else rng.choice(book.managers)
        book.changes.append(
            row(
                id=len(book.changes) + 1,
                audit_id=audit_id,
                from_status=from_status,
                to_status=to_status,
                by_id=by if from_status != to_status else None,
                at=stamp,
                reason=reason,
            )
        )
    if status in RATED:
        rate_key = (key[0], key[1], status == "estimated")
        book.to_rate.append((audit_id, rate_key, preparer or assignee, rated_at))
    if status == "revised":
        revision_status = "completed" if rng.random() < 0.75 else "in_review"
        revision_id = audit_id + 1
        revision = row(
            id=revision_id,
            period_id=period_id,
            type=audit["type"],
            method=method,
            status=revision_status,
            assignee_id=assignee,
            prepared_by_id=assignee,
            revision_of_id=audit_id,
            start_date=stamps[-1].date(),
            due_date=stamps[-1].date() + timedelta(days=30),
            created_at=stamps[-1],
        )
        if book.audit_has_vendor:
            revision["vendor_id"] = vendor
        book.audits.append(revision)
        done = at(min(TODAY, stamps[-1].date() + timedelta(days=rng.randint(1, 20))), rng)
        for from_status, to_status, reason, stamp in (
            ("in_progress", "in_progress", f"revision of audit {audit_id}", stamps[-1]),
            ("in_progress", revision_status, "", done),
        ):
            book.changes.append(
                row(
                    id=len(book.changes) + 1,
                    audit_id=revision_id,
                    from_status=from_status,
                    to_status=to_status,
                    by_id=assignee,
                    at=stamp,
                    reason=reason,
                )
            )
        book.to_rate.append((revision_id, key, assignee, done))
    when: dict[str, datetime] = {}
    for (_, to_status, _), stamp in zip(moves, stamps, strict=True):
        when.setdefault(to_status, stamp)
    return audit, when


def make_facts(
    book: Book,
    audit: Row,
    moves: dict[str, datetime],
    estimates: list[tuple[str, str, Decimal]],
    entity: str,
) -> None:
    """Audited payroll near the estimate (1 to 3 lines a class), an officer, sometimes a sub,
    each with its line in the edit history; for the audit and its revision, if any (a revision
    starts with a copy of the facts)."""
    rng = book.rng
    status = audit["status"]
    if status not in WITH_FACTS and not (status == "in_progress" and rng.random() < 0.7):
        return
    first_state, first_class = estimates[0][0], estimates[0][1]
    with_sub = rng.random() < 0.2
    officer_pay = Decimal(rng.choice((45_000, 90_000, 180_000, 320_000)))
    lines = []
    for state, code, exposure in estimates:
        gross = (exposure * Decimal(rng.randint(80, 130)) / 100).quantize(Decimal(1))
        count = rng.randint(1, 3)
        parts = [(gross / count).quantize(Decimal(1))] * (count - 1)
        parts.append(gross - sum(parts))
        for k, part in enumerate(parts, 1):
            lines.append((state, code, f"{code} staff {k}", part))
    worked: datetime = moves.get("in_progress") or audit["created_at"]
    edits: list[str] = []
    audit_ids = [audit["id"]] if status != "revised" else [audit["id"], audit["id"] + 1]
    for audit_id in audit_ids:
        for state, code, employee, gross in lines:
            book.payroll.append(
                row(
                    id=len(book.payroll) + 1,
                    audit_id=audit_id,
                    state=state,
                    class_code=code,
                    employee=employee,
                    gross=gross,
                    overtime_total=(gross * Decimal("0.06")).quantize(Decimal(1)),
                    section_125=(gross * Decimal("0.02")).quantize(Decimal(1)),
                )
            )
            edits.append(f"added payroll line {employee} {state} {code}")
        if entity in ("corporation", "llc"):
            book.owners.append(
                row(
                    id=len(book.owners) + 1,
                    audit_id=audit_id,
                    name="Pat Owner",
                    role="executive_officer" if entity == "corporation" else "llc_member",
                    state=first_state,
                    class_code=first_class,
                    actual_pay=officer_pay,
                    coverage="included",
                    ownership_percent=Decimal(60),
                )
            )
            edits.append(f"added officer/owner Pat Owner {first_state} {first_class}")
        if with_sub:
            book.subcontractors.append(
                row(
                    id=len(book.subcontractors) + 1,
                    audit_id=audit_id,
                    name="Ace Subcontracting",
                    state=first_state,
                    class_code=first_class,
                    contract_cost=Decimal(rng.randint(10, 80) * 1000),
                    contract_type="labor_and_materials",
                )
            )
            edits.append(f"added subcontractor Ace Subcontracting {first_state} {first_class}")
        if audit_id == audit["id"]:  # a revision's copy of the facts is not an edit
            for minutes, summary in enumerate(edits, 1):
                book.edits.append(
                    row(
                        id=len(book.edits) + 1,
                        audit_id=audit_id,
                        by_id=audit["assignee_id"],
                        at=worked + timedelta(minutes=5 * minutes),
                        summary=summary,
                    )
                )


CONSTRUCTION = ("5000", "6999")  # schedule.toml [construction]


def make_documents(
    book: Book,
    audit: Row,
    moves: dict[str, datetime],
    estimates: list[tuple[str, str, Decimal]],
    entity: str,
) -> None:
    """The records checklist (schedule.toml's rules) once records were asked for, an entrance
    interview for most audits worked, a finding on some rated ones, each in the edit history."""
    from trueup.audits.scheduling import rules

    rng = book.rng
    status, by = audit["status"], audit["assignee_id"]
    classes = {code for _, code, _ in estimates}
    documented: list[tuple[datetime, str]] = []
    asked = moves.get("records_requested")
    if asked is not None:
        received = status not in ("records_requested", "estimated")
        for rule in rules()["records"]:
            if "methods_any" in rule and audit["method"] not in rule["methods_any"]:
                continue
            if "entity_types_any" in rule and entity not in rule["entity_types_any"]:
                continue
            if "classes_any" in rule and not classes & set(rule["classes_any"]):
                continue
            if rule.get("construction") and not any(
                CONSTRUCTION[0] <= c <= CONSTRUCTION[1] for c in classes
            ):
                continue
            book.records.append(
                row(
                    id=len(book.records) + 1,
                    audit_id=audit["id"],
                    kind=rule["kind"],
                    status=rng.choice(("accepted", "accepted", "received"))
                    if received
                    else "needed",
                    why=rule["source"][:300],
                    updated_by_id=by,
                    updated_at=moves.get("records_received", asked),
                )
            )
    worked = moves.get("in_progress")
    if worked is not None and rng.random() < 0.6:
        held = worked.date()
        book.interviews.append(
            row(
                id=len(book.interviews) + 1,
                audit_id=audit["id"],
                kind="entrance",
                held_on=held,
                contact=f"Owner of policy period {audit['period_id']}",
                contact_title=rng.choice(("Owner", "Bookkeeper", "Controller", "Office manager")),
                operations="Operations as described on the application; no new locations.",
                changes=rng.choice(
                    (
                        "",
                        "Added a second crew in the spring.",
                        "Sold the bakery's retail counter mid-term.",
                    )
                ),
                average_employees=rng.randint(2, 60),
                notes="Records kept in QuickBooks; payroll by an outside service.",
                by_id=by,
                at=worked,
            )
        )
        documented.append((worked, f"entrance interview with the owner on {held}"))
    rated = moves.get("in_review") or moves.get("completed")
    if rated is not None and rng.random() < 0.3:
        code = rng.choice(sorted(classes))
        text = f"Clerical employees found in class {code}: moved to 8810 where records support it."
        book.findings.append(
            row(
                id=len(book.findings) + 1,
                audit_id=audit["id"],
                kind=rng.choice(("classification", "payroll", "records", "policy_change")),
                state=estimates[0][0],
                class_code=code,
                text=text,
                recommendation="Add 8810 to the renewal with an estimated exposure.",
                for_underwriting=rng.random() < 0.3,
                by_id=by,
                at=rated,
            )
        )
        documented.append((rated, f"finding (classification): {text}"))
    for stamp, summary in documented:
        book.edits.append(
            row(id=len(book.edits) + 1, audit_id=audit["id"], by_id=by, at=stamp, summary=summary)
        )


def make_staff(book_rng: random.Random) -> tuple[list[int], list[int], dict[int, list[int]]]:
    """20 department auditors, reviewers, managers and, where the model has them, three vendor
    firms with two auditors each. One password hash for all (hashing is slow on purpose)."""
    from django.apps import apps
    from django.contrib.auth.hashers import make_password

    from trueup.accounts.models import Role, User

    password = make_password("trueup-bench")
    first = ("Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo")
    last = ("Lopez", "Nguyen", "Smith", "Okafor", "Meyer", "Rossi", "Kim", "Walsh")

    def user(name: str, role: str, amount: int, percent: int, **extra: Any) -> User:
        return User(
            username=name,
            password=password,
            role=role,
            first_name=book_rng.choice(first),
            last_name=book_rng.choice(last),
            email=f"{name}@example.com",
            authority_amount=Decimal(amount),
            authority_percent=Decimal(percent),
            **extra,
        )

    auditors = User.objects.bulk_create(
        user(f"auditor{n:02d}", Role.AUDITOR, 2500, 10) for n in range(1, 21)
    )
    User.objects.bulk_create(user(f"reviewer{n:02d}", Role.REVIEWER, 25_000, 50) for n in (1, 2, 3))
    managers = User.objects.bulk_create(
        user(f"manager{n:02d}", Role.MANAGER, 250_000, 1000, is_staff=True) for n in (1, 2)
    )
    vendors: dict[int, list[int]] = {}
    if has_field(User, "vendor"):
        firm_model = apps.get_model("accounts", "VendorFirm")
        for n, name in enumerate(("Keystone Audit Services", "Midwest Premium Audit", "Verity"), 1):
            firm = firm_model.objects.create(code=f"V{n}", name=name)
            staff = User.objects.bulk_create(
                user(f"vendor{n}-auditor{k}", Role.AUDITOR, 0, 0, vendor=firm) for k in (1, 2)
            )
            vendors[firm.pk] = [u.pk for u in staff]
    return [u.pk for u in auditors], [u.pk for u in managers], vendors


def load_book(total: int, seed: int) -> None:
    from django.db import connection, transaction

    from trueup.audits.models import (
        Audit,
        AuditEdit,
        Finding,
        InterviewNote,
        OwnerEntry,
        PayrollEntry,
        RecordsItem,
        StatusChange,
        SubcontractorEntry,
    )
    from trueup.policies.models import (
        Agency,
        Agent,
        EstimatedExposure,
        Insured,
        Policy,
        PolicyPeriod,
    )

    started = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        auditors, managers, vendors = make_staff(rng)
        agencies = Agency.objects.bulk_create(
            Agency(code=f"AG{n:03d}", name=f"Agency {n}") for n in range(1, 31)
        )
        Agent.objects.bulk_create(
            Agent(agency=a, name=f"Agent {a.pk}-{k}", email=f"agent{a.pk}-{k}@example.com")
            for a in agencies
            for k in (1, 2)
        )
        book = Book(rng, auditors, managers, vendors, has_field(Audit, "vendor"))
        make_book(total, [a.pk for a in agencies], book)
        made = time.perf_counter()
        tables: list[tuple[type[Model], list[Row]]] = [
            (Insured, book.insureds),
            (Policy, book.policies),
            (PolicyPeriod, book.periods),
            (EstimatedExposure, book.estimates),
            (Audit, book.audits),
            (StatusChange, book.changes),
            (PayrollEntry, book.payroll),
            (OwnerEntry, book.owners),
            (SubcontractorEntry, book.subcontractors),
            (AuditEdit, book.edits),
            (RecordsItem, book.records),
            (InterviewNote, book.interviews),
            (Finding, book.findings),
        ]
        counts = {model._meta.db_table: copy_rows(model, rows) for model, rows in tables}
        reset_sequences(model for model, _ in tables)
    copied = time.perf_counter()
    results = load_results(book.to_rate)
    rated = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    print(
        f"loaded {len(book.audits):,} audits in {done - started:.1f} s: rows made in memory "
        f"{made - started:.1f} s, COPY {copied - made:.1f} s, results {rated - copied:.1f} s, "
        f"VACUUM ANALYZE {done - rated:.1f} s"
    )
    print(
        "  rows: "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items())
        + f", audits_resultsnapshot {results:,}"
    )


def load_results(to_rate: list[tuple[int, tuple[int, int, bool], int | None, datetime]]) -> int:
    """Rate one audit per (trade, number of states, estimated) with the engine, through the
    service, then copy each such result to every other audit of its kind, inside the database.
    The copies keep the worksheet and result of the audit that was rated."""
    from django.db import connection

    from trueup.accounts.models import User
    from trueup.audits.models import Audit, ResultSnapshot
    from trueup.audits.services import rated_snapshot
    from trueup.audits.worksheet import worksheet_for
    from trueup.reference.selectors import rates_in_use

    # The book is loaded with its audits already in their statuses, most of them final, which
    # audit_rate refuses to re-price; the loader rates with the engine as audit_rate does and
    # keeps the snapshot as the result those audits had when they became final.
    rates = rates_in_use()
    templates: dict[tuple[int, int, bool], int] = {}
    rated_ids: set[int] = set()
    for audit_id, key, by, stamp in to_rate:
        if key in templates:
            continue
        audit = Audit.objects.select_related("period__policy__insured").get(pk=audit_id)
        user = User.objects.get(pk=by) if by else None
        try:
            snapshot = rated_snapshot(audit, worksheet_for(audit), by=user, rates=rates)
            snapshot.save()
        except Exception as exc:  # a worksheet the engine refuses: try another audit
            print(f"  audit {audit_id} could not be rated ({exc}); trying another")
            continue
        # Dated when the audit was submitted, like the copies (the bench book only).
        ResultSnapshot.objects.filter(pk=snapshot.pk).update(created_at=stamp)
        templates[key] = snapshot.pk
        rated_ids.add(audit_id)
    if not templates:
        raise SystemExit("no audit could be rated: the book has no results")
    fallback = {estimated: pk for (_, _, estimated), pk in templates.items()}
    fields = [f for f in ResultSnapshot._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    from_map = {"audit_id": "m.audit_id", "created_by_id": "m.created_by_id", "created_at": "m.at"}
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(from_map.get(f.column, f"t.{quote(f.column)}") for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_results "
            "(audit_id bigint, template_id bigint, created_by_id bigint, at timestamptz)"
        )
        with cursor.cursor.copy("COPY bench_results FROM STDIN") as copy:
            for audit_id, key, by, stamp in to_rate:
                if audit_id not in rated_ids:
                    copy.write_row((audit_id, templates.get(key, fallback[key[2]]), by, stamp))
        cursor.execute(
            f"INSERT INTO {quote(ResultSnapshot._meta.db_table)} ({columns}) "
            f"SELECT {values} FROM bench_results m "
            f"JOIN {quote(ResultSnapshot._meta.db_table)} t ON t.id = m.template_id "
            "ORDER BY m.at, m.audit_id"
        )
        cursor.execute("DROP TABLE bench_results")
    print(f"  results: {len(templates)} audits rated by the engine, copied to the others")
    return ResultSnapshot.objects.count()


def prepare_figures() -> None:
    """Rebuild the figures the dashboard reads, as the scheduled task does every quarter hour."""
    from trueup.reporting.figures import refresh

    started = time.perf_counter()
    run = refresh()
    print(f"figures rebuilt for {run.audits:,} audits in {time.perf_counter() - started:.1f} s")


# ------------------------------------------------------------------------------------------
# Who the load comes from


def session_cookie(user: User) -> str:
    """A logged-in session for ``user``, made as django.contrib.auth.login makes it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that signs users in (the first, django-axes', only counts failed attempts).
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save(must_create=True)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def api_key(user: User) -> str:
    from trueup.accounts.models import ApiToken
    from trueup.accounts.services import api_token_create

    ApiToken.objects.filter(user=user, name="bench/web.py").delete()
    _, key = api_token_create(user=user, name="bench/web.py")
    return key


# An endpoint: name, weight in the mix, the paths it is asked for, the headers it sends.
Endpoint = tuple[str, int, list[str], dict[str, str]]


def endpoints(seed: int) -> list[Endpoint]:
    from trueup.accounts.models import User
    from trueup.audits.models import Audit
    from trueup.flows.demo import STATES

    rng = random.Random(seed)
    user = User.objects.get(username=BENCH_USER)
    staff = {"Cookie": session_cookie(user)}
    manager = {"Cookie": session_cookie(User.objects.get(username="manager01"))}
    api = {"Authorization": f"Bearer {api_key(user)}"}
    ids = list(Audit.objects.values_list("id", flat=True))
    audits = [rng.choice(ids) for _ in range(5000)]
    # The form's filters: status (a status or "open"), state, assignee ("me"), sort ("due").
    filtered = [
        f"/audits/?status={status}&state={state}&sort=due" + (f"&page={page}" if page > 1 else "")
        for status in ("open", "in_progress", "records_requested", "in_review")
        for state in STATES
        for page in (1, 1, 2)
    ] + [f"/audits/?assignee=me&status=open&page={page}" for page in (1, 1, 1, 2, 3)] * 5
    return [
        ("worklist", 20, [f"/audits/?page={rng.randint(1, 20)}" for _ in range(500)], staff),
        ("worklist, filtered", 15, filtered, staff),
        ("audit page", 30, [f"/audits/{i}/" for i in audits], staff),
        ("API GET audit", 25, [f"/api/audits/{i}" for i in audits], api),
        # The managers' dashboard: the last year, every state (answered from the figures'
        # snapshot, rebuilt by prepare_figures before the run).
        ("dashboard", 5, ["/dashboard/"], manager),
        (FLOOR, 10, ["/healthz"], {}),
    ]


# ------------------------------------------------------------------------------------------
# The server


def port_in_use() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, PORT)) == 0


def get(path: str, headers: dict[str, str], timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    if port_in_use():
        raise SystemExit(f"port {PORT} is in use: stop whatever listens there first")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "trueup.wsgi:application",
        f"--bind={HOST}:{PORT}",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads}",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "TRUEUP_DEBUG": "0"}
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}; see {log}")
        if port_in_use():
            return server
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start listening within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ------------------------------------------------------------------------------------------
# The load, from a second process


class Stats(TypedDict):
    latencies_ns: list[int]  # of the 200 answers
    errors: dict[str, int]  # HTTP status or exception → count
    bytes: int


class DriveResult(TypedDict):
    elapsed: float
    stats: dict[str, Stats]
    unsent: int  # paced runs: requests due before the end that were never sent
    cpu: dict[str, float]  # CPU seconds over the measured run, by who used them


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far: the machine (all cores), gunicorn's master and workers,
    PostgreSQL's backends serving the bench database, its other processes (and other
    databases), and this process. Backends that exit during the run are not counted."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    totals = {"machine busy": (sum(values[:8]) - idle) / tick, "gunicorn": 0.0}
    totals[f"postgres ({DB_NAME})"] = totals["postgres (other)"] = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == server_pid or int(fields[1]) == server_pid:
            totals["gunicorn"] += used
        elif name.startswith("postgres"):
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    ours = f" {DB_NAME} ".encode() in f.read()
            except OSError:
                ours = False
            totals[f"postgres ({DB_NAME})" if ours else "postgres (other)"] += used
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals["driver (this client)"] = usage.ru_utime + usage.ru_stime
    return totals


def machine_busy(seconds: float) -> float:
    """How busy the machine's cores were over ``seconds``, in % of one core."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values[:8]), values[3] + values[4]

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    cores = os.cpu_count() or 1
    return 100 * cores * (1 - (idle2 - idle) / max(1, total2 - total))


def run_load(
    mix: list[Endpoint], concurrency: int, seconds: float, rate: float | None, seed: int
) -> tuple[float, dict[str, Stats], int]:
    names = [name for name, _, _, _ in mix]
    weights = list(_accumulate(w for _, w, _, _ in mix))
    per_thread: list[dict[str, Stats]] = []
    start = time.perf_counter_ns()
    deadline = start + int(seconds * 1e9)
    interval = int(concurrency / rate * 1e9) if rate else 0
    finished: list[int] = []
    unsent: list[int] = []

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        stats: dict[str, Stats] = {n: {"latencies_ns": [], "errors": {}, "bytes": 0} for n in names}
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        due = start + interval * index // concurrency
        while True:
            now = time.perf_counter_ns()
            if interval and due >= deadline:
                break
            if now >= deadline:
                if interval:  # due before the end but never sent: the server fell behind
                    unsent.append((deadline - due - 1) // interval + 1)
                break
            if interval:
                if due > now:
                    time.sleep((due - now) / 1e9)
                sent, due = due, due + interval
            else:
                sent = now
            name, _, paths, headers = mix[_pick(rng.random() * weights[-1], weights)]
            outcome: str | int
            try:
                conn.request("GET", rng.choice(paths), headers=headers)
                response = conn.getresponse()
                body = response.read()
                outcome = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                outcome, body = type(exc).__name__, b""
            took = time.perf_counter_ns() - sent
            if outcome == 200:
                stats[name]["latencies_ns"].append(took)
                stats[name]["bytes"] += len(body)
            else:
                key = str(outcome)
                stats[name]["errors"][key] = stats[name]["errors"].get(key, 0) + 1
        conn.close()
        per_thread.append(stats)
        finished.append(time.perf_counter_ns())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged: dict[str, Stats] = {n: {"latencies_ns": [], "errors": {}, "bytes": 0} for n in names}
    for stats in per_thread:
        for name, s in stats.items():
            merged[name]["latencies_ns"].extend(s["latencies_ns"])
            merged[name]["bytes"] += s["bytes"]
            for key, count in s["errors"].items():
                merged[name]["errors"][key] = merged[name]["errors"].get(key, 0) + count
    return (max(finished) - start) / 1e9, merged, sum(unsent)


def _accumulate(values: Iterable[int]) -> Iterable[int]:
    total = 0
    for value in values:
        total += value
        yield total


def _pick(point: float, cumulative: list[int]) -> int:
    return next(i for i, edge in enumerate(cumulative) if point < edge)


def drive(
    mix: list[Endpoint],
    concurrency: int,
    warmup: float,
    seconds: float,
    rate: float | None,
    seed: int,
    server_pid: int,
    out: Connection,
) -> None:
    """The second process: warm up, then the measured run, with CPU counted around it."""
    if warmup > 0:
        run_load(mix, concurrency, warmup, rate, seed + 1)
    before = cpu_seconds(server_pid)
    elapsed, stats, unsent = run_load(mix, concurrency, seconds, rate, seed)
    after = cpu_seconds(server_pid)
    cpu = {key: max(0.0, after[key] - before.get(key, 0.0)) for key in after}
    ours = cpu["gunicorn"] + cpu[f"postgres ({DB_NAME})"] + cpu["driver (this client)"]
    cpu["everything else"] = max(0.0, cpu["machine busy"] - ours - cpu["postgres (other)"])
    out.send(DriveResult(elapsed=elapsed, stats=stats, unsent=unsent, cpu=cpu))
    out.close()


# ------------------------------------------------------------------------------------------
# The report


def percentile(ordered: list[int], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] / 1e6


def report(result: DriveResult, args: argparse.Namespace, skipped: list[str]) -> bool:
    elapsed, stats = result["elapsed"], result["stats"]
    mode = f"paced to {args.rate:g} req/s" if args.rate else "closed loop"
    print(
        f"\n{args.seconds:g} s at concurrency {args.concurrency} ({mode}); gunicorn "
        f"{args.worker_class} × {args.workers} workers × {args.threads} threads; "
        f"measured {elapsed:.1f} s"
    )
    header = f"{'':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"{header}{'KB':>7}{'errors':>8}")
    rows: dict[str, tuple[list[int], int, int]] = {}
    for name, s in stats.items():
        if name in skipped:
            continue
        rows[name] = (sorted(s["latencies_ns"]), sum(s["errors"].values()), s["bytes"])
    pages = [n for n in rows if n != FLOOR]
    rows["all pages (no floor)"] = (
        sorted(x for n in pages for x in rows[n][0]),
        sum(rows[n][1] for n in pages),
        sum(rows[n][2] for n in pages),
    )
    everything = [n for n in rows if n != "all pages (no floor)"]
    rows["everything"] = (
        sorted(x for n in everything for x in rows[n][0]),
        sum(rows[n][1] for n in everything),
        sum(rows[n][2] for n in everything),
    )
    for name, (ordered, errors, size) in rows.items():
        count = len(ordered) + errors
        if not count:
            continue
        kb = size / len(ordered) / 1024 if ordered else 0.0
        print(
            f"{name:<22}{count:>9,}{count / elapsed:>8.1f}{percentile(ordered, 0.5):>9.1f}"
            f"{percentile(ordered, 0.95):>9.1f}{percentile(ordered, 0.99):>9.1f}{kb:>7.1f}"
            f"{errors:>8}"
        )
    cpu, served = result["cpu"], len(rows["everything"][0]) + rows["everything"][1]
    print(
        f"CPU over the run, % of one core ({os.cpu_count()} cores): "
        + ", ".join(f"{key} {100 * value / elapsed:.0f} %" for key, value in cpu.items())
    )
    if served:
        print(
            "CPU per request, ms: "
            + ", ".join(f"{key} {1000 * value / served:.1f}" for key, value in cpu.items())
        )
    failed = False
    for name, s in stats.items():
        if s["errors"]:
            failed = True
            print(f"!!! ERRORS on {name}: {s['errors']}")
    behind = result["unsent"] > 0
    if behind:
        print(
            f"!!! {result['unsent']:,} requests were due before the end and never sent: the "
            f"server fell behind {args.rate:g} req/s"
        )
    for name in skipped:
        print(f"!!! SKIPPED {name}: the endpoint answers 404 (not there yet), left out of the mix")
    ordered, errors, _ = rows["all pages (no floor)"]
    if not ordered and not errors:
        print("target: not checked (no pages in this run's mix)")
        return False
    rps, p95 = (len(ordered) + errors) / elapsed, percentile(ordered, 0.95)
    verdicts = []
    for rate in TARGET_RPS:
        met = rps >= rate and p95 <= TARGET_P95_MS and not (failed or skipped or behind)
        verdicts.append(met)
        print(
            f"target p95 ≤ {TARGET_P95_MS:g} ms at ≥ {rate:g} req/s (pages, no errors): "
            f"{'met' if met else 'NOT met'} ({rps:.1f} req/s, p95 {p95:.1f} ms"
            + (", with errors" if failed else "")
            + (", endpoints skipped" if skipped else "")
            + (", behind the pace" if behind else "")
            + ")"
        )
    if failed:
        print("!!! THIS RUN HAD ERRORS: its figures do not count")
    return all(verdicts)


# ------------------------------------------------------------------------------------------


def serving_settings() -> None:
    """The settings the page benches run the app under: as in production (DEBUG off), with a key
    of the run's own (the settings refuse to start without one when DEBUG is off; a server
    started later inherits it, so the session cookies made here are valid there). The benches
    measure pages, not signing in: their sessions give no second factor, so none is asked for."""
    os.environ["TRUEUP_DEBUG"] = "0"
    os.environ.setdefault("TRUEUP_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["TRUEUP_STAFF_2FA"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trueup.settings")


def use_sized_book(size: int) -> None:
    """Point this process at the database of the book of ``size`` audits that bench/dashboard.py
    and bench/pages.py share (``trueup_bench_dash_<size>``): before Django reads its settings, so
    one book per process."""
    global DB_NAME, DATABASE_URL
    DB_NAME = f"trueup_bench_dash_{size}"
    DATABASE_URL = f"{PG_SERVER}/{DB_NAME}"
    os.environ["DATABASE_URL"] = DATABASE_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reload", action="store_true", help="load the book even if it is there")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load before measuring")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rate", type=float, help="pace the load to this many req/s in all")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--only", help="comma-separated parts of endpoint names to keep, e.g. healthz,API"
    )
    machine.add_arguments(parser)
    args = parser.parse_args()
    machine.check(args, during=False)

    if not DB_NAME.startswith("trueup_bench"):
        raise SystemExit(
            f"TRUEUP_BENCH_DB={DB_NAME}: the bench drops its database, so the name "
            "must start with trueup_bench"
        )
    os.environ["DATABASE_URL"] = DATABASE_URL
    serving_settings()
    import django

    django.setup()
    prepare_database(args.audits, args.seed, args.reload)
    prepare_figures()
    mix = endpoints(args.seed)
    if args.only:
        keep = [part.strip().lower() for part in args.only.split(",")]
        mix = [e for e in mix if any(part in e[0].lower() for part in keep)]
    from django.db import connections

    connections.close_all()

    busy = machine_busy(3)
    print(f"machine busy before the run (no server yet): {busy:.0f} % of one core")
    if busy > 15:
        print("!!! something else is using the CPU: the figures will be low and noisy")
    log = Path(tempfile.gettempdir()) / "trueup-bench-gunicorn.log"
    log.write_text("")
    server = start_server(args, log)
    try:
        skipped = []
        for name, _, paths, headers in mix:
            status, body = get(paths[0], headers)
            if status == 404:
                skipped.append(name)
            elif status != 200:
                print(f"!!! {name}: GET {paths[0]} answers {status}: {body[:200]!r}")
        mix = [e for e in mix if e[0] not in skipped]
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        driver = context.Process(
            target=drive,
            args=(
                mix,
                args.concurrency,
                args.warmup,
                args.seconds,
                args.rate,
                args.seed,
                server.pid,
                sender,
            ),
        )
        driver.start()
        sender.close()
        result: DriveResult = receiver.recv()
        driver.join()
    finally:
        stop_server(server)
    if log.read_text().strip():
        print(f"gunicorn's log ({log}):\n" + log.read_text()[-3000:])
    report(result, args, skipped)


if __name__ == "__main__":
    main()
