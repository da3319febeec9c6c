"""The notifications pages: each member of staff sees and opens only their own; policyholders,
agents and anonymous visitors never reach them; opening one leads only to a page of this site;
the header counts the unread."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.notifications.conftest import notice
from trueup.accounts.models import NotifyByEmail, User
from trueup.audits.models import Audit
from trueup.notifications.models import Notification


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def header_count(html: str) -> str | None:
    found = re.search(r'id="notifications-count">(\d+)<', html)
    return found.group(1) if found else None


def test_the_list_shows_the_users_notifications_unread_first_with_links(
    auditor: User, reviewer: User, audit: Audit
) -> None:
    read = notice(auditor, audit, "A file was uploaded", read_at="2026-12-01T10:00:00Z")
    unread = notice(auditor, audit, "A message came in")
    notice(reviewer, audit, "Not the auditor's")
    answer = client_for(auditor).get("/notifications/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.index("A message came in") < html.index("A file was uploaded")
    assert f'href="/notifications/{unread.pk}/"' in html
    assert f'href="/notifications/{read.pk}/"' in html
    assert "Not the auditor&#x27;s" not in html and "Not the auditor's" not in html
    assert "1 unread." in html
    assert "By e-mail: at once." in html
    assert header_count(html) == "1"


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    auditor: User, audit: Audit
) -> None:
    row = notice(auditor, audit, "A message came in", link=f"/audits/{audit.pk}/#portal")
    client = client_for(auditor)
    answer = client.get(f"/notifications/{row.pk}/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/audits/{audit.pk}/#portal"
    row.refresh_from_db()
    assert row.read_at is not None
    assert header_count(client.get("/notifications/").content.decode()) is None


@pytest.mark.parametrize(
    "link", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:alert(1)", ""]
)
def test_a_link_off_this_site_leads_back_to_the_list(
    auditor: User, audit: Audit, link: str
) -> None:
    row = notice(auditor, audit, "Odd link", link=link)
    answer = client_for(auditor).get(f"/notifications/{row.pk}/")
    assert answer.status_code == 302
    assert answer["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found_and_stays_unread(
    auditor: User, reviewer: User, audit: Audit
) -> None:
    row = notice(auditor, audit, "For the auditor")
    answer = client_for(reviewer).get(f"/notifications/{row.pk}/")
    assert answer.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_clears_the_count(auditor: User, reviewer: User, audit: Audit) -> None:
    notice(auditor, audit, "One")
    notice(auditor, audit, "Two")
    notice(reviewer, audit, "The reviewer's")
    client = client_for(auditor)
    assert client.get("/notifications/read/").status_code == 405
    answer = client.post("/notifications/read/", follow=True)
    html = answer.content.decode()
    assert "2 notifications marked read." in html
    assert "Nothing unread." in html
    assert header_count(html) is None
    assert Notification.objects.filter(read_at=None).count() == 1


def test_the_email_choice_is_offered_in_words_and_saved(auditor: User) -> None:
    client = client_for(auditor)
    html = client.get("/notifications/email/").content.decode()
    for words in ("At once", "In a daily digest", "Never (in TrueUp only)"):
        assert words in html
    assert 'value="immediately" aria-describedby="notify-immediately-note" checked' in html
    answer = client.post("/notifications/email/", {"notify_by_email": "daily"}, follow=True)
    assert "Saved. Notifications by e-mail: in a daily digest." in answer.content.decode()
    auditor.refresh_from_db()
    assert auditor.notify_by_email == NotifyByEmail.DAILY


def test_an_unknown_email_choice_is_refused_and_nothing_changes(auditor: User) -> None:
    answer = client_for(auditor).post("/notifications/email/", {"notify_by_email": "hourly"})
    assert answer.status_code == 422
    assert "Choose one of the offered ways." in answer.content.decode()
    auditor.refresh_from_db()
    assert auditor.notify_by_email == NotifyByEmail.IMMEDIATELY


@pytest.mark.parametrize("persona", ["policyholder", "agent_user"])
def test_policyholders_and_agents_never_reach_the_notification_pages(
    persona: str, request: pytest.FixtureRequest, auditor: User, audit: Audit
) -> None:
    row = notice(auditor, audit, "For the auditor")
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/notifications/").status_code == 403
    assert client.get(f"/notifications/{row.pk}/").status_code == 403
    assert client.post("/notifications/read/").status_code == 403
    assert client.get("/notifications/email/").status_code == 403
    assert client.post("/notifications/email/", {"notify_by_email": "never"}).status_code == 403
    row.refresh_from_db()
    assert row.read_at is None
    # Nor is a count of the staff's notifications in the portal's header.
    assert "notifications-link" not in client.get("/portal/").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(auditor: User, audit: Audit) -> None:
    row = notice(auditor, audit, "For the auditor")
    for path in ("/notifications/", f"/notifications/{row.pk}/", "/notifications/email/"):
        answer = Client().get(path)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/login/?next=")
    row.refresh_from_db()
    assert row.read_at is None


def test_every_staff_page_counts_the_unread_in_its_header(auditor: User, audit: Audit) -> None:
    notice(auditor, audit, "One")
    notice(auditor, audit, "Two")
    html = client_for(auditor).get("/audits/").content.decode()
    assert header_count(html) == "2"
    assert '<span class="visually-hidden"> unread</span>' in html
