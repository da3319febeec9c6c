"""The practice notes' pages in a real browser: axe finds no serious or critical problem on a
desktop screen and on a 390 px phone, and the page never scrolls sideways on the phone."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.audits.test_staff_accessibility import check_as
from tests.practices.conftest import write
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.practices import services
from trueup.practices.targets import Vocabulary

LONG_BODY = """Check the **minutes** for each officer's election, then:

1. the officer's payroll for the period, from the [ICRB limits](https://icrb.net/references/payroll-limitations-for-owners-and-executive-officers);
2. `officers.executive_officer` in the rule book.

<script>alert("not run")</script>"""


def test_the_list_a_note_and_the_form_are_accessible_for_an_auditor(
    browser: Browser, live_server: object, auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, body=LONG_BODY)
    services.note_edit(
        note_id=note.pk,
        by=manager,
        vocabulary=words,
        seen_changes=1,
        title="Officers' pay in Indiana, 2026",
        body=LONG_BODY,
        attached_to="class",
        target="IN 8810",
        reason="the 2026 limits",
    )
    write(auditor, words, kind="feedback", title="Review rush audits first")
    check_as(
        browser,
        str(live_server),
        auditor,
        [
            ("/practices/", "practice notes"),
            (f"/practices/{note.pk}/", "a practice note with its history"),
            ("/practices/new/", "writing a note"),
            (f"/practices/{note.pk}/edit/", "editing a note"),
        ],
    )


def test_the_review_pages_are_accessible_for_a_manager(
    browser: Browser, live_server: object, auditor: User, manager: User, words: Vocabulary
) -> None:
    feedback = write(auditor, words, kind="feedback", body=LONG_BODY)
    write(
        auditor,
        words,
        kind="feedback",
        title="Shorter letters",
        attached_to="step",
        target="completed",
    )
    check_as(
        browser,
        str(live_server),
        manager,
        [
            ("/practices/review/", "feedback to review"),
            (f"/practices/{feedback.pk}/", "feedback with its review form"),
        ],
    )


def test_the_audit_page_with_its_practice_notes_is_accessible(
    browser: Browser, live_server: object, audit: Audit, auditor: User, words: Vocabulary
) -> None:
    write(auditor, words, body=LONG_BODY, attached_to="state", target="IN")
    check_as(browser, str(live_server), auditor, [(f"/audits/{audit.pk}/", "audit page")])
