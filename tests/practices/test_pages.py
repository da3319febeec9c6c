"""The practice notes' pages as each persona sees them, and the audit page's section of the
notes that apply to that audit."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.practices.conftest import write
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.practices import services
from trueup.practices.models import PracticeNote
from trueup.practices.targets import Vocabulary

STAFF = ["auditor", "reviewer", "manager", "underwriter", "billing", "admin_user", "vendor_auditor"]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(html: bytes) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


@pytest.mark.parametrize("persona", STAFF)
def test_every_member_of_the_staff_sees_the_list_a_note_and_the_form(
    persona: str, auditor: User, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    note = write(auditor, words)
    client = client_for(request.getfixturevalue(persona))
    for path in ("/practices/", f"/practices/{note.pk}/", "/practices/new/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("persona", ["policyholder", "agent_user"])
def test_portal_users_never_reach_the_notes(
    persona: str, auditor: User, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    note = write(auditor, words)
    client = client_for(request.getfixturevalue(persona))
    for path in (
        "/practices/",
        f"/practices/{note.pk}/",
        "/practices/new/",
        f"/practices/{note.pk}/edit/",
        "/practices/review/",
    ):
        assert client.get(path).status_code == 403, path
    answer = client.post(f"/practices/{note.pk}/review/", {"decision": "retire", "reason": "x"})
    assert answer.status_code == 403
    assert PracticeNote.objects.get().status == "accepted"


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(db: None) -> None:
    answer = Client().get("/practices/")
    assert answer.status_code == 302
    assert answer["Location"] == "/login/?next=/practices/"


def test_the_nav_links_to_the_notes_for_staff_only(auditor: User, policyholder: User) -> None:
    link = '<a href="/practices/">Practice notes</a>'
    assert link in client_for(auditor).get("/audits/").content.decode()
    assert link not in client_for(policyholder).get("/portal/").content.decode()


def test_the_list_filters_by_kind_status_and_attachment(auditor: User, words: Vocabulary) -> None:
    write(auditor, words, title="Practice on a rule")
    write(
        auditor,
        words,
        title="Feedback on review",
        kind="feedback",
        attached_to="step",
        target="in_review",
    )
    client = client_for(auditor)

    def listed(query: str) -> list[str]:
        page = client.get(f"/practices/?{query}").content.decode()
        return re.findall(r'<a href="/practices/\d+/">([^<]+)</a>', page)

    assert listed("") == ["Feedback on review", "Practice on a rule"]
    assert listed("kind=feedback") == ["Feedback on review"]
    assert listed("status=accepted") == ["Practice on a rule"]
    assert listed("attached_to=step&status=proposed") == ["Feedback on review"]
    assert listed("attached_to=class") == []


def test_a_note_s_page_shows_its_text_rendered_safely_and_its_history(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, body="**Ask** <script>alert(1)</script>")
    services.note_retire(note_id=note.pk, by=manager, reason="replaced by the 2026 note")
    page = client_for(auditor).get(f"/practices/{note.pk}/").content
    assert b"<strong>Ask</strong> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert b"<script>alert(1)" not in page
    words_on_page = text(page)
    assert "Practice note, retired , for rule officers.executive_officer." in words_on_page
    assert "auditor: Written" in words_on_page
    assert (
        "manager: Retired — “replaced by the 2026 note” Status: Accepted → Retired" in words_on_page
    )


def test_writing_a_note_through_the_form_shows_it(auditor: User, db: None) -> None:
    answer = client_for(auditor).post(
        "/practices/new/",
        {
            "kind": "practice",
            "title": "Tips in Indiana",
            "body": "Tips count as payroll.",
            "attached_to": "class",
            "target": "in 8810",
        },
    )
    note = PracticeNote.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/practices/{note.pk}/"
    assert (note.title, note.target, note.created_by) == ("Tips in Indiana", "IN 8810", auditor)


def test_bad_input_in_the_form_is_shown_on_its_field(auditor: User, db: None) -> None:
    answer = client_for(auditor).post(
        "/practices/new/",
        {
            "kind": "practice",
            "title": "Tips",
            "body": "Tips count.",
            "attached_to": "state",
            "target": "ZZ",
        },
    )
    assert answer.status_code == 422
    assert "&#x27;ZZ&#x27; is not a state of the rule book" in answer.content.decode()
    assert not PracticeNote.objects.exists()


def test_only_the_author_or_a_manager_opens_the_edit_form(
    auditor: User, reviewer: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    assert client_for(auditor).get(f"/practices/{note.pk}/edit/").status_code == 200
    assert client_for(manager).get(f"/practices/{note.pk}/edit/").status_code == 200
    assert client_for(reviewer).get(f"/practices/{note.pk}/edit/").status_code == 403
    answer = client_for(reviewer).post(
        f"/practices/{note.pk}/edit/",
        {"title": "x", "body": "y", "attached_to": "state", "target": "IN", "seen_changes": 1},
    )
    assert answer.status_code == 403
    assert PracticeNote.objects.get().title == "Officers' pay in Indiana"


def test_an_edit_sent_after_someone_else_s_says_so(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words)
    form = {
        "title": "Officers",
        "body": note.body,
        "attached_to": "rule",
        "target": note.target,
        "seen_changes": 1,
    }
    assert client_for(manager).post(f"/practices/{note.pk}/edit/", form).status_code == 302
    answer = client_for(auditor).post(f"/practices/{note.pk}/edit/", form | {"title": "Mine"})
    assert answer.status_code == 409
    assert "manager changed this note since you opened it" in answer.content.decode()
    assert PracticeNote.objects.get().title == "Officers"


def test_a_manager_reviews_proposed_feedback_from_the_review_page(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    first = write(auditor, words, kind="feedback", title="Second review for rush audits")
    write(auditor, words, kind="feedback", title="Shorter letters")
    client = client_for(manager)
    page = client.get("/practices/review/").content.decode()
    assert re.findall(r'<a href="/practices/\d+/">([^<]+)</a>', page) == [
        "Second review for rush audits",
        "Shorter letters",
    ]
    answer = client.post(
        f"/practices/{first.pk}/review/", {"decision": "accept", "reason": "", "back": "review"}
    )
    assert answer["Location"] == "/practices/review/"
    first.refresh_from_db()
    assert first.status == "accepted"
    page = client.get("/practices/review/").content.decode()
    assert re.findall(r'<a href="/practices/\d+/">([^<]+)</a>', page) == ["Shorter letters"]


def test_retiring_without_a_reason_is_shown_on_the_reason_field(
    auditor: User, manager: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    answer = client_for(manager).post(
        f"/practices/{note.pk}/review/", {"decision": "retire", "reason": ""}
    )
    assert answer.status_code == 422
    assert "say why the note is retired" in answer.content.decode()
    assert PracticeNote.objects.get().status == "proposed"


@pytest.mark.parametrize("persona", ["auditor", "reviewer", "underwriter"])
def test_only_managers_review_feedback(
    persona: str, auditor: User, words: Vocabulary, request: pytest.FixtureRequest
) -> None:
    note = write(auditor, words, kind="feedback")
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/practices/review/").status_code == 403
    answer = client.post(f"/practices/{note.pk}/review/", {"decision": "accept", "reason": ""})
    assert answer.status_code == 403
    assert PracticeNote.objects.get().status == "proposed"


def test_the_audit_page_shows_the_notes_that_apply_and_not_the_others(
    audit: Audit, auditor: User, manager: User, words: Vocabulary
) -> None:
    # The example audit: Indiana, classes 5645 and 8810, in progress; its result applies the
    # overtime rule.
    write(auditor, words, title="Overtime in the register", attached_to="rule", target="overtime")
    write(auditor, words, title="Clerical in Indiana", attached_to="class", target="IN 8810")
    write(auditor, words, title="Indiana officers", attached_to="state", target="IN")
    write(auditor, words, title="Partners", attached_to="rule", target="officers.partner")
    write(auditor, words, title="Clerical in California", attached_to="class", target="CA 8810")
    write(auditor, words, title="Before review", attached_to="step", target="in_review")
    write(auditor, words, title="Unreviewed", kind="feedback", attached_to="state", target="IN")
    page = client_for(auditor).get(f"/audits/{audit.pk}/").content
    section = re.search(rb'<section id="practice-notes".*?</section>', page, re.S)
    assert section is not None
    shown = text(section.group(0))
    assert re.findall(r"<h3[^>]*><a [^>]*>([^<]+)</a>", section.group(0).decode()) == [
        "Clerical in Indiana",
        "Overtime in the register",
        "Indiana officers",
    ]
    assert "Practice note, for class 8810 in IN" in shown
    assert "Practice note, for rule overtime" in shown
    assert "Practice note, for Indiana (IN)" in shown


def test_the_audit_page_says_when_no_note_applies(audit: Audit, reviewer: User) -> None:
    page = client_for(reviewer).get(f"/audits/{audit.pk}/").content
    assert b"No practice note applies to this audit." in page


def test_an_empty_title_is_named_on_the_title_field(auditor: User, db: None) -> None:
    answer = client_for(auditor).post(
        "/practices/new/",
        {"kind": "feedback", "title": "", "body": "", "attached_to": "step", "target": "done"},
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    assert re.search(r'id="id_title".*?give the note a title', page, re.S)
    assert re.search(r'id="id_body".*?write the note', page, re.S)
    assert "&#x27;done&#x27; is not a workflow step" in page


def test_the_help_under_a_field_is_tied_to_it(auditor: User, db: None) -> None:
    page = client_for(auditor).get("/practices/new/").content.decode()
    assert 'aria-describedby="id_target_helptext"' in page
    assert 'id="id_target_helptext"' in page


def test_a_decision_sent_after_another_manager_s_says_what_happened(
    auditor: User, manager: User, admin_user: User, words: Vocabulary
) -> None:
    note = write(auditor, words, kind="feedback")
    client_for(admin_user).post(f"/practices/{note.pk}/review/", {"decision": "accept"})
    answer = client_for(manager).post(f"/practices/{note.pk}/review/", {"decision": "accept"})
    assert answer.status_code == 409
    assert "this feedback is already accepted" in answer.content.decode()
    assert note.changes.count() == 2
