"""Billing in the JSON API: hand off an audit's released result (idempotent), read and export the
instructions, acknowledge delivery."""

# No `from __future__ import annotations`: Django Ninja reads the query parameters' types.
import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from trueup.accounts.models import Role, User
from trueup.api.common import Input, Money, Page, answers
from trueup.audits.selectors import audits_visible_to
from trueup.billing.handoff import billing_handoff
from trueup.billing.models import BillingInstruction, OutboxMessage, PaymentRecord
from trueup.billing.outbox import outbox_delivered
from trueup.billing.selectors import instructions_visible_to
from trueup.billing.services import payment_record
from trueup.core.errors import NotAllowed
from trueup.core.spreadsheet import safe_row

router = Router(tags=["billing"])
# Billing reads and acknowledges; the audit department may hand off and read.
BILLING_ROLES = frozenset({Role.BILLING, Role.MANAGER, Role.ADMIN})
HANDOFF_ROLES = frozenset({Role.BILLING, Role.MANAGER, Role.ADMIN})
CSV_COLUMNS = (
    "id",
    "idempotency_key",
    "policy_number",
    "insured",
    "audit_id",
    "result_id",
    "report_id",
    "stage",
    "kind",
    "total_adjustment",
    "previously_billed",
    "held",
    "bill_now",
    "payment_plan",
    "created_at",
    "delivered_at",
)


class InstructionOut(Schema):
    id: int
    idempotency_key: str
    # An audit's result, or a premium report's premium (its audit and result are then null).
    audit_id: int | None
    result_id: int | None
    report_id: int | None
    stage: str
    kind: str
    total_adjustment: Decimal
    previously_billed: Decimal
    held: Decimal
    bill_now: Decimal
    created_at: Any
    delivered_at: Any
    payload: dict[str, Any]

    @staticmethod
    def resolve_delivered_at(instruction: BillingInstruction) -> Any:
        return instruction.outbox.delivered_at


class Delivered(Input):
    delivered_to: str = Field("billing", max_length=200)


def _user(request: HttpRequest, roles: frozenset[str]) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.role not in roles:
        raise NotAllowed(f"a user with the {user.get_role_display()} role may not do this")
    return user


def _visible(user: User) -> QuerySet[BillingInstruction]:
    return instructions_visible_to(user).select_related("outbox")


@router.post("/audits/{audit_id}/billing-handoff", response=answers(InstructionOut, 201))
def handoff(request: HttpRequest, audit_id: int) -> Status[BillingInstruction]:
    """The billing instruction for the audit's final result, once it is released from its
    outreach window (409 before, with the window's last day). Releasing makes it, so this
    returns it (200); where it is missing it is made (201) under the ``Idempotency-Key`` sent
    (at most 100 letters, digits, ``-``, ``_``, ``.`` or ``:``), or else the audit, its result
    and the stage. A result is billed once whatever keys are sent, and a key already used for
    another audit is refused (422)."""
    user = _user(request, HANDOFF_ROLES)
    audit = get_object_or_404(audits_visible_to(user), pk=audit_id)
    key = request.headers.get("Idempotency-Key") or None
    instruction, created = billing_handoff(audit=audit, by=user, key=key)
    return Status(201 if created else 200, instruction)


@router.get("/billing/instructions", response=answers(list[InstructionOut]))
@paginate(Page)
def instructions(request: HttpRequest, undelivered: bool = False) -> Any:
    """Every instruction, oldest first; ``undelivered=true`` for those not yet acknowledged."""
    user = _user(request, BILLING_ROLES)
    found = _visible(user)
    if undelivered:
        found = found.filter(outbox__delivered_at__isnull=True)
    return found.order_by("id")


EXPORTED = {
    "description": "The instructions as CSV (one row each) or as JSON",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    },
}


@router.get(
    "/billing/instructions/export",
    response=answers(None),
    openapi_extra={"responses": {200: EXPORTED}},
)
def export(
    request: HttpRequest, format: Literal["csv", "json"] = "csv", undelivered: bool = False
) -> HttpResponse:
    """The instructions as CSV (one row each) or JSON (with everything billing needs)."""
    user = _user(request, BILLING_ROLES)
    found = _visible(user).order_by("id")
    if undelivered:
        found = found.filter(outbox__delivered_at__isnull=True)
    if format == "json":
        rows = [
            {
                "id": i.pk,
                "idempotency_key": i.idempotency_key,
                "kind": i.kind,
                "bill_now": str(i.bill_now),
                **i.payload,
            }
            for i in found
        ]
        return HttpResponse(json.dumps(rows, indent=2), content_type="application/json")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i in found:
        plan = i.payload.get("payment_plan")
        # Names and keys come from other people's input; a clerk opens this in a spreadsheet.
        writer.writerow(
            safe_row(
                [
                    i.pk,
                    i.idempotency_key,
                    i.payload["policy"]["number"],
                    i.payload["insured"]["name"],
                    i.audit_id,
                    i.result_id,
                    i.report_id,
                    i.stage,
                    i.kind,
                    i.total_adjustment,
                    i.previously_billed,
                    i.held,
                    i.bill_now,
                    f"{plan['instalments']} instalments" if plan else "",
                    i.created_at.isoformat(),
                    i.outbox.delivered_at.isoformat() if i.outbox.delivered_at else "",
                ]
            )
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="billing-instructions.csv"'
    return response


@router.get("/billing/instructions/{instruction_id}", response=answers(InstructionOut))
def instruction(request: HttpRequest, instruction_id: int) -> BillingInstruction:
    user = _user(request, BILLING_ROLES)
    return get_object_or_404(_visible(user), pk=instruction_id)


@router.post("/billing/instructions/{instruction_id}/delivered", response=answers(InstructionOut))
def delivered(request: HttpRequest, instruction_id: int, body: Delivered) -> BillingInstruction:
    """Billing acknowledges an instruction: the outbox records the delivery (once)."""
    user = _user(request, frozenset({Role.BILLING, Role.ADMIN}))
    found = get_object_or_404(_visible(user), pk=instruction_id)
    outbox_delivered(message=OutboxMessage.objects.get(instruction=found), to=body.delivered_to)
    return get_object_or_404(_visible(user), pk=instruction_id)


class PaymentIn(Input):
    policy: str = Field(max_length=40)
    on: date
    event: Literal["paid", "late", "returned"]
    amount: Money = Decimal(0)
    reference: str = Field("", max_length=100)


class PaymentOut(Schema):
    id: int
    insured_id: int
    on: date
    event: str
    amount: Decimal
    reference: str


@router.post("/billing/payments", response=answers(PaymentOut, 201))
def payment(request: HttpRequest, body: PaymentIn) -> Status[PaymentRecord]:
    """Billing reports a payment (on time, late or returned) for the policy's insured: what
    payment plan eligibility looks at. A repeated reference returns the record already kept."""
    user = request.user
    assert isinstance(user, User)
    record, created = payment_record(
        by=user,
        policy_number=body.policy,
        on=body.on,
        event=body.event,
        amount=body.amount,
        reference=body.reference,
    )
    return Status(201 if created else 200, record)
