"""Writing, editing and reviewing notes. Any member of the staff writes a note; its author or a
manager edits it; managers accept or retire feedback and retire practice notes. Every change
writes a ``NoteChange`` holding the note as it became, so the history shows each old and new
value; a change that cannot be made writes nothing."""

from __future__ import annotations

from django.db import transaction

from trueup.accounts.models import PORTAL_ROLES, Role, User
from trueup.core.errors import InvalidInput, NotAllowed, Problem, Refused
from trueup.practices.models import NoteChange, NoteKind, NoteStatus, PracticeNote
from trueup.practices.targets import Vocabulary, normalized, target_problem

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
TITLE_LENGTH = PracticeNote._meta.get_field("title").max_length or 200
EDITED_FIELDS = ("title", "body", "attached_to", "target")


def may_write(user: User) -> bool:
    return user.is_authenticated and user.role not in PORTAL_ROLES


def may_review(user: User) -> bool:
    return user.role in MANAGERS


def may_edit(user: User, note: PracticeNote) -> bool:
    return note.status != NoteStatus.RETIRED and (
        may_review(user) or (may_write(user) and note.created_by_id == user.pk)
    )


def note_write(
    *,
    by: User,
    kind: str,
    title: str,
    body: str,
    attached_to: str,
    target: str,
    vocabulary: Vocabulary,
) -> PracticeNote:
    """A new note. A practice note is in force at once (until a manager retires it); feedback
    waits as proposed until a manager accepts or retires it."""
    if not may_write(by):
        raise NotAllowed("practice notes are written by the audit department's staff")
    problems = ([] if kind in NoteKind.values else [Problem("kind", _kinds())]) + _problems(
        title, body, attached_to, target, vocabulary
    )
    if problems:
        raise InvalidInput(problems)
    status = NoteStatus.ACCEPTED if kind == NoteKind.PRACTICE else NoteStatus.PROPOSED
    with transaction.atomic():
        note = PracticeNote.objects.create(
            kind=kind,
            status=status,
            title=title.strip(),
            body=body.strip(),
            attached_to=attached_to,
            target=normalized(attached_to, target),
            created_by=by,
        )
        _record(note, by, "")
    return note


def note_edit(
    *,
    note_id: int,
    by: User,
    title: str,
    body: str,
    attached_to: str,
    target: str,
    vocabulary: Vocabulary,
    seen_changes: int,
    reason: str = "",
) -> PracticeNote:
    """The note with new words or a new attachment. ``seen_changes`` is how many changes the
    note had when the form was opened: an edit made over someone else's is refused. Feedback
    its author changes after it was accepted goes back to the managers as proposed."""
    problems = _problems(title, body, attached_to, target, vocabulary)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        note = _locked(note_id)
        if not may_edit(by, note):
            raise _why_not_edit(by, note)
        _not_changed_since(note, seen_changes)
        new = {
            "title": title.strip(),
            "body": body.strip(),
            "attached_to": attached_to,
            "target": normalized(attached_to, target),
        }
        if all(getattr(note, name) == value for name, value in new.items()):
            raise InvalidInput([Problem("note", "nothing was changed")])
        for name, value in new.items():
            setattr(note, name, value)
        if note.kind == NoteKind.FEEDBACK and not may_review(by):
            note.status = NoteStatus.PROPOSED
        note.save()
        _record(note, by, reason.strip())
    return note


def note_accept(*, note_id: int, by: User, reason: str = "") -> PracticeNote:
    """A manager accepts proposed feedback: it now shows where it applies."""
    if not may_review(by):
        raise NotAllowed("only a manager accepts feedback")
    with transaction.atomic():
        note = _locked(note_id)
        if note.kind != NoteKind.FEEDBACK:
            raise Refused("a practice note is in force once written; only feedback is accepted")
        if note.status != NoteStatus.PROPOSED:
            raise Refused(f"this feedback is already {note.get_status_display().lower()}")
        return _move(note, by, NoteStatus.ACCEPTED, reason.strip())


def note_retire(*, note_id: int, by: User, reason: str) -> PracticeNote:
    """A manager retires a note, saying why: it no longer shows on audits, and stays readable
    with its history."""
    if not may_review(by):
        raise NotAllowed("only a manager retires a note")
    if not reason.strip():
        raise InvalidInput([Problem("reason", "say why the note is retired")])
    with transaction.atomic():
        note = _locked(note_id)
        if note.status == NoteStatus.RETIRED:
            raise Refused("this note is already retired")
        return _move(note, by, NoteStatus.RETIRED, reason.strip())


def _problems(
    title: str, body: str, attached_to: str, target: str, vocabulary: Vocabulary
) -> list[Problem]:
    problems = []
    if not title.strip():
        problems.append(Problem("title", "give the note a title"))
    elif len(title.strip()) > TITLE_LENGTH:
        problems.append(Problem("title", f"keep the title to {TITLE_LENGTH} characters"))
    if not body.strip():
        problems.append(Problem("body", "write the note"))
    found = target_problem(attached_to, normalized(attached_to, target), vocabulary)
    return problems + ([found] if found else [])


def _kinds() -> str:
    return "the note is one of: " + ", ".join(str(x).lower() for x in NoteKind.labels)


def _locked(note_id: int) -> PracticeNote:
    # Locked until the change is written: two managers reviewing at once take turns, and the
    # second sees the first's decision.
    try:
        return PracticeNote.objects.select_for_update().get(pk=note_id)
    except PracticeNote.DoesNotExist:
        raise InvalidInput([Problem("note", f"there is no note {note_id}")]) from None


def _why_not_edit(by: User, note: PracticeNote) -> Exception:
    if note.status == NoteStatus.RETIRED:
        return Refused("this note is retired: it is kept as it was")
    return NotAllowed("a note is edited by its author or a manager")


def _not_changed_since(note: PracticeNote, seen_changes: int) -> None:
    latest = note.changes.order_by("-at", "-id").select_related("by").first()
    if note.changes.count() != seen_changes and latest is not None:
        raise Refused(
            f"{latest.by.username} changed this note since you opened it; open it again to "
            "see their change"
        )


def _move(note: PracticeNote, by: User, status: str, reason: str) -> PracticeNote:
    note.status = status
    note.save(update_fields=["status", "updated_at"])
    _record(note, by, reason)
    return note


def _record(note: PracticeNote, by: User, reason: str) -> None:
    NoteChange.objects.create(
        note=note,
        by=by,
        status=note.status,
        reason=reason,
        **{name: getattr(note, name) for name in EDITED_FIELDS},
    )
