"""Downloads of stored files: a file gone from storage answers 404 with a page that says so, and
every staff opening of an original (with its social security numbers) is in the access log."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.letters.models import Letter, LetterStatus
from trueup.portal.models import AccessLog, RecordUpload
from trueup.portal.services import record_upload_add

REGISTER = b"Employee,SSN,Gross\r\nAnn Lee,123-45-6789,52000\r\nBo Park,234-56-7890,30000\r\n"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> Path:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path


@pytest.fixture
def uploaded(requested: Audit, policyholder: User) -> RecordUpload:
    return record_upload_add(
        item=requested.records.get(kind="payroll_register"),
        by=policyholder,
        upload=SimpleUploadedFile("register.csv", REGISTER),
    )


@pytest.fixture
def letter(requested: Audit, auditor: User) -> Letter:
    row = Letter(
        audit=requested,
        kind="reminder_1",
        subject="First reminder",
        recipients=["dana@hoosier.example"],
        html="<p>Reminder</p>",
        text="Reminder",
        sent_by=auditor,
        status=LetterStatus.SENT,
    )
    row.pdf.save("reminder.pdf", ContentFile(b"%PDF-1.7 reminder"))
    return row


def _get(user: User, url: str) -> tuple[int, bytes]:
    client = Client()
    client.force_login(user)
    answer = client.get(url)
    if answer.streaming:
        return answer.status_code, b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    return answer.status_code, answer.content


def test_every_staff_opening_of_an_original_is_logged_with_the_file(
    uploaded: RecordUpload, auditor: User, reviewer: User, underwriter: User
) -> None:
    url = f"/audits/{uploaded.audit_id}/files/{uploaded.pk}/"
    assert _get(auditor, url + "?original=1") == (200, REGISTER)
    assert _get(auditor, url + "?original=1") == (200, REGISTER)
    assert _get(reviewer, url + "?original=1") == (200, REGISTER)
    # The redacted copy, and a refused original, open nothing with the numbers in it.
    assert _get(auditor, url)[0] == 200
    assert _get(underwriter, url + "?original=1")[0] == 403
    rows = AccessLog.objects.filter(event="staff_original").order_by("id")
    assert [
        (r.user, r.audit_id, r.upload_id, r.original, r.status, r.method, r.path) for r in rows
    ] == [
        (auditor, uploaded.audit_id, uploaded.pk, True, 200, "GET", url + "?original=1"),
        (auditor, uploaded.audit_id, uploaded.pk, True, 200, "GET", url + "?original=1"),
        (reviewer, uploaded.audit_id, uploaded.pk, True, 200, "GET", url + "?original=1"),
    ]


def test_a_file_without_a_redacted_copy_is_its_original_and_staff_opening_it_is_logged(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    plain = record_upload_add(
        item=requested.records.get(kind="payroll_register"),
        by=policyholder,
        upload=SimpleUploadedFile("totals.csv", b"Class,Gross\n5645,52000\n8810,30000\n"),
    )
    assert _get(auditor, f"/audits/{requested.pk}/files/{plain.pk}/")[0] == 200
    row = AccessLog.objects.get(event="staff_original")
    assert (row.user, row.upload_id, row.original) == (auditor, plain.pk, True)


def test_a_portal_users_download_is_not_logged_as_a_staff_opening(
    uploaded: RecordUpload, policyholder: User
) -> None:
    url = f"/portal/audits/{uploaded.audit_id}/files/{uploaded.pk}/?original=1"
    assert _get(policyholder, url) == (200, REGISTER)
    assert not AccessLog.objects.filter(event="staff_original").exists()
    assert AccessLog.objects.filter(event="file_download", user=policyholder).count() == 1


@pytest.mark.parametrize("which", ["original", "redacted"])
def test_an_upload_missing_from_storage_answers_404_with_a_message(
    uploaded: RecordUpload, policyholder: User, agent_user: User, auditor: User, which: str
) -> None:
    getattr(uploaded, which).storage.delete(getattr(uploaded, which).name)
    portal = f"/portal/audits/{uploaded.audit_id}/files/{uploaded.pk}/"
    staff = f"/audits/{uploaded.audit_id}/files/{uploaded.pk}/"
    query = "?original=1" if which == "original" else ""
    reader = policyholder if which == "original" else agent_user
    status, body = _get(reader, portal + query)
    assert status == 404
    assert (
        "The file \u201cregister.csv\u201d is no longer in our file storage, so it cannot be "
        "opened. Please upload it again, or write to your auditor."
    ) in body.decode()
    status, body = _get(auditor, staff + query)
    assert status == 404
    assert (
        "The file \u201cregister.csv\u201d is no longer in our file storage, so it cannot be "
        "opened. Ask the insured to upload it again, or restore it from a backup."
    ) in body.decode()
    # The portal's own log keeps the refused request, with its answer.
    assert AccessLog.objects.get(event="file_download").status == 404


def test_a_letter_missing_from_storage_answers_404_with_a_message(
    letter: Letter, policyholder: User, auditor: User
) -> None:
    portal = f"/portal/audits/{letter.audit_id}/letters/{letter.pk}.pdf"
    staff = f"/audits/{letter.audit_id}/letters/{letter.pk}.pdf"
    assert _get(policyholder, portal) == (200, b"%PDF-1.7 reminder")
    assert _get(auditor, staff) == (200, b"%PDF-1.7 reminder")
    letter.pdf.storage.delete(letter.pdf.name)
    status, body = _get(policyholder, portal)
    assert status == 404
    assert (
        "The PDF of the first reminder letter is no longer in our file storage, so it cannot be "
        "opened. Please write to your auditor for a copy."
    ) in body.decode()
    status, body = _get(auditor, staff)
    assert status == 404
    assert (
        "The PDF of the first reminder letter is no longer in the file storage, so it cannot be "
        "opened. Restore it from a backup, or preview the letter and send it again."
    ) in body.decode()
