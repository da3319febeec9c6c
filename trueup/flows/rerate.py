"""Re-rating the book: when a new rate table is put in use, every open audit is rated again.

``rerate_start`` records the batch and one item per open audit, and enqueues the work in chunks
once that is committed. Each chunk (``rerate_chunk``, a background task) is one transaction: it
locks its pending items and their audits, reads all their worksheets at once, rates each with
the engine as ``audit_rate`` would (a final audit is never re-priced), and stores the snapshots
and marks the items together. So a worker stopped at any moment (killed, the machine lost)
leaves the chunk either wholly re-rated and marked, or untouched and pending: nothing is lost
and, because a chunk takes only items still pending and not held by another worker, nothing is
rated twice when the chunk runs again or two workers get the same chunk.

A chunk whose worker was stopped is enqueued again by ``resume_stalled_reratings``, a periodic
task (``schedule.toml``), once its batch has made no progress for a while; an admin can also
do it at once (``rerate_continue``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from trueup.accounts.models import User
from trueup.audits.models import (
    Audit,
    RerateBatch,
    RerateItem,
    RerateItemState,
    RerateStatus,
    ResultSnapshot,
)
from trueup.audits.services import rated_snapshot
from trueup.audits.workflow import FACTS_EDITABLE, Status
from trueup.audits.worksheet import audits_for_worksheets, worksheet_for
from trueup.core.chunks import chunks
from trueup.core.scheduler import SCHEDULE
from trueup.core.tasks import enqueue_on_commit
from trueup.rating.errors import TrueUpError
from trueup.reference.models import RateTableStatus, RateTableVersion
from trueup.reference.selectors import rates_in_use

# Audits per task: small enough that a stopped worker's chunk is quickly done again by another,
# large enough that enqueueing 100,000 audits is a few hundred tasks, not 100,000.
CHUNK_SIZE = 200


def open_audits() -> list[int]:
    """The audits a re-rating covers: those whose facts can still change (final results are
    never re-priced; an audit in review keeps the result its preparer submitted)."""
    return list(
        Audit.objects.filter(status__in=sorted(FACTS_EDITABLE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def rerate_start(*, by: User | None, chunk_size: int = CHUNK_SIZE) -> RerateBatch:
    """Start re-rating every open audit with the rate table now in use."""
    ids = open_audits()
    batch = RerateBatch.objects.create(
        rate_table=RateTableVersion.objects.filter(status=RateTableStatus.ACTIVE).first(),
        started_by=by,
        total=len(ids),
        status=RerateStatus.RUNNING if ids else RerateStatus.FINISHED,
        finished_at=None if ids else timezone.now(),
    )
    RerateItem.objects.bulk_create(
        (RerateItem(batch=batch, audit_id=pk) for pk in ids), batch_size=5000
    )
    for chunk in chunks(ids, chunk_size):
        enqueue_on_commit(rerate_chunk, batch.pk, chunk)
    return batch


@transaction.atomic
def rerate_continue(*, batch: RerateBatch, chunk_size: int = CHUNK_SIZE) -> int:
    """Enqueue again the audits of a batch still pending (after a worker was stopped in the
    middle of a chunk, say). Safe while other chunks still run: an audit done meanwhile is
    skipped by whichever chunk comes second. Returns how many audits were enqueued."""
    ids = list(
        batch.items.filter(state=RerateItemState.PENDING)
        .order_by("audit_id")
        .values_list("audit_id", flat=True)
    )
    for chunk in chunks(ids, chunk_size):
        enqueue_on_commit(rerate_chunk, batch.pk, chunk)
    return len(ids)


def _rerate_chunk(batch: RerateBatch, chunk_ids: Sequence[int]) -> int:
    """One transaction for the whole chunk: its pending items and their audits locked, every
    worksheet read at once, each audit rated with the rates read once, the snapshots and the
    item marks written in bulk. Returns how many audits it re-rated."""
    with transaction.atomic():
        # Items another worker holds (the same chunk enqueued twice) are left to it; items no
        # longer pending were done by an earlier run.
        items = list(
            RerateItem.objects.select_for_update(skip_locked=True)
            .filter(batch=batch, audit_id__in=chunk_ids, state=RerateItemState.PENDING)
            .order_by("audit_id")
        )
        if not items:
            return 0
        # The audits locked in id order (so two chunks never wait on each other in a circle):
        # no change to their facts or status can slip in between reading and storing.
        statuses = dict(
            Audit.objects.select_for_update()
            .filter(pk__in=[item.audit_id for item in items])
            .order_by("pk")
            .values_list("pk", "status")
        )
        still_open = [pk for pk, status in statuses.items() if status in FACTS_EDITABLE]
        audits = {audit.pk: audit for audit in audits_for_worksheets(still_open)}
        rates = rates_in_use()
        now = timezone.now()
        rated: list[ResultSnapshot] = []
        for item in items:
            item.finished_at = now
            audit = audits.get(item.audit_id)
            if audit is None:
                status = Status(statuses[item.audit_id])
                item.state = RerateItemState.SKIPPED
                item.message = (
                    f"the audit became {status.label.lower()} before its turn: "
                    "its result is not re-priced"
                )
                continue
            try:
                snapshot = rated_snapshot(
                    audit, worksheet_for(audit), by=batch.started_by, rates=rates
                )
            except TrueUpError as error:
                item.state = RerateItemState.FAILED
                item.message = error.message
                continue
            item.state = RerateItemState.DONE
            rated.append(snapshot)
        _store(rated)
        _mark_done(batch, rated, now)
        others = [item for item in items if item.state != RerateItemState.DONE]
        if others:
            RerateItem.objects.bulk_update(others, ["state", "message", "finished_at"])
        return len(rated)


def _store(snapshots: list[ResultSnapshot]) -> None:
    """Insert the chunk's snapshots, each given its id. On PostgreSQL with ``COPY`` (ids drawn
    from the table's sequence first): an insert of 200 rows of 20 KB of JSON each spends most
    of its time having the driver quote every value into the statement; COPY sends them as
    they are. The values are the ones ``save()`` would send, so the rows are the same."""
    if not snapshots:
        return
    if connection.vendor != "postgresql":
        ResultSnapshot.objects.bulk_create(snapshots)
        return
    meta = ResultSnapshot._meta
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(snapshots)],
        )
        for snapshot, (pk,) in zip(snapshots, cursor.fetchall(), strict=True):
            snapshot.pk = pk
        rows = [
            [field.get_db_prep_save(field.pre_save(s, add=True), connection) for field in fields]
            for s in snapshots
        ]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _mark_done(batch: RerateBatch, snapshots: list[ResultSnapshot], now: datetime) -> None:
    """Mark the items of the audits just re-rated done, each with its new snapshot, in one
    statement (a CASE per item, as ``bulk_update`` writes it, costs more than the rating)."""
    if not snapshots:
        return
    new = ResultSnapshot.objects.filter(
        pk__in=[s.pk for s in snapshots], audit_id=OuterRef("audit_id")
    ).values("pk")[:1]
    RerateItem.objects.filter(batch=batch, audit_id__in=[s.audit_id for s in snapshots]).update(
        state=RerateItemState.DONE, result=Subquery(new), finished_at=now
    )


def _finish_if_done(batch_id: int) -> None:
    with transaction.atomic():
        batch = RerateBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == RerateStatus.FINISHED:
            return
        if batch.items.filter(state=RerateItemState.PENDING).exists():
            return
        batch.status = RerateStatus.FINISHED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])


@task()
def rerate_chunk(batch_id: int, chunk_ids: list[int]) -> int:
    """Re-rate these audits of the batch (ids, loaded here); returns how many this run
    re-rated (none when an earlier run, or another worker, did them)."""
    batch = RerateBatch.objects.select_related("started_by").get(pk=batch_id)
    rerated = _rerate_chunk(batch, chunk_ids)
    _finish_if_done(batch_id)
    return rerated


# schedule.toml's entry for the task below, which also says after how long without progress a
# batch counts as stalled.
RESUME_ENTRY = "resume_reratings"


def stalled_after(today: date, path: Path = SCHEDULE) -> timedelta:
    """How long a running batch may go without an item finished before its pending audits are
    enqueued again: ``stalled_after_minutes`` of the ``resume_reratings`` entry in effect."""
    with path.open("rb") as file:
        entries = [e for e in tomllib.load(file)["task"] if e["name"] == RESUME_ENTRY]
    current = max(
        (e for e in entries if e["effective"] <= today), key=lambda e: e["effective"], default=None
    )
    if current is None:
        raise ValueError(f"schedule.toml has no {RESUME_ENTRY} entry in effect on {today}")
    return timedelta(minutes=int(current["stalled_after_minutes"]))


def stalled_batches(now: datetime, after: timedelta) -> list[RerateBatch]:
    """Running batches whose last item finished (or which started, if none has) ``after`` ago or
    more: a worker stopped in the middle of one of their chunks, and nothing will take it up."""
    batches = RerateBatch.objects.filter(status=RerateStatus.RUNNING).annotate(
        last_progress=Coalesce(Max("items__finished_at"), "created_at")
    )
    return [batch for batch in batches if now - batch.last_progress >= after]


@task()
def resume_stalled_reratings() -> int:
    """Enqueue again the pending audits of every stalled batch, so a stopped worker's chunk is
    finished without anyone asking. Safe to overlap with workers still busy: a chunk takes only
    what is still pending. Returns how many audits were enqueued again."""
    now = timezone.now()
    after = stalled_after(timezone.localdate())
    enqueued = 0
    for batch in stalled_batches(now, after):
        enqueued += rerate_continue(batch=batch)
        # A batch whose last items were done by a chunk that then stopped before finishing it
        # has nothing pending: it is finished now.
        _finish_if_done(batch.pk)
    return enqueued


def rerate_progress(batch: RerateBatch) -> dict[str, int]:
    """How many of the batch's audits are in each state, every state named (zero if none)."""
    counts = dict.fromkeys(RerateItemState.values, 0)
    for row in batch.items.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts
