"""Re-rating the book: when a new rate table is put in use, every open audit is rated again.

``rerate_start`` records the batch and one item per open audit, and enqueues the work in chunks
once that is committed. Each chunk (``rerate_chunk``, a background task) loads its audits by id
and, one audit per transaction, rates it with ``audit_rate`` and marks its item in that same
transaction. So a worker stopped at any moment (killed, the machine lost) leaves every audit
either re-rated and marked, or untouched and pending: nothing is lost and, because a chunk skips
items no longer pending, nothing is rated twice when the chunk runs again
(``rerate_continue``) or two workers get the same chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from trueup.accounts.models import User
from trueup.audits.models import (
    Audit,
    RerateBatch,
    RerateItem,
    RerateItemState,
    RerateStatus,
)
from trueup.audits.services import audit_rate
from trueup.audits.workflow import FACTS_EDITABLE
from trueup.core.tasks import enqueue_on_commit
from trueup.rating.errors import TrueUpError
from trueup.reference.models import RateTableStatus, RateTableVersion

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


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


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
    for chunk in _chunks(ids, chunk_size):
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
    for chunk in _chunks(ids, chunk_size):
        enqueue_on_commit(rerate_chunk, batch.pk, chunk)
    return len(ids)


def _rerate_one(batch: RerateBatch, audit_id: int) -> None:
    with transaction.atomic():
        item = (
            RerateItem.objects.select_for_update()
            .filter(batch=batch, audit_id=audit_id, state=RerateItemState.PENDING)
            .first()
        )
        if item is None:
            return  # done by an earlier run of this chunk (or another worker): not again
        audit = Audit.objects.select_for_update().get(pk=audit_id)
        if audit.status not in FACTS_EDITABLE:
            item.state = RerateItemState.SKIPPED
            item.message = (
                f"the audit became {audit.get_status_display().lower()} before its turn: "
                "its result is not re-priced"
            )
        else:
            try:
                # A savepoint: a rating refused leaves the item to be marked failed.
                with transaction.atomic():
                    item.result = audit_rate(audit=audit, by=batch.started_by)
                item.state = RerateItemState.DONE
            except TrueUpError as error:
                item.state = RerateItemState.FAILED
                item.message = error.message
        item.finished_at = timezone.now()
        item.save(update_fields=["state", "result", "message", "finished_at"])


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
    """Re-rate these audits of the batch (ids, loaded here); returns how many were re-rated."""
    batch = RerateBatch.objects.select_related("started_by").get(pk=batch_id)
    for audit_id in chunk_ids:
        _rerate_one(batch, audit_id)
    _finish_if_done(batch_id)
    return RerateItem.objects.filter(
        batch=batch, audit_id__in=chunk_ids, state=RerateItemState.DONE
    ).count()


def rerate_progress(batch: RerateBatch) -> dict[str, int]:
    """How many of the batch's audits are in each state, every state named (zero if none)."""
    counts = dict.fromkeys(RerateItemState.values, 0)
    for row in batch.items.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts
