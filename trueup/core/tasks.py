"""Enqueueing background work: only once the change that asks for it is committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` when the current transaction commits (at once outside one). A worker
    never sees a task for a change that was rolled back, nor one it cannot read yet; the task
    loads what it needs by id, so what it reads is the committed state."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
