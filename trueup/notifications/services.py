"""Making, reading and e-mailing staff notifications. A notification is written in the same
transaction as the change it tells of; its e-mail is background work after the commit, so a mail
server that is down never undoes either."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trueup.accounts.models import PORTAL_ROLES, NotifyByEmail, Role, User
from trueup.audits.models import Audit
from trueup.audits.selectors import audits_visible_to
from trueup.audits.workflow import CLOSED
from trueup.core import clock, ruledata
from trueup.core.errors import InvalidInput, NotAllowed, Problem
from trueup.core.tasks import enqueue_on_commit
from trueup.notifications.mail import email_notification, notifications_email
from trueup.notifications.models import Kind, Notification

TEXT_LENGTH = Notification._meta.get_field("text").max_length or 300


def notification_rules(on: date | None = None) -> dict[str, Any]:
    """The notification settings (``notifications.toml``) in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "notifications.toml").on(on or clock.today())


def audit_link(audit: Audit, section: str = "") -> str:
    """The audit's page on the workbench, at one of its sections."""
    return reverse("audits:audit", args=[audit.pk]) + (f"#{section}" if section else "")


def shortened(text: str, length: int = TEXT_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# Writing ---------------------------------------------------------------------------------------


def notify(
    *, user: User, audit: Audit | None, kind: str, text: str, link: str, details: str = ""
) -> Notification:
    """Tell a member of staff: in TrueUp's header at once, and by e-mail as they chose (at once
    here, after the commit; the daily digest otherwise). ``details`` (a message's own words) go
    in that e-mail only."""
    notification = Notification.objects.create(
        user=user, audit=audit, kind=kind, text=shortened(text), link=link
    )
    if user.notify_by_email == NotifyByEmail.IMMEDIATELY and user.email:
        enqueue_on_commit(email_notification, notification.pk, details)
    return notification


def assignees(audit: Audit) -> list[User]:
    """Who works the audit: its auditor; with no auditor named, every auditor of the vendor firm
    it is assigned to (any of them may pick it up); nobody for an unassigned audit."""
    if audit.assignee_id is not None:
        assignee = audit.assignee
        return [assignee] if assignee is not None and assignee.is_active else []
    if audit.vendor_id is not None:
        firm = User.objects.filter(vendor_id=audit.vendor_id, is_active=True)
        return list(firm.exclude(role__in=PORTAL_ROLES).order_by("username"))
    return []


def notify_assignee(
    *,
    audit: Audit,
    kind: str,
    text: str,
    link: str = "",
    details: str = "",
    by: User | None = None,
) -> list[Notification]:
    """Tell whoever works the audit what happened on it (``link`` defaults to the audit's page).
    Nobody is told of their own doing."""
    return [
        notify(
            user=user,
            audit=audit,
            kind=kind,
            text=text,
            link=link or audit_link(audit),
            details=details,
        )
        for user in assignees(audit)
        if by is None or user.pk != by.pk
    ]


def notify_by_email_set(*, user: User, choice: str) -> User:
    """The user's choice of how notifications reach them by e-mail."""
    if choice not in NotifyByEmail.values:
        raise InvalidInput([Problem("notify_by_email", "choose one of the offered ways")])
    user.notify_by_email = choice
    user.save(update_fields=["notify_by_email"])
    return user


# Reading and marking read ----------------------------------------------------------------------


def _visible(user: User) -> QuerySet[Notification]:
    """The user's notifications about audits they may still see (a vendor firm's auditor loses
    those of an audit taken from the firm). The department's own staff see every audit, so
    their count needs no join (it is in every page's header)."""
    mine = Notification.objects.filter(user=user)
    if user.vendor_id is None:
        return mine
    return mine.filter(Q(audit=None) | Q(audit__in=audits_visible_to(user)))


def for_user(user: User) -> QuerySet[Notification]:
    """The user's notifications: unread first, then newest first."""
    unread_first = Case(
        When(read_at=None, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return _visible(user).order_by(unread_first, "-created_at", "-id")


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread: one COUNT, for every page's header. The
    department's own staff count theirs with SQL written once (every staff page asks)."""
    if user.vendor_id is not None:
        return _visible(user).filter(read_at=None).count()
    with connection.cursor() as cursor:
        cursor.execute(_unread_sql(connection.vendor), [user.pk])
        (count,) = cursor.fetchone()
    return int(count)


@cache
def _unread_sql(vendor: str) -> str:
    """``Notification.objects.filter(user=…, read_at=None).count()`` as SQL (``vendor``: the
    database it is quoted for)."""
    quote = connection.ops.quote_name
    meta = Notification._meta
    user, read_at = (quote(str(meta.get_field(f).column)) for f in ("user", "read_at"))  # type: ignore[union-attr]
    return f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {user} = %s AND {read_at} IS NULL"


def notification_open(*, notification: Notification, by: User) -> Notification:
    """Mark the notification read (the first opening counts); only its owner may."""
    if notification.user_id != by.pk:
        raise NotAllowed("a notification is opened only by the user it is for")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; answers how many were."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


# Daily digests ---------------------------------------------------------------------------------


def daily_digests_send() -> int:
    """E-mail each user who chose the daily digest their unread notifications not e-mailed yet,
    in one message. Safe to run again: what was e-mailed is marked so."""
    sent = 0
    users = User.objects.filter(is_active=True, notify_by_email=NotifyByEmail.DAILY)
    for user in users.exclude(email="").order_by("pk"):
        ids = list(
            _visible(user).filter(read_at=None, emailed_at=None).values_list("pk", flat=True)
        )
        if ids:
            with translation.override(user.language or "en"):
                subject = _("TrueUp: your daily digest (%(count)s unread)") % {"count": len(ids)}
            sent += notifications_email(user_id=user.pk, ids=ids, subject=subject)
    return sent


def newly_overdue(manager: User, today: date) -> QuerySet[Audit]:
    """The open audits the manager sees whose due date passed lately (``notifications.toml``'s
    look back) and that no notice has named to this manager yet."""
    look_back = int(notification_rules(today)["overdue"]["look_back_days"])
    named = Notification.objects.filter(user=manager, kind=Kind.OVERDUE, audit=OuterRef("pk"))
    return (
        audits_visible_to(manager)
        .exclude(status__in=sorted(CLOSED))
        .filter(due_date__lt=today, due_date__gte=today - timedelta(days=look_back))
        .exclude(Exists(named))
        .select_related("period__policy__insured")
        .order_by("due_date", "pk")
    )


def _overdue_text(audit: Audit) -> str:
    policy = audit.period.policy
    due = dateformat.format(audit.due_date, _("F j, Y")) if audit.due_date else ""
    return _("%(policy)s (%(insured)s) is past its due date of %(due)s") % {
        "policy": policy.number,
        "insured": policy.insured.name,
        "due": due,
    }


def overdue_notify(*, today: date | None = None) -> int:
    """The managers' daily digest of audits newly past their due date: one ``overdue``
    notification per manager per audit, ever, and one e-mail listing them unless the manager
    takes no e-mail. Safe to run twice: an audit already named to a manager is not again.
    Answers how many notifications were made."""
    today = today or clock.today()
    made = 0
    for manager in User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"):
        rows = _overdue_notices(manager, today)
        made += len(rows)
        if rows and manager.email and manager.notify_by_email != NotifyByEmail.NEVER:
            with translation.override(manager.language or "en"):
                subject = ngettext(
                    "TrueUp: %(count)s audit newly past its due date",
                    "TrueUp: %(count)s audits newly past their due date",
                    len(rows),
                ) % {"count": len(rows)}
            notifications_email(user_id=manager.pk, ids=[row.pk for row in rows], subject=subject)
    return made


@transaction.atomic
def _overdue_notices(manager: User, today: date) -> list[Notification]:
    # The manager's row is held while the notices are written, so two runs that overlap name
    # each audit to the manager once.
    list(User.objects.select_for_update().filter(pk=manager.pk).values_list("pk", flat=True))
    # The notice is kept as written, in the manager's language.
    with translation.override(manager.language or "en"):
        rows = [
            Notification(
                user=manager,
                audit=audit,
                kind=Kind.OVERDUE,
                text=shortened(_overdue_text(audit)),
                link=audit_link(audit),
            )
            for audit in newly_overdue(manager, today)
        ]
    return Notification.objects.bulk_create(rows)
