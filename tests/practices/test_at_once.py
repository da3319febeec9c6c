"""Two managers deciding on the same feedback at the same moment: the note is locked while one
decision is written, so the other sees it and is refused, and one change is kept."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from tests.practices.conftest import write
from trueup.accounts.models import User
from trueup.core.errors import Refused
from trueup.practices import services
from trueup.practices.models import NoteChange, PracticeNote
from trueup.practices.targets import Vocabulary


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_of_two_managers_accepting_at_the_same_moment_exactly_one_does(
    auditor: User,
    manager: User,
    admin_user: User,
    words: Vocabulary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    note = write(auditor, words, kind="feedback")
    first_inside = threading.Event()
    record = services._record

    def slow_record(note: PracticeNote, by: User, reason: str) -> None:
        # The first decision holds the note's lock here, past its status check, while the
        # second starts: without the lock both would find the feedback proposed.
        first_inside.set()
        time.sleep(0.3)
        record(note, by, reason)

    monkeypatch.setattr(services, "_record", slow_record)
    outcomes: dict[str, str] = {}

    def accept(user: User) -> None:
        try:
            services.note_accept(note_id=note.pk, by=user)
            outcomes[user.username] = "accepted"
        except Refused as refused:
            outcomes[user.username] = refused.message
        finally:
            connection.close()

    first = threading.Thread(target=accept, args=(manager,))
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=accept, args=(admin_user,))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcomes == {"manager": "accepted", "admin": "this feedback is already accepted"}
    assert [c.by for c in NoteChange.objects.filter(note=note)] == [auditor, manager]
