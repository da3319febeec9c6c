"""The first, second and final records reminders go out by themselves, each once, only while
records are still missing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from trueup.accounts.models import User
from trueup.audits import fieldwork, services
from trueup.audits.models import Audit, AuditEdit
from trueup.flows import results
from trueup.letters.models import Letter
from trueup.letters.reminders import reminder_due, reminders_send_due
from trueup.policies.models import Insured


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def waiting(audit: Audit, auditor: User) -> Audit:
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    return results.audit_request_records(audit=audit, by=auditor)


def _kinds() -> list[str]:
    return list(Letter.objects.order_by("id").values_list("kind", flat=True))


def test_each_reminder_goes_out_on_its_day_and_only_once(waiting: Audit) -> None:
    today = timezone.localdate()
    assert reminders_send_due(today + timedelta(days=14)) == []
    mail.outbox.clear()
    [first] = reminders_send_due(today + timedelta(days=15))
    assert first.kind == "reminder_1" and first.letter is not None
    assert [m.to for m in mail.outbox] == [["dana@hoosier.example"]]
    assert reminders_send_due(today + timedelta(days=16)) == []
    reminders_send_due(today + timedelta(days=30))
    reminders_send_due(today + timedelta(days=45))
    reminders_send_due(today + timedelta(days=90))
    assert _kinds() == ["reminder_1", "reminder_2", "reminder_final"]


def test_a_late_start_sends_only_the_latest_reminder_due(waiting: Audit) -> None:
    today = timezone.localdate()
    [sent] = reminders_send_due(today + timedelta(days=40))
    assert sent.kind == "reminder_2"
    assert _kinds() == ["reminder_2"]


def test_no_reminder_once_the_records_are_in_or_nothing_is_missing(
    waiting: Audit, auditor: User
) -> None:
    today = timezone.localdate()
    for item in waiting.records.all():
        fieldwork.records_item_mark(item=item, by=auditor, status="received")
    [refused] = reminders_send_due(today + timedelta(days=15))
    assert refused.letter is None
    assert AuditEdit.objects.filter(summary__startswith="reminder 1 not sent").count() == 1
    reminders_send_due(today + timedelta(days=15))  # noted once a day, not again
    assert AuditEdit.objects.filter(summary__startswith="reminder 1 not sent").count() == 1
    services.audit_receive_records(audit=waiting, by=auditor)
    assert reminders_send_due(today + timedelta(days=30)) == []
    assert not Letter.objects.exists()


def test_a_reminder_sent_by_hand_is_not_sent_again(waiting: Audit, auditor: User) -> None:
    from trueup.letters.services import letter_send

    letter_send(audit=waiting, kind="reminder_2", by=auditor)
    assert reminder_due(waiting, timezone.localdate() + timedelta(days=31)) is None
    assert reminder_due(waiting, timezone.localdate() + timedelta(days=45)) == "reminder_final"


def test_the_command_reports_what_it_sent(waiting: Audit) -> None:
    out = StringIO()
    later = timezone.localdate() + timedelta(days=15)
    call_command("send_reminders", "--on", later.isoformat(), stdout=out)
    assert out.getvalue().strip() == "WC-2025-01001: reminder_1 sent to dana@hoosier.example"
