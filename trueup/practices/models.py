"""Practice notes and feedback on procedures, written by the audit staff for each other.

A practice note ("how we handle officers' pay in Indiana") is attached to a rule id, a finding
kind, a state, a class or a workflow step, and the audit page shows it where that rule, finding
or step appears. Feedback on a procedure is a note managers review: proposed, accepted or
retired. Every change to a note is kept as a ``NoteChange``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NoteKind(models.TextChoices):
    PRACTICE = "practice", "Practice note"
    FEEDBACK = "feedback", "Feedback on a procedure"


class NoteStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    RETIRED = "retired", "Retired"


class AttachedTo(models.TextChoices):
    RULE = "rule", "A rule"
    FINDING = "finding", "A kind of finding"
    STATE = "state", "A state"
    CLASS = "class", "A class"
    STEP = "step", "A workflow step"


class PracticeNote(models.Model):
    kind = models.CharField(max_length=10, choices=NoteKind.choices, default=NoteKind.PRACTICE)
    status = models.CharField(
        max_length=10, choices=NoteStatus.choices, default=NoteStatus.PROPOSED
    )
    title = models.CharField(max_length=200)
    # Markdown, rendered with raw HTML turned off.
    body = models.TextField()
    attached_to = models.CharField(max_length=10, choices=AttachedTo.choices)
    # The rule id, finding kind, state code, class code or workflow status the note is about.
    target = models.CharField(max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["attached_to", "target"], name="note_attached")]

    def __str__(self) -> str:
        return self.title


class NoteChange(models.Model):
    """A note as it was after one change (written, edited, accepted, retired), by whom and why."""

    note = models.ForeignKey(PracticeNote, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=NoteStatus.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    attached_to = models.CharField(max_length=10, choices=AttachedTo.choices)
    target = models.CharField(max_length=80)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
