"""The workbench's outreach task, disputes, plans and letters, and the portal's dispute form, as
their users see them; and who may use each."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.models import (
    BillingInstruction,
    Dispute,
    Outreach,
    OutreachAttempt,
    PaymentPlan,
)
from trueup.flows import disputes
from trueup.letters.models import Letter
from trueup.portal.models import PortalAccess


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_audit_page_shows_the_outreach_task_with_a_script_from_the_engine(
    approved: Audit, auditor: User
) -> None:
    page = _client(auditor).get(f"/audits/{approved.pk}/").content.decode()
    assert "Outreach before billing" in page
    assert (
        "The audit is complete: the audited premium is $24,230.00 against $19,655.00 "
        "estimated, which is an additional premium of $4,575.00."
    ) in page
    assert (
        "IN class 5645 (Framing and carpentry on houses): $436,500 of payroll against "
        "$350,000 estimated, about $4,556 more"
    ) in page
    assert "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500" in page
    assert "If you disagree, tell us in writing within 30 days" in page
    assert "A payment plan of 2 to 12 instalments can be offered." in page


def test_the_payment_plan_offered_has_the_instalments_billing_toml_allows(
    approved: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(billing_selectors.rules()["payment_plans"], "instalments_max", 24)
    page = _client(auditor).get(f"/audits/{approved.pk}/").content.decode()
    assert "A payment plan of 2 to 24 instalments can be offered." in page
    assert 'type="number" min="2" max="24" value="6" required>' in page


def test_staff_log_a_call_and_agreement_releases_the_result(approved: Audit, auditor: User) -> None:
    client = _client(auditor)
    url = f"/audits/{approved.pk}/outreach/attempts/"
    client.post(
        url,
        {
            "channel": "phone",
            "contact": "Dana Hoosier",
            "outcome": "no_answer",
            "next_step": "call back",
            "next_step_on": "2026-11-25",
        },
    )
    bad = client.post(url, {"channel": "fax", "contact": "", "outcome": "reached"}, follow=True)
    assert "is not a valid choice" in bad.content.decode()
    client.post(url, {"channel": "phone", "contact": "Dana Hoosier", "outcome": "agreed"})
    assert [a.outcome for a in OutreachAttempt.objects.all()] == ["no_answer", "agreed"]
    [instruction] = BillingInstruction.objects.all()
    assert instruction.bill_now == Decimal("4575.00")
    page = client.get(f"/audits/{approved.pk}/").content.decode()
    assert "Released to billing on" in page
    assert "Invoice additional premium" in page


def test_staff_record_a_dispute_and_uphold_it_from_the_page(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    answer = _client(auditor).post(
        f"/audits/{approved.pk}/disputes/",
        {"line": ["IN|5645"], "amount-IN-5645": "", "statement": "5645 is too high"},
    )
    assert answer.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.disputed_amount == Decimal("4556.48")
    page = _client(auditor).get(f"/audits/{approved.pk}/").content.decode()
    assert "Undisputed part, billable now: <strong>$18.52</strong>" in page
    _client(reviewer).post(
        f"/audits/{approved.pk}/disputes/{dispute.pk}/resolve/",
        {"action": "uphold", "resolution": "records support the audit"},
    )
    dispute.refresh_from_db()
    assert dispute.status == "upheld"


def test_staff_preview_a_letter_then_send_it(approved: Audit, auditor: User) -> None:
    client = _client(auditor)
    preview = client.get(f"/audits/{approved.pk}/letters/results/preview/")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "dana@hoosier.example, pat@mainstreet.example" in body
    assert not Letter.objects.exists()  # a preview sends nothing
    mail.outbox.clear()
    client.post(f"/audits/{approved.pk}/letters/results/send/")
    letter = Letter.objects.get()
    assert letter.kind == "results"
    assert "$4,575" in letter.text
    assert [m.to for m in mail.outbox] == [["dana@hoosier.example", "pat@mainstreet.example"]]
    pdf = client.get(f"/audits/{approved.pk}/letters/{letter.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_the_results_letter_gives_the_last_day_to_dispute_that_billing_enforces(
    approved: Audit, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Indiana with a dispute window of its own, and the result released to the insured five
    # days before the letter is sent.
    monkeypatch.setitem(billing_selectors.rules()["disputes"]["states"], "IN", {"days": 45})
    released = timezone.now() - timedelta(days=5)
    Outreach.objects.filter(audit=approved).update(opened_at=released)
    deadline = timezone.localdate(released) + timedelta(days=45)
    assert billing_selectors.dispute_deadline(approved) == deadline
    client = _client(auditor)
    preview = client.get(f"/audits/{approved.pk}/letters/results/preview/").content.decode()
    client.post(f"/audits/{approved.pk}/letters/results/send/")
    said = (
        f"write to us by {deadline:%B} {deadline.day}, {deadline.year} (45 days from the "
        "release of the audit's results to you)"
    )
    assert said in " ".join(Letter.objects.get().text.split())
    assert said.replace("'", "&#x27;") in preview


def test_staff_agree_a_payment_plan_from_the_page_and_a_reviewer_approves_one_above_authority(
    approved: Audit, auditor: User, reviewer: User
) -> None:
    _client(auditor).post(
        f"/audits/{approved.pk}/payment-plan/",
        {"instalments": "3", "down_payment": "0", "first_due": "2026-12-01"},
    )
    plan = PaymentPlan.objects.get()
    assert [p["amount"] for p in plan.schedule] == ["1525.00", "1525.00", "1525.00"]
    # $4,575 is above the auditor's $2,500: no letter until a reviewer approves.
    assert plan.status == "awaiting_review"
    assert not Letter.objects.filter(kind="payment_plan").exists()
    page = _client(reviewer).get(f"/audits/{approved.pk}/").content.decode()
    assert "Approve the plan" in page
    _client(reviewer).post(f"/audits/{approved.pk}/payment-plan/{plan.pk}/approve/", {})
    assert PaymentPlan.objects.get().status == "agreed"
    assert Letter.objects.filter(kind="payment_plan").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("underwriter", 403), ("billing", 403), ("policyholder", 403), ("vendor_auditor", 404)],
)
def test_who_may_not_log_outreach_or_record_disputes(
    request: pytest.FixtureRequest, approved: Audit, persona: str, status: int
) -> None:
    user = request.getfixturevalue(persona)
    client = _client(user)
    for url, data in (
        (
            f"/audits/{approved.pk}/outreach/attempts/",
            {"channel": "phone", "contact": "x", "outcome": "agreed"},
        ),
        (f"/audits/{approved.pk}/disputes/", {"line": ["IN|5645"], "statement": "x"}),
        (f"/audits/{approved.pk}/payment-plan/", {"instalments": "3"}),
        (f"/audits/{approved.pk}/letters/results/send/", {}),
        (f"/audits/{approved.pk}/outreach/release/", {}),
    ):
        assert client.post(url, data).status_code == status
    assert not BillingInstruction.objects.exists()
    assert not Dispute.objects.exists()
    assert not Letter.objects.exists()


def test_the_insured_disputes_in_the_portal_and_sees_what_was_billed(
    approved: Audit, auditor: User
) -> None:
    insured = User.objects.create(username="dana", role=Role.INSURED)
    PortalAccess.objects.create(user=insured, insured=approved.period.policy.insured, kind="owner")
    client = _client(insured)
    page = client.get(f"/portal/audits/{approved.pk}/").content.decode()
    assert "Dispute this result" in page
    refused = client.post(
        f"/portal/audits/{approved.pk}/dispute/", {"statement": "too high"}, follow=True
    )
    assert "Choose at least one class line to dispute." in refused.content.decode()
    client.post(
        f"/portal/audits/{approved.pk}/dispute/",
        {
            "line": ["IN|5645"],
            "amount-IN-5645": "2,000.00",
            "statement": "Crew B was subcontracted",
        },
    )
    dispute = Dispute.objects.get()
    assert (dispute.from_portal, dispute.disputed_amount) == (True, Decimal("2000.00"))
    assert approved.messages.filter(body__startswith="Dispute opened by dana").exists()
    from trueup.billing.models import Outreach
    from trueup.billing.services import outreach_release

    outreach_release(outreach=Outreach.objects.get(audit=approved), by=auditor, reason="x")
    page = client.get(f"/portal/audits/{approved.pk}/").content.decode()
    assert "invoice additional premium of $2,575, with $2,000 held" in page
    assert "Dispute acknowledgement" in page


def test_another_insured_cannot_dispute_or_read_the_letters(approved: Audit, auditor: User) -> None:
    from trueup.policies.models import Insured

    other = Insured.objects.create(name="Other", entity_type="llc")
    stranger = User.objects.create(username="stranger", role=Role.INSURED)
    PortalAccess.objects.create(user=stranger, insured=other, kind="owner")
    client = _client(stranger)
    answer = client.post(
        f"/portal/audits/{approved.pk}/dispute/", {"line": ["IN|5645"], "statement": "x"}
    )
    assert answer.status_code == 404
    assert not Dispute.objects.exists()


def test_the_worklist_finds_the_audits_in_the_outreach_window_disputed_or_released(
    approved: Audit, auditor: User
) -> None:
    from trueup.billing.models import Outreach

    client = _client(auditor)

    def listed(stage: str) -> list[int]:
        page = client.get(f"/audits/?billing={stage}")
        return [row.id for row in page.context["listed"]]

    assert listed("outreach") == [approved.pk]
    assert listed("disputed") == listed("released") == []
    disputes.dispute_open(
        audit=approved, by=auditor, lines=[{"state": "IN", "item": "5645"}], statement="x"
    )
    assert listed("disputed") == [approved.pk]
    services.outreach_release(outreach=Outreach.objects.get(audit=approved), by=auditor, reason="x")
    assert listed("outreach") == []
    assert listed("released") == [approved.pk]
