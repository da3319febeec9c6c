"""The workbench's personas and audit, and notes written through the services."""

from __future__ import annotations

import pytest

from tests.audits.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.practices import services
from trueup.practices.models import PracticeNote
from trueup.practices.targets import Vocabulary
from trueup.web.staff.practices.vocabulary import vocabulary


@pytest.fixture
def words(db: None) -> Vocabulary:
    """What notes may name: the audits' finding kinds and steps, the demo rate table's classes."""
    return vocabulary()


def write(by: User, words: Vocabulary, **fields: str) -> PracticeNote:
    """A note as a member of the staff writes one; each field may be given instead."""
    given = {
        "kind": "practice",
        "title": "Officers' pay in Indiana",
        "body": "Check the **minutes** for each officer's election.",
        "attached_to": "rule",
        "target": "officers.executive_officer",
    }
    return services.note_write(by=by, vocabulary=words, **(given | fields))
