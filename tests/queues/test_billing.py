"""Billing's queue: instructions not yet delivered, with each attempt to send them, and the
button that records a delivery (billing and administrators only; safe to press twice)."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.queues.conftest import client_of
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.models import BillingInstruction, OutboxMessage
from trueup.billing.outbox import outbox_deliver, outbox_delivered
from trueup.flows import queues


def _refused(body: object) -> None:
    raise ConnectionRefusedError("[Errno 111] Connection refused")


def _told(answer: object) -> list[str]:
    return [str(m) for m in get_messages(answer.wsgi_request)]  # type: ignore[attr-defined]


def test_billing_sees_an_instruction_not_yet_sent_with_no_attempts(
    released: Audit, billing: User
) -> None:
    [row] = queues.billing_rows(billing, queues.billing_queue(billing))
    instruction = BillingInstruction.objects.get(audit=released)
    assert row.instruction == instruction
    assert (row.bill_now, row.attempts, row.last_tried, row.may_mark) == (
        "$4,575.00",
        0,
        None,
        True,
    )
    assert row.last_error == "not sent: billing fetches instructions through the API"
    page = client_of(billing).get("/queues/billing/").content.decode()
    assert '<td class="num">$4,575.00</td>' in page
    assert f'aria-label="Mark delivered: instruction {instruction.pk}">Mark delivered<' in page


def test_billing_sees_each_failed_attempt_and_its_error_in_words(
    released: Audit, billing: User, settings: object
) -> None:
    settings.TRUEUP_BILLING_URL = "https://billing.example/instructions"  # type: ignore[attr-defined]
    assert outbox_deliver(_refused, "https://billing.example/instructions") == (0, 1)
    assert outbox_deliver(_refused, "https://billing.example/instructions") == (0, 1)
    [row] = queues.billing_rows(billing, queues.billing_queue(billing))
    message = OutboxMessage.objects.get(instruction__audit=released)
    assert (row.attempts, row.last_tried) == (2, message.last_attempt_at)
    assert row.last_error == (
        "the billing system refused the connection (it may be down) "
        "([Errno 111] Connection refused)"
    )


def test_marking_an_instruction_delivered_takes_it_off_the_queue(
    released: Audit, billing: User
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    answer = client_of(billing).post(f"/queues/billing/{instruction.pk}/delivered/")
    assert answer.status_code == 302 and answer["Location"] == "/queues/billing/"
    assert _told(answer) == [f"Instruction {instruction.pk} is marked delivered."]
    message = OutboxMessage.objects.get(instruction=instruction)
    assert message.delivered_at is not None
    assert message.delivered_to == "marked delivered by billing"
    assert list(queues.billing_queue(billing)) == []
    page = client_of(billing).get("/queues/billing/").content.decode()
    assert "Every billing instruction has been delivered." in page


def test_marking_it_delivered_a_second_time_says_it_was_done_and_changes_nothing(
    released: Audit, billing: User, admin_user: User
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    client_of(billing).post(f"/queues/billing/{instruction.pk}/delivered/")
    first = OutboxMessage.objects.get(instruction=instruction).delivered_at
    assert first is not None
    # The same page, still open in another person's browser.
    answer = client_of(admin_user).post(f"/queues/billing/{instruction.pk}/delivered/")
    assert answer.status_code == 302
    local = timezone.localtime(first)
    assert _told(answer) == [
        f"Instruction {instruction.pk} was already delivered on {local:%Y-%m-%d at %H:%M} "
        "(marked delivered by billing): nothing changed."
    ]
    again = OutboxMessage.objects.get(instruction=instruction)
    assert (again.delivered_at, again.delivered_to) == (first, "marked delivered by billing")


def test_the_service_tells_a_second_mark_from_the_first(released: Audit, billing: User) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    first = queues.instruction_mark_delivered(instruction_id=instruction.pk, by=billing)
    second = queues.instruction_mark_delivered(instruction_id=instruction.pk, by=billing)
    assert (first.marked_now, second.marked_now) == (True, False)
    assert second.message.delivered_at == first.message.delivered_at


def test_marking_delivered_needs_a_post_with_the_forms_csrf_token(
    released: Audit, billing: User
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    path = f"/queues/billing/{instruction.pk}/delivered/"
    assert client_of(billing).get(path).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(billing)
    assert strict.post(path).status_code == 403
    assert OutboxMessage.objects.get(instruction=instruction).delivered_at is None


def test_a_manager_reads_the_billing_queue_but_may_not_mark_a_delivery(
    released: Audit, manager: User
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    page = client_of(manager).get("/queues/billing/").content.decode()
    assert f"#{released.pk}" in page and "Mark delivered" not in page
    answer = client_of(manager).post(f"/queues/billing/{instruction.pk}/delivered/")
    assert answer.status_code == 403
    assert OutboxMessage.objects.get(instruction=instruction).delivered_at is None


def test_an_unknown_instruction_is_not_found(released: Audit, billing: User) -> None:
    assert client_of(billing).post("/queues/billing/999999/delivered/").status_code == 404


def test_other_roles_never_open_the_billing_queue(
    released: Audit,
    auditor: User,
    reviewer: User,
    underwriter: User,
    vendor_auditor: User,
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    for user in (auditor, reviewer, underwriter, vendor_auditor):
        client = client_of(user)
        assert client.get("/queues/billing/").status_code == 403, user.role
        assert client.post(f"/queues/billing/{instruction.pk}/delivered/").status_code == 403
    assert OutboxMessage.objects.get(instruction=instruction).delivered_at is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_of_two_marks_at_the_same_moment_one_records_the_delivery_and_the_other_is_told(
    released: Audit, billing: User, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    instruction = BillingInstruction.objects.get(audit=released)
    first_inside = threading.Event()

    def slow_delivered(*, message: OutboxMessage, to: str) -> OutboxMessage:
        # The first mark holds the row's lock here, past its check, while the second starts:
        # without the lock both would find it undelivered.
        first_inside.set()
        time.sleep(0.3)
        return outbox_delivered(message=message, to=to)

    monkeypatch.setattr("trueup.flows.queues.outbox_delivered", slow_delivered)
    outcomes: dict[str, bool] = {}

    def mark(user: User) -> None:
        try:
            delivery = queues.instruction_mark_delivered(instruction_id=instruction.pk, by=user)
            outcomes[user.username] = delivery.marked_now
        finally:
            connection.close()

    first = threading.Thread(target=mark, args=(billing,))
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=mark, args=(admin_user,))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcomes == {"billing": True, "admin": False}
    message = OutboxMessage.objects.get(instruction=instruction)
    assert message.delivered_to == "marked delivered by billing"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("timed out", "the billing system did not answer within 30 seconds (timed out)"),
        (
            "<urlopen error [Errno -2] Name or service not known>",
            "the billing system's address was not found "
            "(<urlopen error [Errno -2] Name or service not known>)",
        ),
        (
            "billing answered 500",
            "the billing system answered with an error (billing answered 500)",
        ),
        (
            "SSL: WRONG_VERSION_NUMBER",
            "the billing system could not be reached (SSL: WRONG_VERSION_NUMBER)",
        ),
    ],
)
def test_each_failed_delivery_is_said_in_words(error: str, said: str) -> None:
    assert queues.error_words(OutboxMessage(attempts=1, last_error=error)) == said
