"""Who sees what in the portal: every portal page and file of insured B, against B's own
policyholder, B's agent, another insured's policyholder, an agent of another agency, a revoked
delegate, the audit staff and an anonymous visitor. Nobody else sees anything of B's: not a page,
not a file, not a line of the list, not through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.audits.conftest import api_key_for
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, RecordsItem
from trueup.flows import results
from trueup.policies.models import Agency, EstimatedExposure, Insured, Policy, PolicyPeriod
from trueup.portal.models import AccessLog, Message, PortalAccess, RecordUpload, SelfAudit
from trueup.portal.services import record_upload_add

PERSONAS = (
    "owner_b",
    "agent_b",
    "owner_a",
    "agent_other",
    "revoked_delegate",
    "auditor",
    "anonymous",
)


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    url: str  # {audit}, {item} and {file} are B's
    allowed: frozenset[str]
    data: dict[str, str] | None = None
    # What a portal user who may see the audit, but not do this, gets.
    refused_status: int = 403


READERS = frozenset({"owner_b", "agent_b"})
PAGES = (
    Page("the audit page", "get", "/portal/audits/{audit}/", READERS),
    Page("the self-audit", "get", "/portal/audits/{audit}/self-audit/", frozenset({"owner_b"})),
    Page(
        "saving the self-audit",
        "post",
        "/portal/audits/{audit}/self-audit/",
        frozenset({"owner_b"}),
        {"action": "save", "business.operations": "changed"},
    ),
    Page("a message", "post", "/portal/audits/{audit}/messages/", READERS, {"body": "Hello"}),
    Page(
        "an upload",
        "post",
        "/portal/audits/{audit}/records/{item}/",
        frozenset({"owner_b"}),
        {"file": "upload"},
    ),
    Page("a file", "get", "/portal/audits/{audit}/files/{file}/", READERS),
    Page(
        "a file's original",
        "get",
        "/portal/audits/{audit}/files/{file}/?original=1",
        frozenset({"owner_b"}),
    ),
    Page("the worksheet request", "post", "/portal/audits/{audit}/worksheet-request/", READERS),
)


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def book(db: None, auditor: User) -> dict[str, object]:
    """Insured B with its audit, checklist, an upload and a message; insured A beside it."""
    agency_b = Agency.objects.create(code="B", name="B Agency")
    agency_other = Agency.objects.create(code="O", name="Other Agency")
    people: dict[str, object] = {}
    for letter, agency in (("A", agency_other), ("B", agency_b)):
        insured = Insured.objects.create(
            name=f"Insured {letter}", entity_type="corporation", agency=agency
        )
        policy = Policy.objects.create(insured=insured, number=f"WC-{letter}", line="WC")
        period = PolicyPeriod.objects.create(
            policy=policy, effective=date(2025, 1, 1), expiration=date(2026, 1, 1), states=["IN"]
        )
        EstimatedExposure.objects.create(
            period=period, state="IN", class_code="8810", exposure=100000
        )
        audit = results.audit_request_records(audit=Audit.objects.create(period=period), by=auditor)
        owner = User.objects.create(username=f"owner_{letter.lower()}", role=Role.INSURED)
        PortalAccess.objects.create(user=owner, insured=insured, kind="owner")
        people[f"owner_{letter.lower()}"] = owner
        people[f"audit_{letter.lower()}"] = audit
        people[f"insured_{letter.lower()}"] = insured
    agent_b = User.objects.create(username="agent_b", role=Role.AGENT, agency=agency_b)
    agent_other = User.objects.create(username="agent_o", role=Role.AGENT, agency=agency_other)
    delegate = User.objects.create(username="delegate", role=Role.INSURED)
    PortalAccess.objects.create(
        user=delegate,
        insured=people["insured_b"],  # type: ignore[misc]
        kind="delegate",
        revoked_at=timezone.now(),
    )
    audit_b: Audit = people["audit_b"]  # type: ignore[assignment]
    item = RecordsItem.objects.get(audit=audit_b, kind="payroll_register")
    upload = record_upload_add(
        item=item,
        by=people["owner_b"],  # type: ignore[arg-type]
        upload=SimpleUploadedFile("b.csv", b"Employee,SSN\nAnn,123-45-6789\n"),
    )
    Message.objects.create(audit=audit_b, author=auditor, from_portal=False, body="Secret of B")
    return people | {
        "agent_b": agent_b,
        "agent_other": agent_other,
        "revoked_delegate": delegate,
        "auditor": auditor,
        "item": item,
        "file": upload,
    }


def _state(audit: Audit) -> tuple[int, ...]:
    return (
        Message.objects.filter(audit=audit).count(),
        RecordUpload.objects.filter(audit=audit).count(),
        SelfAudit.objects.filter(audit=audit).count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name.replace(" ", "_"))
def test_each_portal_page_of_insured_b_answers_each_persona_as_its_rights_say(
    book: dict[str, object], page: Page, persona: str
) -> None:
    audit: Audit = book["audit_b"]  # type: ignore[assignment]
    url = page.url.format(audit=audit.pk, item=book["item"].pk, file=book["file"].pk)  # type: ignore[attr-defined]
    client = Client()
    if persona != "anonymous":
        client.force_login(book[persona])  # type: ignore[arg-type]
    data = dict(page.data or {})
    if data.get("file") == "upload":
        data["file"] = SimpleUploadedFile("more.csv", b"Employee,Gross\nBo,100\n")  # type: ignore[assignment]
    before = _state(audit)
    answer = getattr(client, page.method)(url, data) if page.method == "post" else client.get(url)
    status = answer.status_code
    if persona in page.allowed:
        assert status in (200, 302), answer.content[:400]
        if status == 302:
            assert "/login/" not in answer["Location"]
        return
    if persona == "anonymous":
        assert status == 302 and answer["Location"].startswith("/login/?next=")
    elif persona == "auditor":
        assert status == 403  # staff work in the workbench
    elif persona in READERS:
        assert status == page.refused_status
    else:
        # Another insured's policyholder, another agency's agent, a revoked delegate: as if B's
        # audit did not exist.
        assert status == 404
    assert _state(audit) == before
    assert "Secret of B" not in answer.content.decode(errors="ignore")


@pytest.mark.parametrize("persona", ["owner_a", "agent_other", "revoked_delegate"])
def test_the_list_shows_nothing_of_insured_b_to_others(
    book: dict[str, object], persona: str
) -> None:
    client = Client()
    client.force_login(book[persona])  # type: ignore[arg-type]
    body = client.get("/portal/").content.decode()
    assert "Insured B" not in body and "WC-B" not in body


def test_insured_bs_own_list_shows_b_and_not_a(book: dict[str, object]) -> None:
    client = Client()
    client.force_login(book["owner_b"])  # type: ignore[arg-type]
    body = client.get("/portal/").content.decode()
    assert "Insured B" in body and "Insured A" not in body


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "agent_b"])
def test_the_api_refuses_portal_users_keys(book: dict[str, object], persona: str) -> None:
    key = api_key_for(book[persona])  # type: ignore[arg-type]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    audit: Audit = book["audit_b"]  # type: ignore[assignment]
    assert client.get("/api/audits").status_code == 401
    assert client.get(f"/api/audits/{audit.pk}").status_code == 401


def test_refused_requests_are_logged_too(book: dict[str, object]) -> None:
    client = Client()
    owner_a: User = book["owner_a"]  # type: ignore[assignment]
    client.force_login(owner_a)
    audit: Audit = book["audit_b"]  # type: ignore[assignment]
    client.get(f"/portal/audits/{audit.pk}/")
    row = AccessLog.objects.get(user=owner_a)
    assert (row.status, row.audit, row.path) == (404, None, f"/portal/audits/{audit.pk}/")
