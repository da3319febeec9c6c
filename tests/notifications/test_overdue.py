"""The managers' daily digest of audits newly past their due date: each audit named to each
manager once, however often the digest runs, in TrueUp and in one e-mail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from trueup.accounts.models import NotifyByEmail, Role, User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.core import clock
from trueup.notifications.models import Kind, Notification
from trueup.notifications.services import notification_rules, overdue_notify
from trueup.notifications.tasks import send_overdue_digests

TODAY = date(2026, 12, 4)


def another(audit: Audit, due: date, status: str = Status.IN_PROGRESS) -> Audit:
    return Audit.objects.create(period=audit.period, status=status, due_date=due)


@pytest.fixture
def book(audit: Audit) -> dict[str, Audit]:
    """Audits due around TODAY: one due yesterday, one due today, one closed though late, one
    late longer than the digest looks back."""
    audit.due_date = TODAY - timedelta(days=1)
    audit.save()
    return {
        "yesterday": audit,
        "today": another(audit, TODAY),
        "completed": another(audit, TODAY - timedelta(days=2), Status.COMPLETED),
        "long ago": another(audit, TODAY - timedelta(days=8)),
    }


@pytest.fixture
def emailed_manager(manager: User) -> User:
    manager.email = "manager@trueup.example"
    manager.save()
    return manager


def test_the_digest_looks_back_a_week_as_the_rule_data_says() -> None:
    assert notification_rules(TODAY)["overdue"]["look_back_days"] == 7


def test_a_manager_is_told_once_of_each_audit_newly_past_its_due_date(
    book: dict[str, Audit], emailed_manager: User, auditor: User
) -> None:
    mail.outbox.clear()
    assert overdue_notify(today=TODAY) == 1
    row = Notification.objects.get()
    late = book["yesterday"]
    assert (row.user, row.audit, row.kind) == (emailed_manager, late, Kind.OVERDUE)
    assert row.text == (
        "WC-2025-01001 (Hoosier Home Builders LLC) is past its due date of December 3, 2026"
    )
    assert row.link == f"/audits/{late.pk}/"
    [sent] = mail.outbox
    assert sent.to == ["manager@trueup.example"]
    assert sent.subject == "TrueUp: 1 audit newly past its due date"
    assert row.text in sent.body
    row.refresh_from_db()
    assert row.emailed_at is not None

    # Run again the same day, and the next: nothing is named twice, nothing e-mailed twice.
    assert overdue_notify(today=TODAY) == 0
    assert overdue_notify(today=TODAY + timedelta(days=1)) == 1
    assert sorted(Notification.objects.values_list("audit_id", flat=True)) == sorted(
        [late.pk, book["today"].pk]
    )
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(user=auditor).count() == 0


def test_every_manager_is_told_and_a_manager_who_takes_no_email_sees_it_in_trueup_only(
    book: dict[str, Audit], emailed_manager: User
) -> None:
    quiet = User.objects.create(
        username="manager2",
        role=Role.MANAGER,
        email="quiet@trueup.example",
        notify_by_email=NotifyByEmail.NEVER,
    )
    mail.outbox.clear()
    assert overdue_notify(today=TODAY) == 2
    assert [m.to for m in mail.outbox] == [["manager@trueup.example"]]
    assert Notification.objects.filter(user=quiet, emailed_at=None).count() == 1


def test_a_vendor_firms_manager_hears_only_of_the_firms_audits(
    book: dict[str, Audit], vendor_auditor: User
) -> None:
    firm_manager = User.objects.create(
        username="vendor-manager", role=Role.MANAGER, vendor=vendor_auditor.vendor
    )
    firm_audit = another(book["yesterday"], TODAY - timedelta(days=1))
    firm_audit.vendor = vendor_auditor.vendor
    firm_audit.save()
    assert overdue_notify(today=TODAY) == 1
    assert list(Notification.objects.values_list("user", "audit")) == [
        (firm_manager.pk, firm_audit.pk)
    ]


def test_the_scheduled_task_uses_the_carriers_today(audit: Audit, manager: User) -> None:
    audit.due_date = clock.today() - timedelta(days=1)
    audit.save()
    assert send_overdue_digests.enqueue().return_value == 1
    assert send_overdue_digests.enqueue().return_value == 0
    assert Notification.objects.filter(user=manager, audit=audit, kind=Kind.OVERDUE).count() == 1
