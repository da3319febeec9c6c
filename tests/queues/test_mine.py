"""An auditor's own work: their open audits, rush first, then by due date, each saying when it
is due (or how long overdue) in words."""

from __future__ import annotations

from datetime import timedelta

from tests.queues.conftest import another_audit, client_of
from trueup.accounts.models import User, VendorFirm
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.core import clock
from trueup.flows import queues


def test_an_auditor_sees_their_open_audits_rush_first_then_by_due_date(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    today = clock.today()
    overdue = another_audit(audit, "WC-2", assignee=auditor, due_date=today - timedelta(days=5))
    rush = another_audit(
        audit, "WC-3", assignee=auditor, due_date=today + timedelta(days=10), rush=True
    )
    soon = another_audit(audit, "WC-4", assignee=auditor, due_date=today + timedelta(days=1))
    undated = another_audit(audit, "WC-5", assignee=auditor)
    due_today = another_audit(audit, "WC-6", assignee=auditor, due_date=today)
    # Not in the queue: closed, or someone else's.
    another_audit(audit, "WC-7", assignee=auditor, status=Status.COMPLETED, due_date=today)
    another_audit(audit, "WC-8", assignee=reviewer, due_date=today)
    rows = queues.work_rows(queues.my_work(auditor), today)
    assert [(r.audit.pk, r.due, r.overdue) for r in rows] == [
        (rush.pk, "due in 10 days", False),
        (overdue.pk, "overdue by 5 days", True),
        (due_today.pk, "due today", False),
        (soon.pk, "due in 1 day", False),
        (undated.pk, "no due date", False),
    ]


def test_the_page_shows_overdue_in_words_and_marks_the_row(audit: Audit, auditor: User) -> None:
    today = clock.today()
    Audit.objects.filter(pk=audit.pk).update(
        assignee=auditor, due_date=today - timedelta(days=1), rush=True
    )
    page = client_of(auditor).get("/queues/mine/").content.decode()
    assert '<tr class="overdue">' in page
    assert f"{(today - timedelta(days=1)).isoformat()} (<strong>overdue by 1 day</strong>)" in page
    assert '<span class="rush">rush</span>' in page


def test_a_vendor_firms_auditor_sees_only_the_firms_audits_assigned_to_them(
    audit: Audit, vendor_auditor: User
) -> None:
    firm = vendor_auditor.vendor
    assert isinstance(firm, VendorFirm)
    Audit.objects.filter(pk=audit.pk).update(assignee=vendor_auditor, vendor=firm)
    # Assigned to them once, since taken from the firm: no longer theirs to see.
    another_audit(audit, "WC-2", assignee=vendor_auditor)
    rows = queues.work_rows(queues.my_work(vendor_auditor), clock.today())
    assert [r.audit.pk for r in rows] == [audit.pk]


def test_someone_with_no_open_audits_is_told_so(auditor: User) -> None:
    page = client_of(auditor).get("/queues/mine/").content.decode()
    assert "You have no open audits." in page


def test_billing_and_underwriters_have_no_work_queue(billing: User, underwriter: User) -> None:
    for user in (billing, underwriter):
        assert client_of(user).get("/queues/mine/").status_code == 403, user.role
