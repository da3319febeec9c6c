"""Notifications as the services make and read them: who is told of what an insured or agent
does on an audit, the count and the order of the list, and marking read (only by the owner)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.notifications.conftest import notice
from tests.portal.conftest import answers
from trueup.accounts.models import NotifyByEmail, Role, User
from trueup.audits.models import Audit
from trueup.core.errors import InvalidInput, NotAllowed
from trueup.notifications import services
from trueup.notifications.models import Kind, Notification
from trueup.portal import selfaudit
from trueup.portal.services import message_post, record_upload_add, worksheet_request


def test_notify_writes_the_notification_with_its_text_and_link(
    auditor: User, requested: Audit
) -> None:
    made = services.notify(
        user=auditor,
        audit=requested,
        kind=Kind.MESSAGE,
        text="A  message\nfrom the portal",
        link="/audits/1/#portal",
    )
    row = Notification.objects.get()
    assert row == made
    assert (row.user, row.audit, row.kind) == (auditor, requested, "message")
    # White space is made one space: the text is one line in the header's list.
    assert row.text == "A message from the portal"
    assert row.link == "/audits/1/#portal"
    assert row.read_at is None


def test_a_text_longer_than_the_column_is_cut_with_an_ellipsis(auditor: User) -> None:
    row = services.notify(user=auditor, audit=None, kind=Kind.MESSAGE, text="x" * 400, link="/")
    assert len(row.text) == 300
    assert row.text == "x" * 299 + "…"


def test_the_assigned_auditor_is_told_and_nobody_else(
    requested: Audit, auditor: User, manager: User
) -> None:
    made = services.notify_assignee(audit=requested, kind=Kind.MESSAGE, text="Hello")
    assert [(n.user, n.link) for n in made] == [(auditor, f"/audits/{requested.pk}/")]
    assert Notification.objects.filter(user=manager).count() == 0


def test_an_unassigned_audit_tells_nobody(audit: Audit, auditor: User) -> None:
    assert services.notify_assignee(audit=audit, kind=Kind.MESSAGE, text="Hello") == []
    assert Notification.objects.count() == 0


def test_an_audit_assigned_to_a_vendor_firm_without_an_auditor_tells_the_firms_auditors(
    audit: Audit, vendor_auditor: User, auditor: User
) -> None:
    colleague = User.objects.create(
        username="vendor2", role=Role.AUDITOR, vendor=vendor_auditor.vendor
    )
    User.objects.create(
        username="vendor-gone", role=Role.AUDITOR, vendor=vendor_auditor.vendor, is_active=False
    )
    audit.vendor = vendor_auditor.vendor
    audit.save()
    made = services.notify_assignee(audit=audit, kind=Kind.RECORD_UPLOADED, text="A file")
    assert [n.user for n in made] == [vendor_auditor, colleague]


def test_nobody_is_told_of_their_own_doing(requested: Audit, auditor: User) -> None:
    made = services.notify_assignee(audit=requested, kind=Kind.MESSAGE, text="Hi", by=auditor)
    assert made == []


def test_the_list_shows_unread_first_then_newest(auditor: User, audit: Audit) -> None:
    now = timezone.now()
    old_unread = notice(auditor, audit, "old unread")
    read = notice(auditor, audit, "read", read_at=now)
    new_unread = notice(auditor, audit, "new unread")
    Notification.objects.filter(pk=old_unread.pk).update(created_at=now - timedelta(days=2))
    Notification.objects.filter(pk=read.pk).update(created_at=now - timedelta(days=1))
    assert [n.text for n in services.for_user(auditor)] == ["new unread", "old unread", "read"]
    assert services.unread_count(auditor) == 2
    assert new_unread.read_at is None


def test_each_user_sees_only_their_own_notifications(
    auditor: User, reviewer: User, audit: Audit
) -> None:
    notice(auditor, audit, "for the auditor")
    notice(reviewer, audit, "for the reviewer")
    assert [n.text for n in services.for_user(auditor)] == ["for the auditor"]
    assert services.unread_count(reviewer) == 1


def test_a_vendor_auditor_no_longer_counts_an_audit_taken_from_the_firm(
    vendor_auditor: User, audit: Audit
) -> None:
    audit.vendor = vendor_auditor.vendor
    audit.save()
    notice(vendor_auditor, audit, "on the firm's audit")
    assert services.unread_count(vendor_auditor) == 1
    audit.vendor = None
    audit.save()
    assert services.unread_count(vendor_auditor) == 0
    assert list(services.for_user(vendor_auditor)) == []


@pytest.mark.parametrize("persona", ["auditor", "vendor_auditor"])
def test_the_unread_count_is_one_query(
    persona: str, request: pytest.FixtureRequest, audit: Audit
) -> None:
    user = request.getfixturevalue(persona)
    notice(user, audit, "one")
    with CaptureQueriesContext(connection) as queries:
        assert services.unread_count(user) == (1 if persona == "auditor" else 0)
    assert len(queries) == 1
    assert queries[0]["sql"].upper().startswith("SELECT COUNT(")


def test_opening_a_notification_marks_it_read_once(auditor: User, audit: Audit) -> None:
    row = notice(auditor, audit, "one")
    opened = services.notification_open(notification=row, by=auditor)
    first = opened.read_at
    assert first is not None
    services.notification_open(notification=row, by=auditor)
    row.refresh_from_db()
    assert row.read_at == first
    assert services.unread_count(auditor) == 0


def test_only_its_owner_opens_a_notification(auditor: User, reviewer: User, audit: Audit) -> None:
    row = notice(auditor, audit, "one")
    with pytest.raises(NotAllowed):
        services.notification_open(notification=row, by=reviewer)
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_marks_only_the_users_unread_ones(
    auditor: User, reviewer: User, audit: Audit
) -> None:
    earlier = timezone.now() - timedelta(days=3)
    notice(auditor, audit, "one")
    notice(auditor, audit, "two")
    already = notice(auditor, audit, "read before", read_at=earlier)
    notice(reviewer, audit, "the reviewer's")
    assert services.mark_all_read(auditor) == 2
    assert services.unread_count(auditor) == 0
    assert services.unread_count(reviewer) == 1
    already.refresh_from_db()
    assert already.read_at == earlier


def test_the_email_choice_is_saved_and_an_unknown_one_refused(auditor: User) -> None:
    services.notify_by_email_set(user=auditor, choice="daily")
    auditor.refresh_from_db()
    assert auditor.notify_by_email == NotifyByEmail.DAILY
    with pytest.raises(InvalidInput):
        services.notify_by_email_set(user=auditor, choice="hourly")
    auditor.refresh_from_db()
    assert auditor.notify_by_email == NotifyByEmail.DAILY


# What the portal's actions leave for the auditor -------------------------------------------------


def test_a_message_from_the_policyholder_tells_the_assigned_auditor(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    message_post(audit=requested, by=policyholder, body="The register is on its way.")
    row = Notification.objects.get()
    assert row.user == auditor
    assert row.kind == Kind.MESSAGE
    assert row.text == "policyholder wrote on WC-2025-01001: The register is on its way."
    assert row.link == f"/audits/{requested.pk}/#portal"


def test_a_message_from_staff_tells_nobody(requested: Audit, auditor: User) -> None:
    message_post(audit=requested, by=auditor, body="We have what we need.")
    assert Notification.objects.count() == 0


def test_a_record_upload_tells_the_assigned_auditor(
    requested: Audit, policyholder: User, auditor: User, media: Path
) -> None:
    item = requested.records.get(kind="payroll_register")
    record_upload_add(
        item=item,
        by=policyholder,
        upload=SimpleUploadedFile(
            "register.csv", b"Employee,Class,Gross\r\nAnn Lee,5645,52000\r\n"
        ),
    )
    row = Notification.objects.get()
    assert (row.user, row.kind) == (auditor, Kind.RECORD_UPLOADED)
    assert row.text == "policyholder uploaded register.csv for Payroll register (WC-2025-01001)"
    assert row.link == f"/audits/{requested.pk}/#records"


def test_a_submitted_self_audit_tells_the_assigned_auditor(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    selfaudit.self_audit_submit(audit=requested, by=policyholder, answers=answers())
    row = Notification.objects.get()
    assert (row.user, row.kind) == (auditor, Kind.SELF_AUDIT_SUBMITTED)
    assert row.text == (
        "WC-2025-01001: Self-audit submitted by Dana Hoosier (Managing member): "
        "2 payroll line(s), 1 officer(s), 1 subcontractor(s)."
    )
    assert row.link == f"/audits/{requested.pk}/#portal"


def test_an_agent_asking_for_the_worksheet_tells_the_assigned_auditor(
    requested: Audit, agent_user: User, auditor: User
) -> None:
    worksheet_request(audit=requested, by=agent_user)
    row = Notification.objects.get()
    assert (row.user, row.kind) == (auditor, Kind.WORKSHEET_REQUESTED)
    assert row.text == (
        "WC-2025-01001: agent asked for the audit worksheet when the audit is completed."
    )
