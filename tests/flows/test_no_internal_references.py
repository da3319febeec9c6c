"""What users read cites public sources or none: never the team's own notes (issue 14, bug 2).

The demo book is loaded once and every page its users can open is rendered, as each of them:
staff pages as every staff persona, the portal as the agent and the policyholder, every letter
the book sends (its e-mail, its stored text and its PDF) and a preview of every kind of letter.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pypdf
import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.flows.demo import demo_invitation, load_demo_book
from trueup.letters.models import Letter, LetterKind

# The team's notes and where they live: no user can open them.
INTERNAL = (
    "WORKFLOW.md",
    "RULES.md",
    "DATA-FORMATS.md",
    "ANCHORS.md",
    "METRICS.md",
    "DESIGN.md",
    "seed 0",
    "../shared",
)
STAFF = ("auditor", "reviewer", "manager", "billing", "underwriter", "admin", "vendor")
# The rule data whose sources are shown on pages and in letters.
RULE_DATA = (
    "trueup/audits/schedule.toml",
    "trueup/billing/billing.toml",
    "trueup/payroll/reconcile.toml",
    "trueup/payroll/ingest/profiles.toml",
    "trueup/payroll/ingest/categories.toml",
    "trueup/portal/portal.toml",
    "trueup/reporting/reporting.toml",
    "trueup/notifications/notifications.toml",
    "trueup/renewals/renewals.toml",
    "trueup/premium_reports/premium_reports.toml",
)
AUDIT = re.compile(r"/audits/\d+/")
ROOT = Path(__file__).resolve().parents[2]


def internal_references(text: str) -> list[str]:
    return [word for word in INTERNAL if word in text]


class Reader:
    """Opens pages as one user and keeps what each showed of the team's notes."""

    def __init__(self, found: dict[str, list[str]], user: User | None = None) -> None:
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self.who = user.username if user else "anonymous"
        self.found = found
        self.read: list[str] = []
        self.texts: list[str] = []

    def get(self, url: str) -> str:
        response = self.client.get(url)
        if response.get("Content-Type", "").startswith("application/pdf"):
            text = pdf_text(b"".join(response))
        else:
            text = b"".join(response).decode()
        self.note(f"{url} as {self.who}", text)
        return text

    def note(self, where: str, text: str) -> None:
        self.read.append(where)
        self.texts.append(text)
        if words := internal_references(text):
            self.found[where] = words


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def one_audit_per_status() -> list[Audit]:
    seen: dict[str, Audit] = {}
    for audit in Audit.objects.order_by("id"):
        seen.setdefault(audit.status, audit)
    return list(seen.values())


def links(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf'href="({re.escape(prefix)}[^"#?]*)"', html))


def staff_pages(found: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    auditor = Reader(found, User.objects.get(username="auditor"))
    # Every audit and its payroll pages, as the auditor who works them.
    for audit in Audit.objects.order_by("id"):
        auditor.get(reverse("audits:audit", args=[audit.pk]))
        for url in links(auditor.get(reverse("payroll:home", args=[audit.pk])), "/audits/"):
            if "/payroll/" in url:
                auditor.get(url)
    # Every kind of letter, previewed where the audit's status lets it be written.
    for audit in one_audit_per_status():
        for kind in LetterKind.values:
            auditor.get(reverse("billing:letter_preview", args=[audit.pk, kind]))
    for letter in Letter.objects.all():
        auditor.get(reverse("billing:letter_pdf", args=[letter.audit_id, letter.pk]))
    yield from zip(auditor.read, auditor.texts, strict=True)
    # Every persona: the worklist, their account pages and the first audits their worklist lists
    # (what a page says depends on the reader only through the actions it offers).
    for username in STAFF:
        reader = Reader(found, User.objects.get(username=username))
        worklist = reader.get(reverse("audits:worklist"))
        reader.get(reverse("accounts:second_factor"))
        audits = [url for url in sorted(links(worklist, "/audits/")) if AUDIT.fullmatch(url)]
        for url in audits[:3]:
            reader.get(url)
        yield from zip(reader.read, reader.texts, strict=True)
    # The admin's lists, where reference data and its sources are edited.
    admin_reader = Reader(found, User.objects.get(username="admin"))
    for model in admin.site._registry:
        meta = model._meta
        admin_reader.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    yield from zip(admin_reader.read, admin_reader.texts, strict=True)


def portal_pages(found: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    for username in ("agent", "policyholder"):
        reader = Reader(found, User.objects.get(username=username))
        home = reader.get(reverse("portal:home"))
        statuses: set[tuple[str, str]] = set()
        for audit_url in sorted(links(home, "/portal/audits/")):
            page = reader.get(audit_url)
            status = Audit.objects.get(pk=audit_url.split("/")[3]).status
            for url in sorted(links(page, audit_url)):
                # A document is the same template for every audit in a status: one each.
                shape = (re.sub(r"\d+", "N", url), status)
                if shape not in statuses:
                    statuses.add(shape)
                    reader.get(url)
        yield from zip(reader.read, reader.texts, strict=True)
    anonymous = Reader(found)
    invitation = demo_invitation()
    assert invitation is not None
    _, url, _ = invitation
    anonymous.get(url)
    anonymous.get(reverse("portal:access"))
    yield from zip(anonymous.read, anonymous.texts, strict=True)


def letters_sent(found: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    reader = Reader(found)
    for message in mail.outbox:
        where = f"e-mail {message.subject!r} to {', '.join(message.to)}"
        reader.note(where, f"{message.subject}\n{message.body}")
        for alternative, _ in getattr(message, "alternatives", []):
            reader.note(f"{where} (HTML)", str(alternative))
        for attachment in message.attachments:
            if isinstance(attachment, Message):
                continue
            name, content, mimetype = attachment
            if mimetype == "application/pdf":
                assert isinstance(content, bytes)
                reader.note(f"{where}, attachment {name}", pdf_text(content))
    for letter in Letter.objects.all():
        where = f"letter {letter.kind} of audit {letter.audit_id}"
        reader.note(where, f"{letter.subject}\n{letter.html}\n{letter.text}")
        if letter.pdf:
            with letter.pdf.open("rb") as stored:
                reader.note(f"{where} (PDF)", pdf_text(stored.read()))
    yield from zip(reader.read, reader.texts, strict=True)


@pytest.mark.django_db
def test_no_page_letter_or_email_of_the_demo_book_cites_the_teams_own_notes(
    settings: pytest.FixtureRequest, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    load_demo_book(policies=60)
    found: dict[str, list[str]] = {}

    staff = dict(staff_pages(found))
    portal = dict(portal_pages(found))
    sent = dict(letters_sent(found))

    assert found == {}
    # What was read: every audit's page, the portal's audits and each letter the book sent.
    assert len({where for where in staff if re.fullmatch(r"/audits/\d+/ as auditor", where)}) == (
        Audit.objects.count()
    )
    assert sum(where.endswith("worksheet.pdf as agent") for where in portal) >= 1
    assert sum(where.startswith("letter ") for where in sent) == 2 * Letter.objects.count() == 6
    # The records checklist's reasons were read, with the public source they cite now.
    request = next(text for where, text in staff.items() if "records_request/preview" in where)
    assert "Verification: the quarterly 941s must reconcile to the payroll register " in request
    assert "(IRS Form 941, lines 2 and 5c)" in request


def test_the_rule_data_users_read_cites_public_sources_or_none() -> None:
    for name in RULE_DATA:
        text = (ROOT / name).read_text()
        tomllib.loads(text)  # still valid rule data
        assert internal_references(text) == [], name
