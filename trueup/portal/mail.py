"""The portal's e-mails (invitations, records-requested notices, messages to the auditor), sent
by a background task once the change that asks for them is committed. A mail server that is down
never undoes the change: the audit's history says the e-mail failed, and staff send a new
invitation from the audit page."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from trueup.audits.history import history_note
from trueup.audits.models import Audit
from trueup.core.mail import MAIL_FAILED
from trueup.core.tasks import enqueue_on_commit


@task()
def send_portal_email(
    audit_id: int | None, subject: str, body: str, to: list[str], about: str
) -> bool:
    """Send one e-mail; safe to retry (the worst a retry does is send the same words again)."""
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=to)
    except MAIL_FAILED as error:
        if audit_id is not None:
            history_note(
                audit=Audit.objects.get(pk=audit_id),
                by=None,
                summary=f"e-mail not sent ({about}) to {', '.join(to)}: {error}",
            )
        return False
    return True


def email_after_commit(
    *, audit: Audit | None, subject: str, body: str, to: list[str], about: str
) -> None:
    """Send the e-mail once the current transaction commits (at once outside one). The body is
    written now: an invitation's link exists only at this moment (TrueUp keeps its hash)."""
    enqueue_on_commit(
        send_portal_email, None if audit is None else audit.pk, subject, body, to, about
    )
