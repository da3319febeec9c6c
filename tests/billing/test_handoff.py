"""The billing hand-off is idempotent: retried calls (the service, the API, with or without a
key) never make a second instruction nor bill twice; the outbox records delivery; exports."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits.models import Audit
from trueup.billing import handoff as billing_handoff
from trueup.billing import selectors as billing_selectors
from trueup.billing.errors import BillingRefused
from trueup.billing.models import BillingInstruction, OutboxMessage
from trueup.billing.outbox import outbox_deliver


def _api(user: User) -> Client:
    _, key = api_token_create(user=user, name="billing system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_repeated_hand_offs_of_one_result_make_one_instruction(
    released: Audit, manager: User
) -> None:
    made = [billing_handoff.billing_handoff(audit=released, by=manager) for _ in range(5)]
    assert [created for _, created in made] == [False] * 5
    assert {instruction.pk for instruction, _ in made} == {BillingInstruction.objects.get().pk}
    assert OutboxMessage.objects.count() == 1


def test_the_api_hand_off_answers_the_released_results_instruction_every_time(
    released: Audit, billing: User
) -> None:
    client = _api(billing)
    url = f"/api/audits/{released.pk}/billing-handoff"
    answers = [
        client.post(url, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bill-run-42")
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    bodies = [a.json() for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["idempotency_key"] == (
        f"audit-{released.pk}-result-{released.final_result_id}-released"
    )
    assert Decimal(bodies[0]["bill_now"]) == Decimal("4575.00")
    assert bodies[0]["payload"]["policy"]["number"] == "WC-2025-01001"
    assert BillingInstruction.objects.count() == 1


def test_a_missing_instruction_is_made_once_under_the_callers_key(
    released: Audit, billing: User
) -> None:
    # Released before instructions were made on release: the first call makes it (201).
    OutboxMessage.objects.all().delete()
    BillingInstruction.objects.all().delete()
    client = _api(billing)
    url = f"/api/audits/{released.pk}/billing-handoff"
    answers = [
        client.post(url, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bill-run-42")
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert {a.json()["idempotency_key"] for a in answers} == {"bill-run-42"}
    assert BillingInstruction.objects.count() == 1


def test_ten_different_keys_for_one_released_result_bill_it_once(
    released: Audit, manager: User
) -> None:
    made = [
        billing_handoff.billing_handoff(audit=released, by=manager, key=f"retry-{n}")
        for n in range(10)
    ]
    assert [created for _, created in made] == [False] * 10
    instruction = BillingInstruction.objects.get()
    assert {i.pk for i, _ in made} == {instruction.pk}
    assert (instruction.bill_now, OutboxMessage.objects.count()) == (Decimal("4575.00"), 1)


def test_an_audit_not_yet_final_is_not_handed_off(audit: Audit, manager: User) -> None:
    from trueup.audits.services import audit_rate

    audit_rate(audit=audit, by=manager)
    with pytest.raises(BillingRefused, match="only a completed or estimated audit"):
        billing_handoff.billing_handoff(audit=audit, by=manager)
    assert not BillingInstruction.objects.exists()


def test_billing_reads_exports_and_acknowledges_the_instructions(
    released: Audit, billing: User, auditor: User
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    client = _api(billing)
    listed = client.get("/api/billing/instructions?undelivered=true").json()
    assert [i["id"] for i in listed["items"]] == [instruction.pk]
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/billing/instructions/export").content.decode()))
    )
    assert [(r["policy_number"], r["kind"], r["bill_now"], r["held"]) for r in rows] == [
        ("WC-2025-01001", "invoice", "4575.00", "0.00")
    ]
    exported = json.loads(client.get("/api/billing/instructions/export?format=json").content)
    assert exported[0]["insured"]["email"] == "dana@hoosier.example"
    assert exported[0]["result"]["by_class"][0]["item"] == "5645"
    ack = client.post(
        f"/api/billing/instructions/{instruction.pk}/delivered",
        {"delivered_to": "BillingCenter"},
        content_type="application/json",
    )
    assert ack.status_code == 200
    assert ack.json()["delivered_at"] is not None
    assert client.get("/api/billing/instructions?undelivered=true").json()["items"] == []
    outbox = OutboxMessage.objects.get()
    assert outbox.delivered_to == "BillingCenter"
    # An auditor's key may not read billing's queue.
    assert _api(auditor).get("/api/billing/instructions").status_code == 403


def test_the_outbox_is_pushed_and_a_failure_is_kept_for_the_next_run(released: Audit) -> None:
    sent: list[dict[str, object]] = []

    def down(body: dict[str, object]) -> None:
        raise ConnectionError("billing is down")

    assert outbox_deliver(down, "https://billing.example/in") == (0, 1)
    message = OutboxMessage.objects.get()
    assert (message.attempts, message.last_error, message.delivered_at) == (
        1,
        "billing is down",
        None,
    )
    assert outbox_deliver(sent.append, "https://billing.example/in") == (1, 0)
    assert (
        sent[0]["idempotency_key"]
        == f"audit-{released.pk}-result-{released.final_result_id}-released"
    )
    assert sent[0]["bill_now"] == "4575.00"
    # Delivered once: a later run sends nothing.
    assert outbox_deliver(sent.append, "https://billing.example/in") == (0, 0)
    assert len(sent) == 1


def test_the_deliver_command_posts_each_instruction_once_with_its_key(released: Audit) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from django.core.management import call_command

    received: list[tuple[str, dict[str, object]]] = []

    class Billing(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the standard library names it
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.headers["Idempotency-Key"], body))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Billing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        instruction = BillingInstruction.objects.get(audit=released)
        url = f"http://127.0.0.1:{server.server_port}/instructions"
        out = io.StringIO()
        call_command("deliver_billing", url, stdout=out)
        call_command("deliver_billing", url, stdout=out)
    finally:
        server.shutdown()
    assert out.getvalue().splitlines() == [
        "delivered 1, failed 0 (kept for the next run)",
        "delivered 0, failed 0 (kept for the next run)",
    ]
    assert [key for key, _ in received] == [instruction.idempotency_key]
    assert received[0][1]["bill_now"] == "4575.00"
    assert OutboxMessage.objects.get().delivered_to == url


def test_the_release_command_releases_the_windows_that_ended(approved: Audit) -> None:
    from datetime import timedelta
    from unittest import mock

    from django.core.management import call_command

    from trueup.billing.models import Outreach

    ends = Outreach.objects.get(audit=approved).window_ends
    out = io.StringIO()
    with mock.patch("trueup.core.clock.today", return_value=ends + timedelta(days=1)):
        call_command("release_outreach", stdout=out)
    assert out.getvalue().strip().endswith("invoice additional premium 4575.00")
    assert BillingInstruction.objects.count() == 1


def test_the_admin_lists_billing_and_letters(approved: Audit, admin_user: User) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    for path in (
        "billing/paymentrecord",
        "billing/outreach",
        "billing/dispute",
        "billing/billinginstruction",
        "billing/outboxmessage",
        "billing/paymentplan",
        "letters/letter",
    ):
        assert client.get(f"/admin/{path}/").status_code == 200, path


def test_billing_reports_the_payment_history_that_plans_look_at(
    approved: Audit, billing: User, auditor: User
) -> None:
    from trueup.billing.models import PaymentRecord

    client = _api(billing)
    body = {
        "policy": "WC-2025-01001",
        "on": "2026-10-01",
        "event": "returned",
        "amount": "812.50",
        "reference": "chk-1001",
    }
    first = client.post("/api/billing/payments", body, content_type="application/json")
    again = client.post("/api/billing/payments", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert PaymentRecord.objects.count() == 1
    assert not billing_selectors.plan_eligibility(approved).eligible
    bad = client.post(
        "/api/billing/payments",
        {"policy": "WC-NOPE", "on": "2026-10-01", "event": "late", "amount": "1.005"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    # An amount in fractions of a cent is refused by the schema, before the policy is looked up.
    assert bad.json()["problems"] == [
        {"path": "body.amount", "reason": "Decimal input should have no more than 2 decimal places"}
    ]
    assert (
        _api(auditor)
        .post("/api/billing/payments", body, content_type="application/json")
        .status_code
        == 403
    )
