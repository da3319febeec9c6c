"""Side effects after commit: letters, e-mails and the billing push are background work that
starts once the change is committed, and a mail server that is down never undoes the change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit
from trueup.audits.workflow import Status
from trueup.billing import outbox
from trueup.billing.models import BillingInstruction, Dispute, Outreach
from trueup.billing.selectors import dispute_terms
from trueup.billing.services import outreach_release, outreach_release_due
from trueup.flows import disputes, results
from trueup.letters.models import Letter, LetterStatus
from trueup.letters.services import letter_send
from trueup.policies.models import Insured


def mail_server_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def test_a_dispute_opened_while_the_mail_server_is_down_stands_and_its_letter_waits(
    approved: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail_server_down(monkeypatch)
    dispute = disputes.dispute_open(
        audit=approved,
        by=auditor,
        lines=[{"state": "IN", "item": "5645"}],
        statement="Part of the framing payroll was an insured subcontractor's crew.",
    )
    assert Dispute.objects.get(pk=dispute.pk).disputed_amount == Decimal("4556.48")
    letter = Letter.objects.get(audit=approved, kind="dispute_ack")
    assert letter.status == LetterStatus.FAILED
    assert letter.last_error == "ConnectionRefusedError: mail server down"
    assert mail.outbox == []


def test_a_letter_written_in_a_change_that_rolls_back_is_neither_kept_nor_sent(
    approved: Audit, auditor: User
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        letter_send(audit=approved, kind="results", by=auditor, extra=dispute_terms(approved))
        raise RuntimeError("the change failed after the letter was written")
    assert not Letter.objects.filter(kind="results").exists()
    assert [m.subject for m in mail.outbox] == []


def test_a_letter_is_sent_only_once_the_change_that_wrote_it_is_committed(
    approved: Audit, auditor: User
) -> None:
    with transaction.atomic():
        letter = letter_send(
            audit=approved, kind="results", by=auditor, extra=dispute_terms(approved)
        )
        assert Letter.objects.get(pk=letter.pk).status == LetterStatus.QUEUED
        assert mail.outbox == []
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.SENT
    assert len(mail.outbox) == 1


def test_a_records_request_stands_when_the_invitation_cannot_be_e_mailed(
    audit: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    audit.status = Status.SCHEDULED
    audit.save()
    audit = results.audit_act(audit=audit, by=auditor, action="start")
    mail_server_down(monkeypatch)
    moved = results.audit_request_records(audit=audit, by=auditor)
    assert Audit.objects.get(pk=moved.pk).status == Status.RECORDS_REQUESTED
    failed = AuditEdit.objects.filter(audit=audit, summary__startswith="e-mail not sent").get()
    assert failed.summary.startswith("e-mail not sent (portal invitation ")
    assert failed.summary.endswith(") to dana@hoosier.example: mail server down")


def test_a_billing_instruction_is_pushed_to_billing_as_soon_as_it_is_committed(
    approved: Audit, reviewer: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TRUEUP_BILLING_URL = "https://billing.example/in"
    pushed: list[dict[str, Any]] = []
    monkeypatch.setattr(outbox, "post_json", lambda url, body, *rest: pushed.append(body))
    outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    instruction = BillingInstruction.objects.get(audit=approved)
    assert [(b["instruction_id"], b["bill_now"]) for b in pushed] == [(instruction.pk, "4575.00")]
    assert instruction.outbox.delivered_to == "https://billing.example/in"


def test_a_release_run_skips_a_result_another_run_released_meanwhile(
    approved: Audit, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    outreach = Outreach.objects.get(audit=approved)
    real = outreach_release

    def raced(*, outreach: Outreach, by: User | None, reason: str) -> BillingInstruction:
        real(outreach=outreach, by=reviewer, reason="released by the other run")
        return real(outreach=outreach, by=by, reason=reason)

    monkeypatch.setattr("trueup.billing.services.outreach_release", raced)
    assert outreach_release_due(outreach.window_ends + timedelta(days=1)) == []
    assert BillingInstruction.objects.filter(audit=approved).count() == 1
