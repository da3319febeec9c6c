"""What billing's letters say: the dispute acknowledgement and outcome, and the payment plan
agreement. Registered with the letters app, which prints, archives and sends them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from trueup.audits.models import Audit, ResultSnapshot
from trueup.billing.models import Dispute, DisputeStatus, PaymentPlan, PlanStatus
from trueup.billing.selectors import active_plan, held_back, rules
from trueup.letters.models import LetterKind
from trueup.letters.services import (
    LetterRefused,
    adjustment_words,
    as_decimal,
    item_description,
    register_addition,
    register_context,
)
from trueup.premium_reports.true_up import TrueUp, true_up


def _dispute(audit: Audit, extra: Mapping[str, Any], kind: str) -> Dispute:
    dispute = extra.get("dispute")
    label = str(LetterKind(kind).label).lower()
    if not isinstance(dispute, Dispute):
        raise LetterRefused(f"say which dispute the {label} is about")
    if dispute.audit_id != audit.pk:
        raise LetterRefused("the dispute is about another audit")
    return dispute


def _dispute_lines(audit: Audit, dispute: Dispute) -> list[dict[str, Any]]:
    # Which items are classes, from the result disputed: a charge's code is never a class.
    classes = {
        (str(line["state"]), str(line["item"]))
        for line in dispute.result.result.get("adjustments", [])
        if line.get("is_class")
    }
    return [
        {
            "state": str(line.get("state", "")),
            "description": item_description(
                audit, str(line.get("state", "")), str(line.get("item", "")), classes
            ),
            "difference": as_decimal(line.get("difference")),
            "disputed": as_decimal(line.get("disputed")),
        }
        for line in dispute.lines
    ]


def _dispute_ack_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    dispute = _dispute(audit, extra, LetterKind.DISPUTE_ACK)
    undisputed = extra.get("undisputed")
    return {
        "dispute": dispute,
        "lines": _dispute_lines(audit, dispute),
        "undisputed": None if undisputed is None else Decimal(str(undisputed)),
    }


def _dispute_outcome_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    dispute = _dispute(audit, extra, LetterKind.DISPUTE_OUTCOME)
    if dispute.status == DisputeStatus.OPEN:
        raise LetterRefused("the dispute is still open: resolve it before sending its outcome")
    original = dispute.result
    context: dict[str, Any] = {
        "dispute": dispute,
        "lines": _dispute_lines(audit, dispute),
        "original": original,
        "original_adjustment": adjustment_words(original.outcome, original.adjustment),
        "revised": None,
        # The plan as it stands after the outcome (the held part may have joined it).
        "plan": None,
        "plan_schedule": [],
    }
    plan = active_plan(audit)
    joined = rules()["payment_plans"]["held_part_when_upheld"] == "add_to_plan"
    if (
        dispute.status == DisputeStatus.UPHELD
        and joined
        and plan is not None
        and plan.status == PlanStatus.AGREED
    ):
        context["plan"] = plan
        context["plan_schedule"] = _schedule(plan)
    if dispute.status == DisputeStatus.REVISED:
        revised = extra.get("result")
        if revised is None and dispute.revision is not None:
            revised = dispute.revision.final_result
        if not isinstance(revised, ResultSnapshot):
            raise LetterRefused(
                "the dispute was resolved by a revision that has no final result yet: complete the "
                "revision before sending the outcome"
            )
        context["revised"] = revised
        context["revised_adjustment"] = adjustment_words(revised.outcome, revised.adjustment)
    return context


def _schedule(plan: PaymentPlan) -> list[dict[str, Any]]:
    return [
        {
            "label": _("Down payment")
            if int(row["number"]) == 0
            else _("Instalment %(number)s") % {"number": row["number"]},
            "number": int(row["number"]),
            "due": date.fromisoformat(str(row["due"])),
            "amount": as_decimal(row["amount"]),
        }
        for row in sorted(plan.schedule, key=lambda row: int(row["number"]))
    ]


def _standing(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The result as it stands for billing, for the results letter: what an open dispute holds
    back, what is payable now, and the plan agreed (or waiting for a reviewer) with its
    schedule. On a reporting period, the audit against the reports and the deposit, in words.
    Nothing held, no plan and no reports: the letter reads as before."""
    result = audit.final_result
    if result is None:
        return {}
    squared = true_up(audit, result)
    adjustment = Decimal(result.adjustment) if squared is None else squared.balance
    held = held_back(audit, adjustment)
    plan = active_plan(audit)
    agreed = plan is not None and plan.status == PlanStatus.AGREED
    return {
        "held": held,
        "payable_now": adjustment - held if adjustment > 0 else Decimal(0),
        "plan": plan if agreed else None,
        "plan_waiting": plan if plan is not None and not agreed else None,
        "plan_schedule": _schedule(plan) if plan is not None and agreed else [],
        **_true_up_words(squared),
    }


def _true_up_words(squared: TrueUp | None) -> dict[str, Any]:
    if squared is None:
        return {"true_up": None}
    if squared.balance > 0:
        label = (
            _("Due after your reports and deposit")
            if squared.deposit
            else _("Due after your reports")
        )
    elif squared.balance < 0:
        label = (
            _("Coming back to you after your reports and deposit")
            if squared.deposit
            else _("Coming back to you after your reports")
        )
    else:
        label = _("Nothing to pay or to be returned")
    return {
        "true_up": squared,
        "true_up_words": squared.words(),
        "true_up_label": label,
        "true_up_amount": abs(squared.balance),
    }


def _payment_plan_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    plan = extra.get("plan")
    if not isinstance(plan, PaymentPlan):
        raise LetterRefused("say which payment plan the agreement is for")
    if plan.audit_id != audit.pk:
        raise LetterRefused("the payment plan is for another audit")
    if plan.cancelled_at is not None:
        raise LetterRefused("the payment plan was cancelled: there is no agreement to send")
    if plan.status != PlanStatus.AGREED:
        raise LetterRefused(
            "the payment plan waits for a reviewer's approval: its letter goes out once approved"
        )
    return {"plan": plan, "schedule": _schedule(plan)}


def register() -> None:
    register_context(LetterKind.DISPUTE_ACK, _dispute_ack_context)
    register_context(LetterKind.DISPUTE_OUTCOME, _dispute_outcome_context)
    register_context(LetterKind.PAYMENT_PLAN, _payment_plan_context)
    register_addition(LetterKind.RESULTS, _standing)
    register_addition(LetterKind.ESTIMATED, _standing)
