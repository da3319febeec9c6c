"""Reads of notes: the ones that apply to an audit, the filtered list, a note's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from trueup.accounts.models import User
from trueup.core.written import records_written
from trueup.practices.models import AttachedTo, NoteChange, NoteKind, NoteStatus, PracticeNote
from trueup.practices.services import EDITED_FIELDS

# The kinds and statuses ``in_force`` compares, in the order its SQL takes them.
IN_FORCE = (NoteKind.FEEDBACK, NoteStatus.ACCEPTED, NoteKind.PRACTICE, NoteStatus.RETIRED)


def in_force() -> Q:
    """Accepted feedback, and practice notes no manager has retired."""
    feedback, accepted, practice, retired = IN_FORCE
    return Q(kind=feedback, status=accepted) | (Q(kind=practice) & ~Q(status=retired))


def notes_for(
    *,
    rules: Iterable[str] = (),
    finding_kinds: Iterable[str] = (),
    states: Iterable[str] = (),
    classes: Iterable[tuple[str, str]] = (),
    step: str = "",
) -> list[PracticeNote]:
    """The notes in force that apply where these rule ids, finding kinds, states, classes
    (state, code) and workflow step appear: exact matches only. A class note names a code in
    one state or in any state."""
    pairs = set(classes)
    wanted: dict[str, set[str]] = {
        AttachedTo.RULE: set(rules),
        AttachedTo.FINDING: set(finding_kinds),
        AttachedTo.STATE: set(states),
        AttachedTo.CLASS: {f"{s} {c}" for s, c in pairs} | {c for _, c in pairs},
        AttachedTo.STEP: {step} if step else set(),
    }
    every: set[str] = set().union(*wanted.values())
    if not every:
        return []
    # One plain IN over every target, each note then kept only where its own kind of place is
    # wanted: an OR of one IN per kind costs the ORM several times as much to write. This runs
    # on every audit page, so its SQL is written once for each number of targets.
    targets = sorted(every)
    found = records_written(("notes in force", len(targets)), _in_force, *IN_FORCE, *targets)
    return [note for note in found if note.target in wanted.get(note.attached_to, set())]


def _in_force(*values: str) -> QuerySet[PracticeNote]:
    """The notes in force attached to any of the targets (``values`` after ``IN_FORCE``)."""
    return PracticeNote.objects.filter(in_force(), target__in=values[len(IN_FORCE) :]).order_by(
        "attached_to", "target", "title"
    )


def notes_filtered(
    *, kind: str = "", status: str = "", attached_to: str = ""
) -> QuerySet[PracticeNote]:
    notes = PracticeNote.objects.select_related("created_by")
    if kind:
        notes = notes.filter(kind=kind)
    if status:
        notes = notes.filter(status=status)
    if attached_to:
        notes = notes.filter(attached_to=attached_to)
    return notes


def feedback_to_review() -> QuerySet[PracticeNote]:
    """Proposed feedback, the longest waiting first."""
    return (
        PracticeNote.objects.filter(kind=NoteKind.FEEDBACK, status=NoteStatus.PROPOSED)
        .select_related("created_by")
        .order_by("updated_at", "id")
    )


@dataclass(frozen=True)
class Difference:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: User
    what: str
    differences: tuple[Difference, ...]
    reason: str


FIELD_WORDS = {
    "status": "Status",
    "title": "Title",
    "body": "Text",
    "attached_to": "Attached to",
    "target": "Applies to",
}


def history(note: PracticeNote) -> list[HistoryEntry]:
    """Each change to the note, oldest first: who, when, what it did and each old and new
    value."""
    entries = []
    before: NoteChange | None = None
    for change in note.changes.select_related("by"):
        entries.append(
            HistoryEntry(
                change.at,
                change.by,
                _what(before, change),
                _differences(before, change),
                change.reason,
            )
        )
        before = change
    return entries


def _what(before: NoteChange | None, change: NoteChange) -> str:
    if before is None:
        return "Written"
    if before.status != change.status:
        return {
            NoteStatus.ACCEPTED: "Accepted",
            NoteStatus.RETIRED: "Retired",
            NoteStatus.PROPOSED: "Edited, back for review",
        }[NoteStatus(change.status)]
    return "Edited"


def _differences(before: NoteChange | None, change: NoteChange) -> tuple[Difference, ...]:
    if before is None:
        return ()
    fields = ("status", *EDITED_FIELDS)
    return tuple(
        Difference(FIELD_WORDS[name], _shown(before, name), _shown(change, name))
        for name in fields
        if getattr(before, name) != getattr(change, name)
    )


def _shown(change: NoteChange, name: str) -> str:
    if name == "status":
        return str(NoteStatus(change.status).label)
    if name == "attached_to":
        return str(AttachedTo(change.attached_to).label)
    return str(getattr(change, name))
