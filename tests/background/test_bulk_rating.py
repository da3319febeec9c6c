"""The book-level batch's bulk path: a chunk's worksheets read at once are the ones read audit by
audit, its snapshots are the ones ``audit_rate`` stores, a chunk stopped in the middle leaves
nothing behind, and a stalled batch is taken up again by the periodic task."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.background.conftest import needs_shared_database, open_audits_like
from trueup.accounts.models import User
from trueup.audits import services
from trueup.audits.models import (
    Audit,
    GLExposureEntry,
    OwnerEntry,
    PayrollEntry,
    RerateBatch,
    RerateItem,
    RerateItemState,
    RerateStatus,
    ResultSnapshot,
    SubcontractorEntry,
)
from trueup.audits.services import audit_rate
from trueup.audits.workflow import Status
from trueup.audits.worksheet import worksheet_for, worksheets_for
from trueup.core.scheduler import cadences
from trueup.flows import rerate
from trueup.flows.rerate import (
    rerate_chunk,
    rerate_progress,
    rerate_start,
    resume_stalled_reratings,
    stalled_after,
)
from trueup.policies.models import EstimatedExposure, Insured, Policy, PolicyPeriod

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FACTS: dict[str, type[Any]] = {
    "payroll": PayrollEntry,
    "officers": OwnerEntry,
    "subcontractors": SubcontractorEntry,
    "gl_exposures": GLExposureEntry,
}


def _row(model: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in model._meta.concrete_fields}
    renamed = {("class_code" if k == "class" else k): v for k, v in values.items()}
    return {k: v for k, v in renamed.items() if k in names}


def example_audit(path: Path) -> Audit:
    """An open audit holding one example worksheet, as far as TrueUp keeps its fields."""
    example = json.loads(path.read_text())
    p = example["policy"]
    insured = Insured.objects.create(name=p["insured_name"], entity_type="llc")
    policy = Policy.objects.create(insured=insured, number=p["number"], line=p["line"])
    cancellation = p.get("cancellation") or {}
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=date.fromisoformat(p["effective"]),
        expiration=date.fromisoformat(p["expiration"]),
        states=p["states"],
        experience_mods=p.get("experience_mods", []),
        premium_discount=p.get("premium_discount", False),
        deposit_premium=Decimal(p.get("deposit_premium", "0")),
        gl_audit=p.get("gl_audit", "two_way"),
        cancellation_date=cancellation.get("date"),
        cancellation_basis=cancellation.get("basis", ""),
    )
    for e in example["estimated"]:
        EstimatedExposure.objects.create(period=period, **_row(EstimatedExposure, e))
    kind = example.get("audit", {})
    audit = Audit.objects.create(
        period=period,
        status=Status.IN_PROGRESS,
        **_row(Audit, {k: v for k, v in kind.items() if k != "type"}),
    )
    for name, lines in example.get("audited", {}).items():
        for line in lines:
            FACTS[name].objects.create(audit=audit, **_row(FACTS[name], line))
    return audit


@pytest.fixture
def examples(db: None) -> list[Audit]:
    return [example_audit(path) for path in sorted(EXAMPLES.glob("*.json"))]


def stored(snapshot: ResultSnapshot) -> dict[str, Any]:
    """A snapshot's columns as read back, but for what differs between any two ratings."""
    fresh = ResultSnapshot.objects.get(pk=snapshot.pk)
    return {
        f.attname: getattr(fresh, f.attname)
        for f in ResultSnapshot._meta.concrete_fields
        if f.attname not in ("id", "created_at")
    }


def test_worksheets_read_together_are_the_ones_read_one_by_one(
    examples: list[Audit], django_assert_max_num_queries
) -> None:
    estimated = Audit.objects.create(period=examples[0].period, status=Status.ESTIMATED)
    ids = [a.pk for a in [*examples, estimated]]
    with django_assert_max_num_queries(7):
        together = worksheets_for(ids)
    assert together == {pk: worksheet_for(Audit.objects.get(pk=pk)) for pk in ids}
    assert len(together) == len(ids)


