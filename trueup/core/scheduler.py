"""The scheduler: enqueues each periodic task once per period, however many schedulers run.

Cadences are data (``schedule.toml``). For each task, the current period is the one that holds
``now`` (periods of ``every_minutes`` from midnight UTC); the scheduler claims the pair (task,
period start) by writing a ``ScheduledRun`` row. The row is unique, so when two schedulers (or
two runs of one) reach the same period, one insert wins and only that one enqueues the task; the
other sees the row and moves on. A scheduler that was stopped for a while enqueues the current
period's run when it starts again, not one per missed period: each task does all that is due.
"""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task

from trueup.core.models import ScheduledRun

SCHEDULE = Path(__file__).with_name("schedule.toml")


@dataclass(frozen=True)
class Cadence:
    name: str
    task: str
    every_minutes: int
    effective: date
    source: str

    def slot(self, now: datetime) -> datetime:
        """The start of the period that holds ``now``."""
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        minutes = int((now - midnight).total_seconds() // 60)
        return midnight + timedelta(minutes=minutes - minutes % self.every_minutes)


def _cadence(entry: dict[str, Any]) -> Cadence:
    every = int(entry["every_minutes"])
    # Periods start at midnight and must end at the next one, so each day's periods line up.
    if every < 1 or 1440 % every:
        raise ValueError(f"{entry['name']}: every_minutes must divide a day (1440), not {every}")
    if not entry.get("source"):
        raise ValueError(f"{entry['name']}: say where the cadence comes from (source)")
    return Cadence(
        name=str(entry["name"]),
        task=str(entry["task"]),
        every_minutes=every,
        effective=entry["effective"],
        source=str(entry["source"]),
    )


@cache
def _entries(path: Path = SCHEDULE) -> tuple[Cadence, ...]:
    with path.open("rb") as file:
        return tuple(_cadence(entry) for entry in tomllib.load(file)["task"])


def cadences(today: date, path: Path = SCHEDULE) -> list[Cadence]:
    """The cadence in effect today for each task (the latest effective on or before today)."""
    current: dict[str, Cadence] = {}
    for cadence in sorted(_entries(path), key=lambda c: c.effective):
        if cadence.effective <= today:
            current[cadence.name] = cadence
    return list(current.values())


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(cadence: Cadence, now: datetime, by: str) -> ScheduledRun | None:
    """Claim this period's run of the task and enqueue it once the claim is committed; None if
    another scheduler (or an earlier pass) has it."""
    slot = cadence.slot(now)
    task: Task[Any, Any] = import_string(cadence.task)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(task=cadence.name, slot=slot, claimed_by=by)
            # Enqueued once the claim is committed: a worker never runs a period whose claim
            # was rolled back. If the enqueue then fails (the queue is down) the period is not
            # run again; the next period's run does all that is due by then.
            transaction.on_commit(lambda: _enqueued(run, task))
    except IntegrityError:
        return None
    return run


def _enqueued(run: ScheduledRun, task: Task[Any, Any]) -> None:
    result = task.enqueue()
    run.task_result_id = str(result.id)[:64]
    ScheduledRun.objects.filter(pk=run.pk).update(task_result_id=run.task_result_id)


def tick(now: datetime, by: str | None = None) -> list[ScheduledRun]:
    """One pass: claim and enqueue every task whose current period has no run yet."""
    by = by or scheduler_id()
    claimed = []
    for cadence in cadences(now.astimezone(UTC).date()):
        run = claim(cadence, now, by)
        if run is not None:
            claimed.append(run)
    return claimed
