"""Notifications by e-mail: one at once, or several in a digest. Sent by background work after
the notification is committed; a mail server that is down never undoes a notification (it stays
in TrueUp's header and list, with no ``emailed_at``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_tasks import task

from trueup.core.mail import MAIL_FAILED
from trueup.notifications.models import Notification

log = logging.getLogger(__name__)


def notification_url(notification: Notification) -> str:
    """The address that opens the notification (marking it read) and leads on to its page."""
    path = reverse("notifications:open", args=[notification.pk])
    return f"{settings.TRUEUP_PORTAL_URL.rstrip('/')}{path}"


def _subject(rows: Sequence[Notification], subject: str) -> str:
    if subject:
        return subject
    if len(rows) == 1:
        return f"TrueUp: {rows[0].text}"[:200]
    return ngettext(
        "TrueUp: %(count)s notification", "TrueUp: %(count)s notifications", len(rows)
    ) % {"count": len(rows)}


def notifications_email(
    *, user_id: int, ids: Sequence[int], subject: str = "", details: str = ""
) -> int:
    """E-mail the user's notifications ``ids`` not e-mailed yet, in one message, and mark them
    e-mailed. The rows are locked while the message is sent, so a retry or a second worker sends
    nothing twice. Answers how many were sent: none when the mail server failed (they wait)."""
    try:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update()
                .filter(pk__in=ids, user_id=user_id, emailed_at=None)
                .select_related("user")
                .order_by("created_at", "id")
            )
            user = rows[0].user if rows else None
            if user is None or not user.email:
                return 0
            # Written in the reader's language (the words around each notification).
            with translation.override(user.language or "en"):
                body = render_to_string(
                    "notifications/email.txt",
                    {
                        "user": user,
                        "items": [(row, notification_url(row)) for row in rows],
                        "details": details,
                    },
                )
                subject = _subject(rows, str(subject))
            send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                emailed_at=timezone.now()
            )
            return len(rows)
    except MAIL_FAILED as error:
        log.warning("notifications %s not e-mailed to user %s: %s", list(ids), user_id, error)
        return 0


@task()
def email_notification(notification_id: int, details: str = "") -> int:
    """The background task for an "at once" notification: load it by id and e-mail it (safe to
    retry: one already e-mailed is not sent again)."""
    row = Notification.objects.filter(pk=notification_id).values_list("user_id", flat=True)
    user_id = row.first()
    if user_id is None:
        return 0
    return notifications_email(user_id=user_id, ids=[notification_id], details=details)
