"""Writing, editing and reviewing notes: who may, what each change keeps, and the input and
moves refused with a message naming the field, writing nothing."""

from __future__ import annotations

import pytest

from tests.practices.conftest import write
from trueup.accounts.models import User
from trueup.core.errors import InvalidInput, NotAllowed, Refused
from trueup.practices import services
from trueup.practices.models import NoteChange, PracticeNote
from trueup.practices.selectors import Difference, history
from trueup.practices.targets import Vocabulary


def edit(note: PracticeNote, by: User, words: Vocabulary, **fields: str) -> PracticeNote:
    current = {
        "title": note.title,
        "body": note.body,
        "attached_to": note.attached_to,
        "target": note.target,
    }
    return services.note_edit(
        note_id=note.pk,
        by=by,
        vocabulary=words,
        seen_changes=note.changes.count(),
        **(current | fields),
    )


def test_a_practice_note_is_in_force_once_written_and_its_writing_is_kept(
    auditor: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    assert (note.kind, note.status, note.created_by) == ("practice", "accepted", auditor)
    change = note.changes.get()
    assert (change.by, change.status, change.title, change.target, change.reason) == (
        auditor,
        "accepted",
        "Officers' pay in Indiana",
        "officers.executive_officer",
        "",
    )


def test_feedback_waits_for_a_manager_as_proposed(reviewer: User, words: Vocabulary) -> None:
    note = write(reviewer, words, kind="feedback", attached_to="step", target="in_review")
    assert note.status == "proposed"


@pytest.mark.parametrize(
    "persona",
    ["auditor", "reviewer", "manager", "underwriter", "billing", "admin_user", "vendor_auditor"],
)
def test_every_member_of_the_staff_may_write_a_note(
    persona: str, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert write(user, words).created_by == user


@pytest.mark.parametrize("persona", ["policyholder", "agent_user"])
def test_a_portal_user_may_not_write_a_note(
    persona: str, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(NotAllowed):
        write(request.getfixturevalue(persona), words)
    assert not PracticeNote.objects.exists()


@pytest.mark.parametrize(
    ("fields", "path", "reason"),
    [
        ({"title": "  "}, "title", "give the note a title"),
        ({"body": ""}, "body", "write the note"),
        ({"kind": "memo"}, "kind", "the note is one of: practice note, feedback on a procedure"),
        (
            {"attached_to": "policy"},
            "attached_to",
            "attach the note to one of: a rule, a kind of finding, a state, a class, "
            "a workflow step",
        ),
        ({"target": ""}, "target", "name the rule id the note is about"),
        (
            {"target": "officers.ceo"},
            "target",
            "'officers.ceo' is not a rule id of the rule book (e.g. officers.executive_officer)",
        ),
        (
            {"attached_to": "finding", "target": "payrol"},
            "target",
            "'payrol' is not a kind of finding; one of: classification, payroll, officers, "
            "subcontractors, records, policy_change, other",
        ),
        (
            {"attached_to": "state", "target": "XX"},
            "target",
            "'XX' is not a state of the rule book (two letters, e.g. CA)",
        ),
        (
            {"attached_to": "class", "target": "IN 9999"},
            "target",
            "'IN 9999' is not a class the rate table in use rates; write the code (e.g. 8810) "
            "or the state and the code (e.g. CA 8810)",
        ),
        (
            {"attached_to": "step", "target": "done"},
            "target",
            "'done' is not a workflow step; one of: scheduled, records_requested, "
            "records_received, in_progress, in_review, completed, waived, estimated, revised, "
            "reversed",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    auditor: User, words: Vocabulary, fields: dict[str, str], path: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        write(auditor, words, **fields)
    assert [(p.path, p.reason) for p in raised.value.problems] == [(path, reason)]
    assert not PracticeNote.objects.exists()
    assert not NoteChange.objects.exists()


@pytest.mark.parametrize(
    ("attached_to", "given", "stored"),
    [
        ("rule", "officers.partner", "officers.partner"),
        ("finding", "subcontractors", "subcontractors"),
        ("state", "ca", "CA"),
        ("class", "ca  8810", "CA 8810"),
        ("class", "8810", "8810"),
        ("step", "in_review", "in_review"),
    ],
)
def test_each_kind_of_attachment_takes_what_the_product_defines(
    auditor: User, words: Vocabulary, attached_to: str, given: str, stored: str
) -> None:
    note = write(auditor, words, attached_to=attached_to, target=given)
    assert note.target == stored


def test_a_class_the_rate_table_does_not_rate_in_that_state_is_refused(
    auditor: User, words: Vocabulary
) -> None:
    # Washington's workers' compensation is written by its state fund only.
    with pytest.raises(InvalidInput, match="'WA 8810' is not a class"):
        write(auditor, words, attached_to="class", target="WA 8810")


def test_the_author_edits_a_note_and_the_history_shows_old_and_new(
    auditor: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    edit(note, auditor, words, title="Officers' pay", target="officers.partner")
    entries = history(note)
    assert [(e.by, e.what, e.reason) for e in entries] == [
        (auditor, "Written", ""),
        (auditor, "Edited", ""),
    ]
    assert entries[1].differences == (
        Difference("Title", "Officers' pay in Indiana", "Officers' pay"),
        Difference("Applies to", "officers.executive_officer", "officers.partner"),
    )


def test_a_manager_edits_anyone_s_note_saying_why(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    services.note_edit(
        note_id=note.pk,
        by=manager,
        vocabulary=words,
        seen_changes=1,
        title=note.title,
        body="Check the minutes.",
        attached_to="rule",
        target="officers.executive_officer",
        reason="shorter",
    )
    last = note.changes.last()
    assert last is not None
    assert (last.by, last.body, last.reason) == (manager, "Check the minutes.", "shorter")


@pytest.mark.parametrize("persona", ["reviewer", "underwriter", "billing", "vendor_auditor"])
def test_another_member_of_the_staff_may_not_edit_the_note(
    persona: str, auditor: User, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    note = write(auditor, words)
    with pytest.raises(NotAllowed, match="edited by its author or a manager"):
        edit(note, request.getfixturevalue(persona), words, title="Mine now")
    assert PracticeNote.objects.get().title == "Officers' pay in Indiana"
    assert NoteChange.objects.count() == 1


def test_an_edit_made_over_someone_else_s_is_refused_and_writes_nothing(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    opened = note.changes.count()
    edit(note, manager, words, title="The manager's title")
    with pytest.raises(Refused, match="manager changed this note since you opened it"):
        services.note_edit(
            note_id=note.pk,
            by=auditor,
            vocabulary=words,
            seen_changes=opened,
            title="The author's title",
            body=note.body,
            attached_to=note.attached_to,
            target=note.target,
        )
    assert PracticeNote.objects.get().title == "The manager's title"
    assert NoteChange.objects.count() == 2


def test_an_edit_that_changes_nothing_is_refused(auditor: User, words: Vocabulary) -> None:
    note = write(auditor, words)
    with pytest.raises(InvalidInput, match="note: nothing was changed"):
        edit(note, auditor, words)
    assert NoteChange.objects.count() == 1


def test_bad_input_in_an_edit_names_the_field_and_writes_nothing(
    auditor: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    with pytest.raises(InvalidInput) as raised:
        edit(note, auditor, words, title="", attached_to="state", target="Indiana")
    assert [(p.path, p.reason) for p in raised.value.problems] == [
        ("title", "give the note a title"),
        ("target", "'INDIANA' is not a state of the rule book (two letters, e.g. CA)"),
    ]
    assert PracticeNote.objects.get().title == "Officers' pay in Indiana"


def test_a_manager_accepts_proposed_feedback(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback", attached_to="step", target="in_review")
    services.note_accept(note_id=note.pk, by=manager, reason="we will do this")
    note.refresh_from_db()
    assert note.status == "accepted"
    entries = history(note)
    assert [(e.by, e.what, e.reason) for e in entries] == [
        (auditor, "Written", ""),
        (manager, "Accepted", "we will do this"),
    ]
    assert entries[1].differences == (Difference("Status", "Proposed", "Accepted"),)


def test_feedback_accepted_twice_is_refused_the_second_time(
    auditor: User, manager: User, admin_user: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    services.note_accept(note_id=note.pk, by=manager)
    with pytest.raises(Refused, match="this feedback is already accepted"):
        services.note_accept(note_id=note.pk, by=admin_user)
    assert NoteChange.objects.count() == 2


@pytest.mark.parametrize("persona", ["auditor", "reviewer", "underwriter"])
def test_only_a_manager_accepts_or_retires(
    persona: str, auditor: User, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    note = write(auditor, words, kind="feedback")
    with pytest.raises(NotAllowed, match="only a manager accepts feedback"):
        services.note_accept(note_id=note.pk, by=user)
    with pytest.raises(NotAllowed, match="only a manager retires a note"):
        services.note_retire(note_id=note.pk, by=user, reason="old")
    assert PracticeNote.objects.get().status == "proposed"


def test_a_practice_note_is_not_accepted_it_is_in_force_already(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    with pytest.raises(Refused, match="only feedback is accepted"):
        services.note_accept(note_id=note.pk, by=manager)


def test_a_manager_retires_a_practice_note_saying_why(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    services.note_retire(note_id=note.pk, by=manager, reason="the 2026 limits replace it")
    note.refresh_from_db()
    assert note.status == "retired"
    assert history(note)[-1].differences == (Difference("Status", "Accepted", "Retired"),)


def test_retiring_without_a_reason_names_the_reason_field(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    with pytest.raises(InvalidInput, match="reason: say why the note is retired"):
        services.note_retire(note_id=note.pk, by=manager, reason=" ")
    assert PracticeNote.objects.get().status == "proposed"


def test_a_retired_note_is_not_retired_again_accepted_or_edited(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    services.note_retire(note_id=note.pk, by=manager, reason="not our procedure")
    with pytest.raises(Refused, match="already retired"):
        services.note_retire(note_id=note.pk, by=manager, reason="again")
    with pytest.raises(Refused, match="already retired"):
        services.note_accept(note_id=note.pk, by=manager)
    with pytest.raises(Refused, match="this note is retired"):
        edit(note, manager, words, title="Back again")
    assert NoteChange.objects.count() == 2


def test_the_author_s_edit_of_accepted_feedback_goes_back_for_review(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    services.note_accept(note_id=note.pk, by=manager)
    edit(note, auditor, words, body="A different procedure.")
    note.refresh_from_db()
    assert note.status == "proposed"
    assert history(note)[-1].what == "Edited, back for review"
    assert history(note)[-1].differences == (
        Difference("Status", "Accepted", "Proposed"),
        Difference(
            "Text", "Check the **minutes** for each officer's election.", "A different procedure."
        ),
    )
