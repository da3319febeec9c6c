"""Record uploads against the checklist: type checked by content, size limited, stored through
Django's storage, social security numbers found and a redacted copy served to everyone but the
audit staff and the uploader; the auditor accepts or rejects with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from trueup.accounts.models import User
from trueup.audits import fieldwork
from trueup.audits.models import Audit, AuditEdit, RecordsItem
from trueup.core.errors import InvalidInput
from trueup.portal.models import RecordUpload
from trueup.portal.services import PortalRefused, record_upload_add

REGISTER = (
    b"Employee,SSN,Class,Gross\r\n"
    b"Ann Lee,123-45-6789,5645,52000\r\n"
    b"Bo Park,234-56-7890,8810,30000\r\n"
)


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> Path:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def _item(audit: Audit, kind: str = "payroll_register") -> RecordsItem:
    return audit.records.get(kind=kind)


def test_an_upload_with_social_security_numbers_keeps_a_redacted_copy(
    requested: Audit, policyholder: User
) -> None:
    mail.outbox.clear()
    item = _item(requested)
    row = record_upload_add(
        item=item, by=policyholder, upload=SimpleUploadedFile("register.csv", REGISTER)
    )
    assert (row.kind, row.content_type, row.size, row.ssn_found) == (
        "csv",
        "text/csv",
        len(REGISTER),
        2,
    )
    assert (
        row.note
        == "2 social security numbers found; a redacted copy is shown instead of the original."
    )
    assert row.original.read() == REGISTER
    redacted = row.redacted.read().decode()
    assert "***-**-6789" in redacted and "123-45-6789" not in redacted
    assert "***-**-7890" in redacted and "234-56-7890" not in redacted
    # Stored under a random name, not the name the insured gave.
    assert "register" not in row.original.name
    item.refresh_from_db()
    assert item.status == "received"
    assert AuditEdit.objects.filter(
        audit=requested, summary="Payroll register: register.csv uploaded (2 SSNs redacted)"
    ).exists()
    assert [m.to for m in mail.outbox] == [["auditor@trueup.example"]]


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    requested: Audit, policyholder: User, media: Path
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_upload_add(
            item=_item(requested),
            by=policyholder,
            upload=SimpleUploadedFile("941.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
        )
    assert [p.path for p in refused.value.problems] == ["file"]
    assert "941.pdf" in refused.value.problems[0].reason
    assert not RecordUpload.objects.exists()
    assert not any(media.rglob("*.*"))
    assert _item(requested).status == "needed"


def test_a_file_over_the_size_limit_is_refused(requested: Audit, policyholder: User) -> None:
    big = SimpleUploadedFile("ledger.csv", b"a,b\n" * (26_214_400 // 4 + 1))
    with pytest.raises(InvalidInput) as refused:
        record_upload_add(item=_item(requested), by=policyholder, upload=big)
    assert refused.value.problems[0].reason == "ledger.csv is larger than the 25 MB limit"


def test_an_agent_may_not_upload_and_a_closed_audit_takes_no_records(
    requested: Audit, agent_user: User, policyholder: User
) -> None:
    upload = SimpleUploadedFile("register.csv", REGISTER)
    with pytest.raises(PortalRefused, match="Only the policyholder"):
        record_upload_add(item=_item(requested), by=agent_user, upload=upload)
    Audit.objects.filter(pk=requested.pk).update(status="completed")
    requested.refresh_from_db()
    with pytest.raises(PortalRefused, match="closed"):
        record_upload_add(item=_item(requested), by=policyholder, upload=upload)


def test_an_accepted_item_takes_no_more_files(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    item = _item(requested)
    fieldwork.records_item_mark(item=item, by=auditor, status="accepted")
    with pytest.raises(PortalRefused, match="nothing more is needed"):
        record_upload_add(item=item, by=policyholder, upload=SimpleUploadedFile("r.csv", REGISTER))


def test_who_gets_the_original_and_who_gets_the_redacted_copy(
    requested: Audit, policyholder: User, agent_user: User, auditor: User, underwriter: User
) -> None:
    row = record_upload_add(
        item=_item(requested), by=policyholder, upload=SimpleUploadedFile("register.csv", REGISTER)
    )

    def download(user: User, url: str) -> tuple[int, bytes]:
        client = Client()
        client.force_login(user)
        answer = client.get(url)
        body = b"".join(answer.streaming_content) if answer.status_code == 200 else b""  # type: ignore[attr-defined]
        return answer.status_code, body

    portal = f"/portal/audits/{requested.pk}/files/{row.pk}/"
    staff = f"/audits/{requested.pk}/files/{row.pk}/"
    status, body = download(agent_user, portal)
    assert status == 200 and b"***-**-6789" in body and b"123-45-6789" not in body
    assert download(agent_user, portal + "?original=1")[0] == 403
    status, body = download(policyholder, portal + "?original=1")
    assert status == 200 and body == REGISTER
    status, body = download(auditor, staff + "?original=1")
    assert status == 200 and body == REGISTER
    status, body = download(underwriter, staff)
    assert status == 200 and b"123-45-6789" not in body
    assert download(underwriter, staff + "?original=1")[0] == 403
    # Staff do not use the portal's address, nor portal users the workbench's.
    assert download(auditor, portal)[0] == 403
    assert download(policyholder, staff)[0] == 403


def test_the_auditor_rejects_an_upload_with_a_reason_and_the_insured_sees_it(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    item = _item(requested, "form_941")
    client = Client()
    client.force_login(policyholder)
    answer = client.post(
        f"/portal/audits/{requested.pk}/records/{item.pk}/",
        {"file": SimpleUploadedFile("q1.txt", b"Form 941 Q1 2025 line 2: 110,000.00\n")},
    )
    assert answer.status_code == 302
    fieldwork.records_item_mark(
        item=item, by=auditor, status="rejected", note="Q2 to Q4 are missing"
    )
    page = client.get(f"/portal/audits/{requested.pk}/").content.decode()
    assert "Not accepted: Q2 to Q4 are missing" in page
    assert "q1.txt" in page
    # A rejected item takes a new upload, which marks it received again.
    client.post(
        f"/portal/audits/{requested.pk}/records/{item.pk}/",
        {"file": SimpleUploadedFile("q2-q4.txt", b"Form 941 Q2-Q4 2025\n")},
    )
    item.refresh_from_db()
    assert item.status == "received"
    assert item.uploads.count() == 2
