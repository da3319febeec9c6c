"""Real worker processes against the test database (PostgreSQL): a database-backend worker
killed in the middle of a re-rating, two schedulers at once, and RQ workers on a real Redis."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.db.models import Count
from django_tasks_db.models import DBTaskResult

from tests.background.conftest import manage, needs_shared_database, open_audits_like, worker_env
from trueup.accounts.models import User
from trueup.audits.models import Audit, RerateItem, RerateItemState, RerateStatus, ResultSnapshot
from trueup.core.models import ScheduledRun
from trueup.flows.rerate import rerate_continue, rerate_progress, rerate_start

pytestmark = pytest.mark.django_db(transaction=True)

AUDITS = 60
DEADLINE_SECONDS = 120


@pytest.fixture
def database_tasks(settings) -> None:
    needs_shared_database()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {DEADLINE_SECONDS} s for {what}")
        time.sleep(0.01)


def ratings_per_audit() -> dict[int, int]:
    return dict(ResultSnapshot.objects.values_list("audit_id").annotate(n=Count("id")).order_by())


def db_worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return manage(
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.05",
        *extra,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_in_the_middle_of_a_rerating_loses_and_duplicates_no_audit(
    database_tasks: None, audit: Audit, manager: User
) -> None:
    audits = [audit, *open_audits_like(audit, AUDITS - 1)]
    batch = rerate_start(by=manager, chunk_size=10)
    assert batch.total == AUDITS
    env = worker_env(TRUEUP_TASKS="database")

    first = db_worker(env)
    try:
        # Killed (no chance to clean up) once it is partway through the batch.
        wait_for(
            lambda: RerateItem.objects.filter(batch=batch, state=RerateItemState.DONE).count() >= 5,
            "the first worker to re-rate 5 audits",
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    progress = rerate_progress(batch)
    assert 5 <= progress["done"] < AUDITS
    # A chunk is one transaction: only whole chunks are done.
    assert progress["done"] % 10 == 0
    assert progress["failed"] == 0
    # Every audit marked done has exactly its one new result; no other audit has one.
    done = set(
        RerateItem.objects.filter(batch=batch, state=RerateItemState.DONE).values_list(
            "audit_id", flat=True
        )
    )
    assert ratings_per_audit() == dict.fromkeys(done, 1)

    # The killed worker's chunk is left claimed by it; the pending audits are enqueued again
    # and another worker (exiting once the queue is empty) finishes the batch.
    assert rerate_continue(batch=batch, chunk_size=10) == AUDITS - progress["done"]
    second = db_worker(env, "--batch")
    assert second.wait(timeout=DEADLINE_SECONDS) == 0

    assert rerate_progress(batch) == {"pending": 0, "done": AUDITS, "skipped": 0, "failed": 0}
    assert ratings_per_audit() == {a.pk: 1 for a in audits}
    batch.refresh_from_db()
    assert batch.status == RerateStatus.FINISHED


def test_two_scheduler_processes_started_together_enqueue_each_task_once(
    database_tasks: None,
) -> None:
    env = worker_env(TRUEUP_TASKS="database")
    now = "2026-12-03T13:07:00+00:00"
    schedulers = [
        manage("run_scheduler", "--once", "--now", now, env=env, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [s.communicate(timeout=DEADLINE_SECONDS)[0].decode() for s in schedulers]
    assert [s.returncode for s in schedulers] == [0, 0]
    assert sum(out.count("enqueued") for out in outputs) == 9
    assert sorted(ScheduledRun.objects.values_list("task", flat=True)) == [
        "bill_premium_reports",
        "chase_premium_reports",
        "deliver_billing",
        "refresh_figures",
        "release_outreach",
        "resume_reratings",
        "retry_letters",
        "schedule_audits",
        "send_reminders",
    ]
    assert DBTaskResult.objects.count() == 9


# RQ on a real Redis -----------------------------------------------------------------------


def redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.exceptions.ConnectionError:
        return False


# The tests' own Redis database: emptied before and after each test that uses it.
TEST_REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def rq_tasks(settings) -> Iterator[str]:
    """The RQ backend on the tests' Redis database; yields its address."""
    import redis

    needs_shared_database()
    if not redis_up(TEST_REDIS_URL):
        pytest.skip("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    connection.flushdb()
    yield TEST_REDIS_URL
    connection.flushdb()


@pytest.mark.redis
def test_two_rq_workers_on_redis_rerate_every_open_audit_once(
    rq_tasks: str, audit: Audit, manager: User
) -> None:
    audits = [audit, *open_audits_like(audit, AUDITS - 1)]
    batch = rerate_start(by=manager, chunk_size=10)
    env = worker_env(TRUEUP_TASKS="rq", TRUEUP_REDIS_URL=rq_tasks)
    workers = [
        manage(
            "rqworker",
            "default",
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=DEADLINE_SECONDS) == 0
    assert rerate_progress(batch) == {"pending": 0, "done": AUDITS, "skipped": 0, "failed": 0}
    assert ratings_per_audit() == {a.pk: 1 for a in audits}
    batch.refresh_from_db()
    assert batch.status == RerateStatus.FINISHED
