"""Anomaly flags on the audit page: shown with why and their source, accepted or dismissed with a
reason while the audit is open, never decided again once it is final. The first example's audit
(IN 5645 and 8810) with a roofer paid $9,500 and no certificate on file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.anomalies.models import FlagDecision
from trueup.anomalies.services import flag_decide
from trueup.audits.models import Audit, SubcontractorEntry
from trueup.audits.workflow import Status
from trueup.core.errors import InvalidInput, NotAllowed, Refused

KEY = "uncertified_1099"
TEXT = "1 subcontractor(s) paid $9,500 with no certificate on file: Top Roofing"


@pytest.fixture
def flagged(audit: Audit, auditor: User) -> Audit:
    SubcontractorEntry.objects.create(
        audit=audit,
        name="Top Roofing",
        state="IN",
        class_code="5645",
        contract_cost=Decimal("9500"),
        contract_type="labor_only",
        labor_records="none",
    )
    Audit.objects.filter(pk=audit.pk).update(assignee=auditor)
    return Audit.objects.get(pk=audit.pk)


def _page(user: User, audit: Audit) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/audits/{audit.pk}/").content.decode()


def test_the_audit_page_shows_the_flag_with_why(flagged: Audit, auditor: User) -> None:
    page = _page(auditor, flagged)
    assert "Subcontractors paid without a certificate of insurance" in page
    assert TEXT in page
    assert "Why it is a flag: Payments to uninsured subcontractors are charged as payroll" in page


def test_the_auditor_dismisses_a_flag_with_a_reason_and_the_page_says_so(
    flagged: Audit, auditor: User
) -> None:
    client = Client()
    client.force_login(auditor)
    answer = client.post(
        f"/audits/{flagged.pk}/flags/",
        {"key": KEY, "decision": "dismissed", "reason": "certificate received by e-mail"},
    )
    assert answer.status_code == 302
    [made] = FlagDecision.objects.filter(audit=flagged)
    assert (made.code, made.decision, made.reason, made.text, made.by) == (
        KEY,
        "dismissed",
        "certificate received by e-mail",
        TEXT,
        auditor,
    )
    assert "<b>Dismissed</b> by auditor" in client.get(f"/audits/{flagged.pk}/").content.decode()


def test_a_decision_needs_a_reason_and_one_of_the_two_choices(
    flagged: Audit, auditor: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        flag_decide(audit=flagged, key=KEY, decision="ignored", reason=" ", by=auditor)
    assert [(p.path, p.reason) for p in refused.value.problems] == [
        ("decision", "accepted or dismissed"),
        ("reason", "say why the flag is accepted or dismissed"),
    ]
    assert not FlagDecision.objects.exists()


def test_a_flag_no_longer_raised_is_not_decided(flagged: Audit, auditor: User) -> None:
    SubcontractorEntry.objects.filter(audit=flagged).update(exempt=True)
    with pytest.raises(Refused):
        flag_decide(audit=flagged, key=KEY, decision="accepted", reason="checked", by=auditor)


def test_a_final_audits_flags_are_not_decided_again(flagged: Audit, auditor: User) -> None:
    Audit.objects.filter(pk=flagged.pk).update(status=Status.COMPLETED)
    with pytest.raises(Refused):
        flag_decide(audit=flagged, key=KEY, decision="accepted", reason="late", by=auditor)
    assert not FlagDecision.objects.exists()


def test_billing_may_not_decide_a_flag(flagged: Audit, billing: User) -> None:
    with pytest.raises(NotAllowed):
        flag_decide(audit=flagged, key=KEY, decision="accepted", reason="fine", by=billing)
    client = Client()
    client.force_login(billing)
    answer = client.post(
        f"/audits/{flagged.pk}/flags/", {"key": KEY, "decision": "accepted", "reason": "x"}
    )
    assert answer.status_code in (403, 404)
    assert not FlagDecision.objects.exists()