def test_a_chunk_stores_the_same_snapshots_as_rating_each_audit(
    examples: list[Audit], manager: User, django_capture_on_commit_callbacks
) -> None:
    one_by_one = {audit.pk: audit_rate(audit=audit, by=manager) for audit in examples}
    with django_capture_on_commit_callbacks(execute=True):
        batch = rerate_start(by=manager)
    assert rerate_progress(batch)["done"] == len(examples)
    for item in RerateItem.objects.filter(batch=batch):
        assert item.result_id != one_by_one[item.audit_id].pk
        assert item.result is not None
        assert stored(item.result) == stored(one_by_one[item.audit_id])


def test_a_chunk_stopped_in_the_middle_leaves_nothing_and_runs_whole_later(
    audit: Audit, manager: User, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    others = open_audits_like(audit, 4)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = rerate_start(by=manager)
    real = services.rated_snapshot
    rated = []

    def stops_at_the_third(*args: Any, **kwargs: Any) -> ResultSnapshot:
        rated.append(1)
        if len(rated) == 3:
            raise SystemExit("the worker was stopped")
        return real(*args, **kwargs)

    monkeypatch.setattr(rerate, "rated_snapshot", stops_at_the_third)
    with pytest.raises(SystemExit):
        rerate_chunk.call(batch.pk, [audit.pk, *(o.pk for o in others)])
    assert ResultSnapshot.objects.count() == 0
    assert rerate_progress(batch) == {"pending": 5, "done": 0, "skipped": 0, "failed": 0}

    monkeypatch.setattr(rerate, "rated_snapshot", real)
    for callback in callbacks:
        callback()
    assert rerate_progress(batch) == {"pending": 0, "done": 5, "skipped": 0, "failed": 0}
    assert ResultSnapshot.objects.count() == 5


def test_the_resume_task_enqueues_again_only_batches_without_progress(
    audit: Audit, manager: User, django_capture_on_commit_callbacks
) -> None:
    others = open_audits_like(audit, 2)
    # A batch whose chunk was lost (never run) long enough ago, and one that just started.
    with django_capture_on_commit_callbacks(execute=False):
        stalled = rerate_start(by=manager)
    RerateBatch.objects.filter(pk=stalled.pk).update(
        created_at=timezone.now() - stalled_after(timezone.localdate())
    )
    with django_capture_on_commit_callbacks(execute=False):
        recent = rerate_start(by=manager)

    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_reratings.call() == 3
    assert rerate_progress(stalled) == {"pending": 0, "done": 3, "skipped": 0, "failed": 0}
    stalled.refresh_from_db()
    assert stalled.status == RerateStatus.FINISHED
    assert rerate_progress(recent)["pending"] == 3
    assert RerateItem.objects.filter(batch=recent, audit__in=others).count() == 2

    # A batch that moved a minute ago is not stalled, even if it started long ago.
    RerateBatch.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=1))
    RerateItem.objects.filter(batch=recent, audit=audit).update(
        state=RerateItemState.DONE, finished_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_reratings.call() == 0
    assert rerate_progress(recent)["pending"] == 2


def test_the_resume_task_is_scheduled_with_its_stall_time_as_data() -> None:
    today = date(2026, 12, 3)
    (entry,) = [c for c in cadences(today) if c.name == "resume_reratings"]
    assert entry.task == "trueup.flows.rerate.resume_stalled_reratings"
    assert entry.every_minutes < stalled_after(today).total_seconds() / 60
    assert stalled_after(today) == timedelta(minutes=10)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_given_the_same_chunk_leaves_what_the_first_holds(
    audit: Audit, manager: User, settings
) -> None:
    needs_shared_database()  # row locks: SQLite has none
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    others = open_audits_like(audit, 2)
    batch = rerate_start(by=manager)
    held, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        # Holds the first audit's item, as a worker part way through the same chunk would.
        try:
            with transaction.atomic():
                list(RerateItem.objects.select_for_update().filter(batch=batch, audit=audit))
                held.set()
                release.wait(30)
        finally:
            connection.close()

    first = threading.Thread(target=first_worker)
    first.start()
    try:
        assert held.wait(30)
        assert rerate_chunk.call(batch.pk, [audit.pk, *(o.pk for o in others)]) == 2
    finally:
        release.set()
        first.join()
    assert rerate_progress(batch) == {"pending": 1, "done": 2, "skipped": 0, "failed": 0}
    assert RerateItem.objects.get(batch=batch, audit=audit).state == RerateItemState.PENDING
