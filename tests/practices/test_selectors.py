"""The notes that apply where an audit's rule ids, finding kinds, states, classes and workflow
step appear: exact matches, and only notes in force."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.practices.conftest import write
from trueup.accounts.models import User
from trueup.core import written
from trueup.practices import services
from trueup.practices.models import PracticeNote
from trueup.practices.selectors import in_force, notes_for
from trueup.practices.targets import Vocabulary, where


def titles(**places: object) -> list[str]:
    return [note.title for note in notes_for(**places)]  # type: ignore[arg-type]


def test_each_kind_of_note_applies_where_its_target_appears(
    auditor: User, words: Vocabulary
) -> None:
    for attached_to, target in [
        ("rule", "officers.partner"),
        ("finding", "subcontractors"),
        ("state", "IN"),
        ("class", "IN 8810"),
        ("class", "8810"),
        ("step", "in_review"),
    ]:
        write(
            auditor, words, title=f"{attached_to} {target}", attached_to=attached_to, target=target
        )
    assert titles(rules={"officers.partner"}) == ["rule officers.partner"]
    assert titles(finding_kinds={"subcontractors"}) == ["finding subcontractors"]
    assert titles(states={"IN"}) == ["state IN"]
    assert titles(classes={("IN", "8810")}) == ["class 8810", "class IN 8810"]
    assert titles(classes={("CA", "8810")}) == ["class 8810"]
    assert titles(step="in_review") == ["step in_review"]


def test_nothing_applies_where_nothing_matches_exactly(auditor: User, words: Vocabulary) -> None:
    write(auditor, words, attached_to="rule", target="officers.partner")
    write(auditor, words, attached_to="class", target="IN 8810")
    write(auditor, words, attached_to="step", target="in_review")
    assert titles() == []
    assert titles(rules={"officers", "officers.partner_elected"}) == []
    assert titles(classes={("IN", "881"), ("CA", "8810")}, states={"IN 8810"}) == []
    assert titles(step="in_progress", finding_kinds={"in_review"}) == []


def test_proposed_and_retired_feedback_and_retired_practice_notes_do_not_apply(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    on_step = {"attached_to": "step", "target": "in_review"}
    write(auditor, words, kind="feedback", title="Proposed", **on_step)
    accepted = write(auditor, words, kind="feedback", title="Accepted", **on_step)
    services.note_accept(note_id=accepted.pk, by=manager)
    retired = write(auditor, words, kind="feedback", title="Retired feedback", **on_step)
    services.note_retire(note_id=retired.pk, by=manager, reason="no")
    old = write(auditor, words, title="Retired practice", **on_step)
    services.note_retire(note_id=old.pk, by=manager, reason="replaced")
    write(auditor, words, title="In force", **on_step)
    assert titles(step="in_review") == ["Accepted", "In force"]


def test_the_notes_are_read_with_sql_written_once_for_each_number_of_places_as_the_orm_reads_them(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    write(auditor, words, title="IN", attached_to="state", target="IN")
    write(auditor, words, title="8810", attached_to="class", target="8810")
    retired = write(auditor, words, title="Retired", attached_to="state", target="KY")
    services.note_retire(note_id=retired.pk, by=manager, reason="replaced")
    for states in [{"IN"}, {"KY"}, {"IN", "KY"}, {"KY", "IN", "PA"}, {"PA"}]:
        for classes in [set(), {("KY", "8810")}]:
            every = states | {c for _, c in classes} | {f"{s} {c}" for s, c in classes}
            expected = PracticeNote.objects.filter(in_force(), target__in=every).order_by(
                "attached_to", "target", "title"
            )
            for _ in range(2):  # the first time written, then run as written
                with CaptureQueriesContext(connection) as queries:
                    found = notes_for(states=states, classes=classes)
                assert len(queries.captured_queries) == 1
                assert [(n.pk, n.title, n.status) for n in found] == [
                    (n.pk, n.title, n.status) for n in expected
                ]
            assert (connection.vendor, ("notes in force", len(every))) in written._written


def test_where_a_note_applies_is_said_in_words(words: Vocabulary) -> None:
    assert [
        where(attached_to, target, words)
        for attached_to, target in [
            ("rule", "officers.partner"),
            ("finding", "policy_change"),
            ("state", "CA"),
            ("class", "CA 8810"),
            ("class", "8810"),
            ("step", "in_review"),
        ]
    ] == [
        "for rule officers.partner",
        "for findings on policy change for the renewal",
        "for California (CA)",
        "for class 8810 in CA",
        "for class 8810 in any state",
        "at the step In review",
    ]
