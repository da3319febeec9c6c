"""The JSON API refuses what it cannot serve or store with 422 naming the parameter, on SQLite
and PostgreSQL alike: pages are bounded, amounts fit their columns, a body is an object; and
every error answer has the one declared shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.api.common import MAX_OFFSET, MAX_PAGE_SIZE
from trueup.audits.models import Audit
from trueup.policies.models import Policy, PolicyPeriod

ERROR_CODES = ["401", "403", "404", "409", "422"]


def client_for(user: User) -> Client:
    _, key = api_token_create(user=user, name="test system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def problems(answer: Any) -> list[tuple[str, str]]:
    return [(p["path"], p["reason"]) for p in answer.json()["problems"]]


POLICY: dict[str, Any] = {
    "line": "WC",
    "insured": {"name": "Prairie Bakery Inc.", "fein": "351234567", "entity_type": "corporation"},
    "periods": [
        {
            "effective": "2025-01-01",
            "expiration": "2026-01-01",
            "states": ["IN"],
            "deposit_premium": "4200",
            "estimates": [{"state": "IN", "class": "2003", "exposure": "150000"}],
        }
    ],
}


@pytest.mark.parametrize(
    ("query", "path", "reason"),
    [
        (f"offset={10**20}", "query.offset", f"Input should be less than or equal to {MAX_OFFSET}"),
        ("offset=-1", "query.offset", "Input should be greater than or equal to 0"),
        (
            f"limit={10**9}",
            "query.limit",
            f"Input should be less than or equal to {MAX_PAGE_SIZE}",
        ),
        ("limit=0", "query.limit", "Input should be greater than or equal to 1"),
    ],
)
def test_a_page_out_of_range_answers_422_naming_the_parameter(
    audit: Audit, admin_user: User, query: str, path: str, reason: str
) -> None:
    client = client_for(admin_user)
    for url in ("/api/audits", "/api/billing/instructions"):
        answer = client.get(f"{url}?{query}")
        assert answer.status_code == 422
        assert answer.json() == {
            "code": "invalid",
            "message": f"{path}: {reason}",
            "problems": [{"path": path, "reason": reason}],
        }


def test_the_largest_page_and_offset_are_served(audit: Audit, admin_user: User) -> None:
    client = client_for(admin_user)
    listed = client.get(f"/api/audits?limit={MAX_PAGE_SIZE}&offset={MAX_OFFSET}")
    assert listed.status_code == 200
    assert listed.json() == {"items": [], "count": 1}
    assert client.get("/api/audits").json()["count"] == 1
    assert client.get("/api/billing/instructions").json() == {"items": [], "count": 0}


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1e40", 1e40, "12345678901234.5", "1.005", "NaN", "Infinity"])
def test_a_deposit_beyond_the_columns_precision_answers_422(manager: User, amount: Any) -> None:
    policy = json.loads(json.dumps(POLICY))
    policy["periods"][0]["deposit_premium"] = amount
    answer = client_for(manager).put(
        "/api/policies/WC-9101", json.dumps(policy), content_type="application/json"
    )
    assert answer.status_code == 422
    [(path, _)] = problems(answer)
    assert path == "body.periods[0].deposit_premium"
    assert not Policy.objects.filter(number="WC-9101").exists()


@pytest.mark.django_db
def test_a_deposit_at_the_columns_largest_value_is_kept(manager: User) -> None:
    policy = json.loads(json.dumps(POLICY))
    policy["periods"][0]["deposit_premium"] = "999999999999.99"
    answer = client_for(manager).put(
        "/api/policies/WC-9102", json.dumps(policy), content_type="application/json"
    )
    assert answer.status_code == 200
    assert PolicyPeriod.objects.get(policy__number="WC-9102").deposit_premium == (
        __import__("decimal").Decimal("999999999999.99")
    )


def test_a_payroll_amount_beyond_the_columns_precision_answers_422(
    audit: Audit, auditor: User
) -> None:
    lines = [{"state": "IN", "class": "5645", "gross": "1000", "tips": "1e40"}]
    answer = client_for(auditor).put(
        f"/api/audits/{audit.pk}/payroll", json.dumps(lines), content_type="application/json"
    )
    assert answer.status_code == 422
    assert problems(answer) == [
        ("body[0].tips", "Decimal input should have no more than 14 digits in total")
    ]
    assert audit.payroll.count() == 3


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("null", ("body", "must be a JSON object or array, not null")),
        ("[]", ("body", "must be a JSON object")),
        ("[{}]", ("body", "must be a JSON object")),
        ('"start"', ("body", "must be a JSON object")),
        ("17", ("body", "must be a JSON object")),
    ],
)
def test_an_action_with_a_body_that_is_not_an_object_answers_422(
    audit: Audit, admin_user: User, body: str, problem: tuple[str, str]
) -> None:
    # A scheduled audit may be started: only the body stands in the way.
    Audit.objects.filter(pk=audit.pk).update(status="scheduled")
    answer = client_for(admin_user).post(
        f"/api/audits/{audit.pk}/actions/start", body, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    assert problems(answer) == [problem]
    audit.refresh_from_db()
    assert audit.status == "scheduled"


def test_a_body_that_is_not_json_answers_422(audit: Audit, admin_user: User) -> None:
    answer = client_for(admin_user).post(
        f"/api/audits/{audit.pk}/actions/start", "{", content_type="application/json"
    )
    assert answer.status_code == 422
    assert problems(answer) == [("body", "is not valid JSON")]


def test_text_holding_a_nul_character_answers_422(audit: Audit, admin_user: User) -> None:
    client = client_for(admin_user)
    answer = client.get("/api/audits?status=open%00")
    assert answer.status_code == 422
    assert problems(answer) == [("query.status", "text may not hold the NUL character (\\u0000)")]
    answer = client.post(
        f"/api/audits/{audit.pk}/actions/start",
        json.dumps({"reason": "a\x00b"}),
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert problems(answer) == [("body", "reason: text may not hold the NUL character (\\u0000)")]


def test_a_missing_object_and_a_missing_key_answer_in_the_declared_shape(
    audit: Audit, admin_user: User
) -> None:
    missing = client_for(admin_user).get("/api/audits/999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "/api/audits/999999 does not exist, or this account may not see it",
    }
    assert client_for(admin_user).get(f"/api/audits/{10**20}").status_code == 404
    anonymous = Client().get("/api/audits")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "code": "unauthenticated",
        "message": "send a valid API key in the Authorization header: Bearer <key>",
    }


@pytest.mark.django_db
def test_every_endpoint_declares_its_error_answers_with_the_shared_schema() -> None:
    document = Client().get("/api/openapi.json").json()
    error = document["components"]["schemas"]["Error"]
    assert sorted(error["properties"]) == ["code", "message", "problems"]
    assert error["required"] == ["code", "message"]
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(operations) == 38
    for operation in operations:
        for code in ERROR_CODES:
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, operation["operationId"]
