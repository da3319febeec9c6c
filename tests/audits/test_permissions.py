"""Who may do what: every workbench view and every API endpoint, against every staff role, a
vendor firm's auditor (whose firm the audit is not assigned to), an anonymous visitor, and the
portal's policyholder and agent of the audit's own insured.

Refused writes must leave nothing behind: no fact, no status change, no history row."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client

from tests.audits.conftest import PAYROLL_AMOUNTS, api_key_for
from trueup.accounts.models import User
from trueup.audits import services
from trueup.audits.models import (
    Audit,
    AuditEdit,
    Finding,
    InterviewNote,
    RecordsItem,
    StatusChange,
)
from trueup.policies.models import Policy
from trueup.portal.models import Invitation, Message

PERSONAS = (
    "auditor",
    "reviewer",
    "manager",
    "billing",
    "underwriter",
    "admin_user",
    "vendor_auditor",
    "anonymous",
    # Portal users with access to the audit's own insured: still never the workbench or the API.
    "policyholder",
    "agent_user",
)
PORTAL = frozenset({"policyholder", "agent_user"})
STAFF = frozenset(PERSONAS) - {"vendor_auditor", "anonymous"} - PORTAL
EDITORS = frozenset({"auditor", "manager", "admin_user"})
DOCUMENTERS = frozenset({"auditor", "reviewer", "manager", "admin_user"})
MANAGERS = frozenset({"manager", "admin_user"})
PAYROLL_LINE = {
    "employee": "Office",
    "state": "IN",
    "class_code": "8810",
    "gross": "61250",
    "labor_source": "employee",
    "overtime_records": "on",
    "records_support_division": "on",
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str  # {audit}, {line}, {item} and {policy} are filled in
    allowed: frozenset[str]
    api: bool = False
    data: dict[str, str] = field(default_factory=dict)
    body: object = None
    writes: bool = False
    htmx: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    # What a vendor firm's auditor gets for an audit or policy not assigned to the firm.
    vendor_status: int = 404


def _fact_fields(prefix: str) -> dict[str, str]:
    money = PAYROLL_AMOUNTS
    return {
        **{f"{prefix}-{k}": v for k, v in PAYROLL_LINE.items()},
        **{f"{prefix}-{k}": "0" for k in money},
    }


ENDPOINTS = (
    Endpoint("the worklist", "get", "/audits/", STAFF | {"vendor_auditor"}),
    Endpoint("an audit page", "get", "/audits/{audit}/", STAFF),
    Endpoint(
        "a payroll line's edit form", "get", "/audits/{audit}/facts/payroll/{line}/form/", EDITORS
    ),
    Endpoint("the add form", "get", "/audits/{audit}/facts/payroll/form/", EDITORS),
    Endpoint(
        "adding a payroll line",
        "post",
        "/audits/{audit}/facts/payroll/new/",
        EDITORS,
        data=_fact_fields("payroll-new"),
        writes=True,
        htmx=True,
    ),
    Endpoint(
        "changing a payroll line",
        "post",
        "/audits/{audit}/facts/payroll/{line}/",
        EDITORS,
        data={**_fact_fields("payroll-{line}"), "payroll-{line}-version": "1"},
        writes=True,
        htmx=True,
    ),
    Endpoint(
        "removing a payroll line",
        "post",
        "/audits/{audit}/facts/payroll/{line}/delete/",
        EDITORS,
        data={"version": "1"},
        writes=True,
        htmx=True,
    ),
    Endpoint(
        "submitting from the page",
        "post",
        "/audits/{audit}/actions/submit/",
        EDITORS | {"reviewer"},
        writes=True,
    ),
    Endpoint("assigning", "post", "/audits/{audit}/assign/", MANAGERS, data={}, writes=True),
    Endpoint(
        "recording an interview",
        "post",
        "/audits/{audit}/interviews/",
        DOCUMENTERS,
        data={"kind": "entrance", "held_on": "2026-02-03", "contact": "Dana"},
        writes=True,
    ),
    Endpoint(
        "recording a finding",
        "post",
        "/audits/{audit}/findings/",
        DOCUMENTERS,
        data={"kind": "payroll", "text": "Overtime not shown separately"},
        writes=True,
    ),
    Endpoint("making the checklist", "post", "/audits/{audit}/records/", DOCUMENTERS, writes=True),
    Endpoint(
        "marking a checklist item",
        "post",
        "/audits/{audit}/records/{item}/",
        DOCUMENTERS,
        data={"status": "received"},
        writes=True,
    ),
    Endpoint(
        "sending a portal invitation",
        "post",
        "/audits/{audit}/invitations/",
        DOCUMENTERS,
        writes=True,
    ),
    Endpoint(
        "writing to the insured",
        "post",
        "/audits/{audit}/messages/",
        DOCUMENTERS,
        data={"body": "Please send the Q4 941."},
        writes=True,
    ),
    Endpoint("the API audit list", "get", "/api/audits", STAFF | {"vendor_auditor"}, api=True),
    Endpoint("the API audit", "get", "/api/audits/{audit}", STAFF, api=True),
    Endpoint("the API result", "get", "/api/audits/{audit}/result", STAFF, api=True),
    Endpoint(
        "the API submit",
        "post",
        "/api/audits/{audit}/actions/submit",
        EDITORS | {"reviewer"},
        api=True,
        body={},
        writes=True,
    ),
    Endpoint(
        "the API payroll",
        "put",
        "/api/audits/{audit}/payroll",
        EDITORS,
        api=True,
        body=[{"state": "IN", "class": "8810", "gross": "61250"}],
        headers={"HTTP_IF_MATCH": '"0"'},  # the audit's facts as the fixture made them
        writes=True,
    ),
    Endpoint("the API rating", "post", "/api/audits/{audit}/rate", EDITORS, api=True, body={}),
    Endpoint("the API policy", "get", "/api/policies/{policy}", STAFF, api=True),
    Endpoint(
        "the API policy upsert",
        "put",
        "/api/policies/WC-2026-00042",
        MANAGERS,
        api=True,
        body={
            "insured": {"name": "Hoosier Framing LLC", "entity_type": "llc"},
            "line": "WC",
            "periods": [
                {
                    "effective": "2026-01-01",
                    "expiration": "2027-01-01",
                    "states": ["IN"],
                    "estimates": [{"state": "IN", "class": "5645", "exposure": "350000"}],
                }
            ],
        },
        writes=True,
        vendor_status=403,  # a role check: no firm may change policies
    ),
)


def _trail(audit: Audit) -> tuple[int, ...]:
    return (
        Invitation.objects.count(),
        Message.objects.count(),
        AuditEdit.objects.count(),
        StatusChange.objects.count(),
        InterviewNote.objects.count(),
        Finding.objects.filter(audit=audit).count(),
        audit.payroll.count(),
        sum(1 for item in RecordsItem.objects.all() if item.status != "needed"),
    )


def _client(persona: str, user: User | None, api: bool) -> Client:
    if user is None:
        return Client()
    if api:
        key = api_key_for(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name.replace(" ", "_"))
def test_each_endpoint_answers_each_persona_as_its_rights_say(
    request: pytest.FixtureRequest, audit: Audit, endpoint: Endpoint, persona: str
) -> None:
    user: User | None = None if persona == "anonymous" else request.getfixturevalue(persona)
    services.audit_rate(audit=audit, by=None)
    line = audit.payroll.order_by("id").first()
    item = RecordsItem.objects.create(audit=audit, kind="form_941")
    names = {
        "audit": audit.pk,
        "line": line.pk,
        "item": item.pk,
        "policy": audit.period.policy.number,
    }
    url = endpoint.url.format(**names)
    data = {k.format(**names): v for k, v in endpoint.data.items()}
    client = _client(persona, user, endpoint.api)
    before = _trail(audit)
    headers = {**endpoint.headers, **({"HTTP_HX_REQUEST": "true"} if endpoint.htmx else {})}
    if endpoint.api:
        body = json.dumps(endpoint.body) if endpoint.body is not None else None
        answer = getattr(client, endpoint.method)(
            url, body, content_type="application/json", **headers
        )
    else:
        answer = getattr(client, endpoint.method)(url, data, **headers)

    status = answer.status_code
    if persona in endpoint.allowed:
        assert status in (200, 302), answer.content[:500]
        if status == 302:
            assert "/login/" not in answer["Location"]
        if persona == "vendor_auditor":  # lists only: the audit is not the firm's
            listed = answer.json()["count"] if endpoint.api else len(answer.context["page"])
            assert listed == 0
        return
    if persona == "anonymous":
        if endpoint.api:
            assert status == 401
        else:
            assert status == 302
            assert answer["Location"].startswith("/login/?next=")
    elif persona in PORTAL:
        # The API refuses a portal user's key as if there were none; the pages refuse the role.
        assert status == (401 if endpoint.api else 403)
    elif persona == "vendor_auditor":
        assert status == endpoint.vendor_status  # not the firm's: as if it did not exist
    elif endpoint.name == "submitting from the page":
        # The role may not submit: the page explains and the audit stays as it was.
        assert status == 302
        assert "may not submit" in str(list(answer.wsgi_request._messages))
    else:
        assert status == 403
    if endpoint.writes:
        assert _trail(audit) == before
        assert not Policy.objects.filter(number="WC-2026-00042").exists()
