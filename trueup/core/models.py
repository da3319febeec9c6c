"""What the scheduler has claimed: one row per periodic task and period."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """A periodic task's run for one period (``slot``, the period's start). The unique pair is
    the claim: of two schedulers, or two overlapping runs of one, only the one whose row was
    written enqueues the task."""

    task = models.CharField(max_length=100)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    # host:process of the scheduler that claimed it, to tell two schedulers apart in the admin.
    claimed_by = models.CharField(max_length=200)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="one_run_per_task_and_period")
        ]

    def __str__(self) -> str:
        return f"{self.task} for {self.slot:%Y-%m-%d %H:%M}"
