"""Notifications by e-mail, as each user chose: at once (after the commit), in a daily digest of
what is still unread, or never. A mail server that is down never undoes a notification."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from tests.notifications.conftest import notice
from trueup.accounts.models import NotifyByEmail, User
from trueup.audits.models import Audit
from trueup.notifications.models import Notification
from trueup.notifications.services import daily_digests_send
from trueup.notifications.tasks import send_daily_digests
from trueup.portal.models import Message
from trueup.portal.services import message_post

SITE = "https://audit.example.com"


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.TRUEUP_PORTAL_URL = SITE


def choose(user: User, choice: str) -> None:
    user.notify_by_email = choice
    user.save()


def mail_server_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def test_at_once_the_auditor_gets_the_message_by_email_with_a_link_that_opens_it(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="The register is on its way.")
    row = Notification.objects.get()
    [sent] = mail.outbox
    assert sent.to == ["auditor@trueup.example"]
    assert (
        sent.subject == "TrueUp: policyholder wrote on WC-2025-01001: The register is on its way."
    )
    assert sent.body == (
        "Hello auditor,\n\n"
        "policyholder wrote on WC-2025-01001: The register is on its way.\n\n"
        "policyholder wrote:\n\nThe register is on its way.\n\n"
        f"Open it in TrueUp: {SITE}/notifications/{row.pk}/\n\n"
        "Your choice for notifications by e-mail: at once. "
        "Change it on TrueUp's notifications page.\n\n"
        "Premium Audit Department\n"
    )
    assert row.emailed_at is not None
    # The digest does not send it again.
    assert daily_digests_send() == 0
    assert len(mail.outbox) == 1


def test_a_daily_digest_user_gets_nothing_at_once_and_then_one_email_of_the_unread(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    choose(auditor, NotifyByEmail.DAILY)
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="First question.")
    message_post(audit=requested, by=policyholder, body="Second question.")
    notice(auditor, requested, "Already read", read_at=timezone.now())
    assert mail.outbox == []

    assert send_daily_digests.enqueue().return_value == 2
    [sent] = mail.outbox
    first, second = Notification.objects.filter(read_at=None).order_by("pk")
    assert sent.to == ["auditor@trueup.example"]
    assert sent.subject == "TrueUp: your daily digest (2 unread)"
    assert sent.body == (
        "Hello auditor,\n\n"
        "2 notifications in TrueUp:\n\n"
        "- policyholder wrote on WC-2025-01001: First question.\n"
        f"  {SITE}/notifications/{first.pk}/\n"
        "- policyholder wrote on WC-2025-01001: Second question.\n"
        f"  {SITE}/notifications/{second.pk}/\n\n"
        "Your choice for notifications by e-mail: in a daily digest. "
        "Change it on TrueUp's notifications page.\n\n"
        "Premium Audit Department\n"
    )
    # The next day's digest has nothing new to send.
    assert daily_digests_send() == 0
    assert len(mail.outbox) == 1


def test_a_user_who_takes_no_email_is_never_emailed(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    choose(auditor, NotifyByEmail.NEVER)
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="Hello?")
    assert daily_digests_send() == 0
    assert mail.outbox == []
    row = Notification.objects.get()
    assert (row.user, row.read_at, row.emailed_at) == (auditor, None, None)


def test_a_user_without_an_email_address_still_gets_the_notification(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    auditor.email = ""
    auditor.save()
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="Hello?")
    assert mail.outbox == []
    assert Notification.objects.filter(user=auditor, emailed_at=None).count() == 1


def test_a_mail_server_that_is_down_never_undoes_the_message_nor_the_notification(
    requested: Audit, policyholder: User, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail_server_down(monkeypatch)
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="Are you there?")
    assert Message.objects.filter(audit=requested, body="Are you there?").count() == 1
    row = Notification.objects.get()
    assert (row.user, row.read_at, row.emailed_at) == (auditor, None, None)
    assert mail.outbox == []


def test_a_digest_that_failed_is_sent_with_the_next_one(
    requested: Audit, policyholder: User, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(auditor, NotifyByEmail.DAILY)
    message_post(audit=requested, by=policyholder, body="Hello?")
    with monkeypatch.context() as down:
        mail_server_down(down)
        assert daily_digests_send() == 0
    assert Notification.objects.get().emailed_at is None
    mail.outbox.clear()
    assert daily_digests_send() == 1
    assert [m.to for m in mail.outbox] == [["auditor@trueup.example"]]


def test_a_user_who_reads_spanish_gets_the_e_mail_in_spanish(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    auditor.language = "es"
    auditor.save()
    mail.outbox.clear()
    message_post(audit=requested, by=policyholder, body="The register is on its way.")
    row = Notification.objects.get()
    [sent] = mail.outbox
    assert sent.body == (
        "Hola, auditor:\n\n"
        "policyholder wrote on WC-2025-01001: The register is on its way.\n\n"
        "policyholder wrote:\n\nThe register is on its way.\n\n"
        f"Ábrala en TrueUp: {SITE}/notifications/{row.pk}/\n\n"
        "Su preferencia para recibir notificaciones por correo electrónico: de inmediato. "
        "Puede cambiarla en la página de notificaciones de TrueUp.\n\n"
        "Departamento de Auditoría de Primas\n"
    )


def test_a_daily_digest_in_spanish_has_a_spanish_subject(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    auditor.language = "es"
    auditor.save()
    choose(auditor, NotifyByEmail.DAILY)
    message_post(audit=requested, by=policyholder, body="One.")
    message_post(audit=requested, by=policyholder, body="Two.")
    mail.outbox.clear()
    assert daily_digests_send() == 2
    [sent] = mail.outbox
    assert sent.subject == "TrueUp: su resumen diario (2 sin leer)"
    assert "2 notificaciones en TrueUp:" in sent.body
    assert "en un resumen diario." in sent.body
