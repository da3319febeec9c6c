"""Sending a letter that has been written: printed to PDF and e-mailed by a background task, so a
mail server that is down never undoes the change that called for the letter. The letter waits
(``failed``, with the reason, on the audit page) and is tried again."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from trueup.audits.history import history_note
from trueup.audits.models import Audit
from trueup.core.mail import MAIL_FAILED
from trueup.core.pdf import html_to_pdf
from trueup.letters.models import Letter, LetterKind, LetterStatus

_WRAPPED_AT_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n(?=\w)")
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def letter_text(pdf: bytes) -> str:
    """The PDF's text as a reader (or a search) sees it, its pages one after the other."""
    # Imported here, as WeasyPrint is: only letter and document work needs it.
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # A line that wraps after a word's own hyphen ("non-compliance") comes out as two words;
    # the letters are never hyphenated automatically, so the hyphen is the word's.
    return _WRAPPED_AT_HYPHEN.sub("-", text)


def letter_filename(audit: Audit, kind: str, on: date) -> str:
    number = _UNSAFE_IN_FILENAME.sub("-", audit.period.policy.number).strip("-")
    return f"{number}-{kind}-{on:%Y%m%d}.pdf"


def _message(letter: Letter, name: str, pdf: bytes) -> EmailMessage:
    insured = letter.audit.period.policy.insured
    # The cover note is in the letter's own language.
    with translation.override(letter.language or "en"):
        body = render_to_string(
            "letters/cover_note.txt",
            {
                "salutation": insured.contact_name or insured.name,
                "insured": insured,
                "period": letter.audit.period,
                "kind_label": LetterKind(letter.kind).label,
                "filename": name,
            },
        )
    message = EmailMessage(subject=letter.subject, body=body, to=list(letter.recipients))
    message.attach(name, pdf, "application/pdf")
    return message


def letter_deliver(*, letter_id: int) -> Letter:
    """Print and e-mail a written letter, once: a letter already sent is left alone, so a retry
    or a second worker sends nothing twice. The letter row is locked while it is sent."""
    try:
        with transaction.atomic():
            letter = Letter.objects.select_for_update().select_related("audit").get(pk=letter_id)
            if letter.status == LetterStatus.SENT:
                return letter
            pdf = html_to_pdf(letter.html)
            name = letter_filename(letter.audit, letter.kind, timezone.localdate(letter.queued_at))
            _message(letter, name, pdf).send()
            letter.text = letter_text(pdf)
            letter.pdf.save(name, ContentFile(pdf), save=False)
            letter.status = LetterStatus.SENT
            letter.sent_at = timezone.now()
            letter.attempts += 1
            letter.last_error = ""
            letter.save()
            label = LetterKind(letter.kind).label
            to = ", ".join(letter.recipients)
            history_note(
                audit=letter.audit, by=letter.sent_by, summary=f"letter sent: {label} to {to}"
            )
            return letter
    except MAIL_FAILED as error:
        return _failed(letter_id, error)


def _failed(letter_id: int, error: Exception) -> Letter:
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        letter.status = LetterStatus.FAILED
        letter.attempts += 1
        letter.last_error = f"{type(error).__name__}: {error}"[:1000]
        letter.save(update_fields=["status", "attempts", "last_error"])
        label = LetterKind(letter.kind).label
        history_note(
            audit=letter.audit,
            by=letter.sent_by,
            summary=(
                f"letter not sent yet ({label}): the e-mail failed ({error}); it is tried again"
            ),
        )
        return letter


@task()
def deliver_letter(letter_id: int) -> str:
    """The background task: load the letter by id and send it (safe to retry)."""
    return letter_deliver(letter_id=letter_id).status


def letters_retry(max_attempts: int, waiting_minutes: int = 10) -> int:
    """Queue again the letters whose e-mail failed, up to ``max_attempts`` tries each, and those
    still waiting after ``waiting_minutes`` (their task was lost: a worker stopped, a database
    that was busy). A scheduled task; safe, as a letter already sent is left alone. Returns the
    number queued."""
    since = timezone.now() - timedelta(minutes=waiting_minutes)
    waiting = list(
        Letter.objects.filter(
            Q(status=LetterStatus.FAILED, attempts__lt=max_attempts)
            | Q(status=LetterStatus.QUEUED, queued_at__lt=since)
        ).values_list("pk", flat=True)
    )
    for pk in waiting:
        deliver_letter.enqueue(pk)
    return len(waiting)
