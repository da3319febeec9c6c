"""Letters about an audit: each kind rendered, printed to PDF, e-mailed and archived, and read back
from the PDF as its reader sees it."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from trueup.audits.models import Audit, AuditEdit, Finding, PayrollEntry, RecordStatus
from trueup.audits.services import (
    audit_approve,
    audit_estimate,
    audit_request_records,
    audit_revise,
    audit_submit,
    audit_waive,
)
from trueup.audits.workflow import Status
from trueup.billing.models import Dispute, DisputeStatus, PaymentPlan
from trueup.billing.selectors import dispute_terms
from trueup.core.pdf import html_to_pdf
from trueup.letters.delivery import letter_text, letters_retry
from trueup.letters.models import Letter, LetterStatus
from trueup.letters.rules import rules
from trueup.letters.services import (
    LetterRefused,
    Rendered,
    letter_render,
    letter_send,
)
from trueup.policies.models import Agency, Agent
from trueup.rating.result import usd

pytestmark = pytest.mark.django_db

CONTACT = "dana@hoosier.example"
AGENT = "pat@mainstreet.example"
PORTAL = "https://audit.example.com/portal/"


def words(text: str) -> str:
    """Runs of white space as one space: where a line or a table cell wraps is layout."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return words(letter_text(data))


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TRUEUP_PORTAL_URL = "https://audit.example.com/"
    return tmp_path


@pytest.fixture
def insured(audit):
    """The audit's insured with a contact, a mailing address and an agency with two agents, one
    of them without an e-mail address."""
    agency = Agency.objects.create(code="MS", name="Main Street Insurance Agency")
    Agent.objects.create(agency=agency, name="Pat Agent", email=AGENT)
    Agent.objects.create(agency=agency, name="Lee Phoneonly", email="")
    insured = audit.period.policy.insured
    insured.contact_name = "Dana Builder"
    insured.contact_email = CONTACT
    insured.mailing_address = "120 Main Street\nIndianapolis, IN 46204"
    insured.agency = agency
    insured.save()
    return insured


def no_e_mail(audit, *, keep_agency):
    """The insured without its e-mail address, and without its agency unless kept."""
    insured = audit.period.policy.insured
    insured.contact_email = ""
    if not keep_agency:
        insured.agency = None
    insured.save()


@pytest.fixture
def snapshot(audit, auditor, reviewer, insured):
    """The audit submitted by the auditor and approved: its final result, which letters show."""
    audit_approve(audit=audit_submit(audit=audit, by=auditor), by=reviewer)
    audit.refresh_from_db()
    return audit.final_result


def send(audit, kind, by, **options):
    """Send a letter and return it with its PDF's text, read back from storage. A results letter
    is given the dispute window billing keeps, as billing gives it."""
    if kind == "results":
        options.setdefault("extra", dispute_terms(audit))
    mail.outbox.clear()
    letter = letter_send(audit=audit, kind=kind, by=by, **options)
    letter.refresh_from_db()
    with letter.pdf.open("rb") as f:
        return letter, pdf_text(f.read())


# The results letter, and what every sent letter leaves behind ---------------------------------


def test_the_results_letter_shows_the_adjustment_by_class_with_totals(audit, auditor, snapshot):
    _, text = send(audit, "results", auditor)
    assert "Premium audit results: policy WC-2025-01001" not in text  # the subject is the e-mail's
    assert "Estimated premium $19,655 Audited premium $24,230 Additional premium due $4,575" in text
    assert (
        "IN 5645 Framing and carpentry on houses 350,000 436,500 $19,340.72 $23,897.20 $4,556.48"
    ) in text
    assert "IN 8810 " in text
    assert "60,000 61,250 $72.65 $73.48 $0.83" in text
    assert "Total $19,655 $24,230 $4,575" in text


def test_the_results_letter_says_why_in_plain_words(audit, auditor, snapshot):
    _, text = send(audit, "results", auditor)
    assert (
        "Class 5645 (Framing and carpentry on houses) in IN: payroll of $436,500 was found at the "
        "audit, more than the $350,000 estimated when the policy was written."
    ) in text
    assert "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500." in text
    assert "Overtime premium portion $1,500 excluded." in text


def test_the_results_letter_explains_how_to_disagree_and_that_it_is_not_a_bill(
    audit, auditor, snapshot
):
    _, text = send(audit, "results", auditor)
    # Released to the insured today, when the audit was approved: Indiana's 30 days from today.
    by = long_date(timezone.localdate() + timedelta(days=30))
    assert f"write to us by {by} (30 days from the release of the audit's results to you)" in text
    assert "the part of the adjustment you do not dispute is payable" in text
    assert f"You can do this online at {PORTAL}" in text
    assert "This summary is not a bill. Our billing department will send you an invoice" in text


def test_the_results_letter_states_the_dispute_window_its_caller_gives(audit, auditor, snapshot):
    extra = {"dispute_days": 60, "dispute_by": date(2027, 2, 1)}
    _, text = send(audit, "results", auditor, extra=extra)
    assert "write to us by February 1, 2027 (60 days from the release" in text


def test_a_results_letter_without_the_dispute_window_is_refused(audit, auditor, snapshot):
    with pytest.raises(LetterRefused, match="say until when the result may be disputed"):
        letter_render(audit=audit, kind="results")
    with pytest.raises(LetterRefused, match="say until when the result may be disputed"):
        letter_send(audit=audit, kind="results", by=auditor, extra={"dispute_days": 30})
    assert not Letter.objects.exists()


def test_a_letter_has_the_letterhead_the_address_block_the_reference_and_the_signature(
    audit, auditor, snapshot
):
    _, text = send(audit, "results", auditor)
    # The logo's words and the department's name: PDF readers differ on the space between them.
    assert text.startswith("Premium Audit") and "Premium Audit Department ·" in text
    assert f"{long_date(timezone.localdate())} Hoosier Home Builders LLC Attn: Dana Builder" in text
    assert "120 Main Street Indianapolis, IN 46204" in text
    assert "Re: Policy WC-2025-01001, January 1, 2025 to January 1, 2026 Dear Dana Builder," in text
    assert "Sincerely, Premium Audit Department" in text
    assert "Policy WC-2025-01001 · Results and premium adjustment summary" in text
    assert "Page 1 of 2" in text and "Page 2 of 2" in text


def test_sending_e_mails_one_message_to_the_insured_and_the_agent_with_the_pdf(
    audit, auditor, snapshot
):
    letter, _ = send(audit, "results", auditor)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [CONTACT, AGENT]
    assert message.subject == "Premium audit results: policy WC-2025-01001"
    assert "Dear Dana Builder," in message.body
    assert "Results and premium adjustment summary" in message.body
    assert "&" not in message.body  # plain text, not HTML-escaped
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"WC-2025-01001-results-{timezone.localdate():%Y%m%d}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    with letter.pdf.open("rb") as f:
        assert f.read() == content


def test_a_sent_letter_is_archived_with_its_pdf_text_and_recipients(audit, auditor, snapshot):
    letter, text = send(audit, "results", auditor)
    assert Letter.objects.get() == letter
    assert letter.kind == "results"
    assert letter.subject == "Premium audit results: policy WC-2025-01001"
    assert letter.recipients == [CONTACT, AGENT]
    assert letter.sent_by == auditor
    assert letter.pdf.name.startswith(f"letters/{timezone.localdate():%Y/%m}/WC-2025-01001-results")
    assert words(letter.text) == text
    assert '<th>Additional premium due</th><td class="num">$4,575</td>' in letter.html


def test_a_sent_letter_is_in_the_audits_history(audit, auditor, snapshot):
    send(audit, "results", auditor)
    edit = AuditEdit.objects.filter(audit=audit).latest("id")
    assert edit.by == auditor
    assert edit.summary == (
        f"letter sent: Results and premium adjustment summary to {CONTACT}, {AGENT}"
    )


def test_the_caller_may_choose_the_recipients(audit, auditor, snapshot):
    letter, _ = send(
        audit, "results", auditor, recipients=["books@cpa.example", "BOOKS@cpa.example"]
    )
    assert letter.recipients == ["books@cpa.example"]
    assert mail.outbox[0].to == ["books@cpa.example"]


def test_rendering_is_a_preview_that_sends_and_keeps_nothing(audit, snapshot):
    rendered = letter_render(audit=audit, kind="results", extra=dispute_terms(audit))
    assert isinstance(rendered, Rendered)
    assert rendered.kind == "results"
    assert rendered.subject == "Premium audit results: policy WC-2025-01001"
    assert rendered.recipients == [CONTACT, AGENT]
    assert "Additional premium due" in rendered.html
    assert not Letter.objects.exists()
    assert mail.outbox == []


def test_a_letter_can_be_previewed_for_an_insured_without_an_e_mail_address(audit, snapshot):
    no_e_mail(audit, keep_agency=False)
    assert letter_render(audit=audit, kind="results", extra=dispute_terms(audit)).recipients == []


def test_letter_text_joins_the_pages_of_a_pdf():
    pdf = html_to_pdf('<p>First page</p><p style="break-before: page">Second page</p>')
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 2
    text = letter_text(pdf)
    assert "First page" in text and "Second page" in text
    assert text.index("First page") < text.index("Second page")


def test_letter_text_keeps_a_word_whole_when_a_line_wraps_at_its_hyphen():
    pdf = html_to_pdf('<p style="width: 1.2in">with a non-compliance charge</p>')
    raw = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "non-\ncompliance" in raw
    assert "non-compliance" in letter_text(pdf)


# Records requests and reminders ---------------------------------------------------------------


@pytest.fixture
def requested(audit, auditor, insured):
    """The records asked for: the checklist is made and the portal invitation e-mailed."""
    return audit_request_records(audit=audit, by=auditor)


def test_the_records_request_lists_the_checklist_the_portal_and_the_date(requested, auditor):
    _, text = send(requested, "records_request", auditor)
    text = text.replace("/ ", "/")  # a line may break after a slash: PDF readers then add a space
    assert "It is time for the premium audit of your workers' compensation policy." in text
    assert (
        "Payroll register Payroll by employee: gross, overtime separately, duties/class, tips"
    ) in text
    assert "Quarterly 941s Verification: the quarterly 941s must reconcile" in text
    assert "Subcontractors' certificates of insurance" in text
    # The checklist's references to the project's own documents are for staff only.
    assert ".md" not in text
    assert f"online, at {PORTAL}" in text
    by = long_date(timezone.localdate() + timedelta(days=30))
    assert f"Please send the records by {by}." in text
    assert mail.outbox[0].subject == "Premium audit: records requested for policy WC-2025-01001"


def test_a_records_request_before_the_checklist_is_made_lists_what_it_will_ask_for(
    audit, auditor, insured
):
    _, text = send(audit, "records_request", auditor)
    assert "Payroll register" in text and "1099s and 1096" in text
    assert "Please send the records within 30 days of the date of this letter." in text


def mark(audit, kind, status, note=""):
    audit.records.filter(kind=kind).update(status=status, note=note)


@pytest.mark.parametrize(
    ("kind", "opening"),
    [
        ("reminder_1", "We wrote to you on {asked} to ask for records"),
        ("reminder_2", "This is our second reminder about the premium audit of your policy."),
        ("reminder_final", "This is our final reminder about the premium audit of your policy."),
    ],
)
def test_a_reminder_lists_only_the_records_still_missing(requested, auditor, kind, opening):
    mark(requested, "payroll_register", RecordStatus.RECEIVED)
    mark(requested, "form_941", RecordStatus.REJECTED, "only the first quarter was sent")
    mark(requested, "certificates", RecordStatus.NOT_NEEDED)
    _, text = send(requested, kind, auditor)
    assert opening.format(asked=long_date(timezone.localdate())) in text
    assert "Payroll register" not in text
    assert "Subcontractors' certificates" not in text
    assert (
        "Quarterly 941s Verification: the quarterly 941s must reconcile to the payroll register "
        "(IRS Form 941, lines 2 and 5c) "
        "What we received could not be used: only the first quarter was sent"
    ) in text
    assert "State unemployment reports" in text
    assert "1099s and 1096" in text


def test_the_final_reminder_warns_of_an_estimated_audit_and_underwriting(requested, auditor):
    _, text = send(requested, "reminder_final", auditor, extra={"respond_by": date(2026, 3, 2)})
    assert "If we do not receive the records by March 2, 2026, we may complete the audit" in text
    assert "That is an estimated audit" in text
    assert "a non-compliance charge is added" in text
    assert "The policy would also be referred to underwriting" in text
    assert mail.outbox[0].subject == "Final notice: premium audit records for policy WC-2025-01001"


def test_the_first_reminder_is_gentler_than_the_final_one(requested, auditor):
    _, text = send(requested, "reminder_1", auditor)
    assert "non-compliance" not in text
    assert "please disregard this reminder" in text


def test_a_reminder_is_refused_when_nothing_is_missing(requested, auditor):
    requested.records.update(status=RecordStatus.ACCEPTED)
    with pytest.raises(LetterRefused, match="nothing is missing"):
        letter_send(audit=requested, kind="reminder_1", by=auditor)


# Waiver and estimated audit ---------------------------------------------------------------------


def test_the_waiver_letter_says_the_estimate_stands_and_how_to_ask_for_an_audit(
    audit, manager, insured
):
    Audit.objects.filter(pk=audit.pk).update(status=Status.SCHEDULED)
    waived = audit_waive(audit=audit, by=manager, reason="small premium")
    _, text = send(waived, "waiver", manager)
    assert "the audit is waived. You do not need to send us any records." in text
    assert "The estimated premium of $19,655 charged for the policy stands" in text
    assert "there is no premium adjustment: no additional premium to pay and no return" in text
    by = long_date(timezone.localdate() + timedelta(days=60))
    assert f"within 60 days of this waiver, that is by {by}" in text


def test_a_waiver_letter_is_refused_for_an_audit_not_waived(audit, manager, insured):
    with pytest.raises(LetterRefused, match="not waived"):
        letter_render(audit=audit, kind="waiver")


def test_the_estimated_audit_letter_shows_the_charge_and_how_to_have_it_revised(requested, auditor):
    estimated = audit_estimate(audit=requested, by=auditor, reason="no records after reminders")
    _, text = send(estimated, "estimated", auditor)
    assert "we have completed it as an estimated audit" in text
    assert (
        "Estimated premium charged $19,655 Premium by the estimated audit $58,965 "
        "of which non-compliance charge $39,310 Additional premium due $39,310"
    ) in text
    assert "the policy allows a charge in addition to the premium: here $39,310" in text
    assert "replaces this estimated audit, including the non-compliance charge" in text
    assert "Payroll register" in text
    assert f"online, at {PORTAL}" in text


def test_an_estimated_audit_letter_is_refused_for_an_audit_rated_on_records(audit, snapshot):
    with pytest.raises(LetterRefused, match="not an estimated audit"):
        letter_render(audit=audit, kind="estimated")


# Disputes and payment plans ---------------------------------------------------------------------


def dispute_of(audit, snapshot, by, **fields):
    return Dispute.objects.create(
        audit=audit,
        result=snapshot,
        opened_by=by,
        deadline=timezone.localdate() + timedelta(days=30),
        lines=[{"state": "IN", "item": "5645", "difference": "4556.48", "disputed": "3000.00"}],
        disputed_amount=Decimal("3000.00"),
        statement="The framing crew's overtime was\npaid at time and a half.",
        **fields,
    )


def test_the_dispute_acknowledgement_lists_what_is_disputed_and_what_is_payable(
    audit, auditor, snapshot
):
    dispute = dispute_of(audit, snapshot, auditor)
    extra = {"dispute": dispute, "undisputed": Decimal("1575.00")}
    _, text = send(audit, "dispute_ack", auditor, extra=extra)
    opened = long_date(timezone.localdate(dispute.opened_at))
    assert f"We received your dispute of the premium audit result on {opened}" in text
    assert "IN Class 5645 (Framing and carpentry on houses) $4,556.48 $3,000" in text
    assert "Total disputed $3,000" in text
    assert "The framing crew's overtime was paid at time and a half." in text
    assert "The part of the adjustment you do not dispute, $1,575, is payable now" in text
    assert "The disputed amount of $3,000 will not be billed until the review is finished." in text


def test_a_dispute_letter_without_its_dispute_is_refused(audit, snapshot):
    with pytest.raises(LetterRefused, match="say which dispute"):
        letter_render(audit=audit, kind="dispute_ack")


def test_an_upheld_dispute_outcome_says_the_audit_stands(audit, auditor, snapshot):
    dispute = dispute_of(
        audit,
        snapshot,
        auditor,
        status=DisputeStatus.UPHELD,
        resolution="The overtime was already excluded at time and a half.",
    )
    _, text = send(audit, "dispute_outcome", auditor, extra={"dispute": dispute})
    assert "Outcome: the audit is upheld" in text
    assert "The audited premium of $24,230 stands, with additional premium due of $4,575." in text
    assert "Our reasons The overtime was already excluded at time and a half." in text


def test_a_revised_dispute_outcome_shows_the_new_premium_and_adjustment(
    audit, auditor, manager, snapshot
):
    revision = audit_revise(audit=audit, by=manager, reason="dispute")
    revision.payroll.filter(employee="Framing crew").update(gross=Decimal("386500"))
    # The smaller adjustment is within the auditor's authority: completed at once.
    assert audit_submit(audit=revision, by=auditor).status == Status.COMPLETED
    revision.refresh_from_db()
    revised = revision.final_result
    dispute = dispute_of(
        audit,
        snapshot,
        auditor,
        status=DisputeStatus.REVISED,
        resolution="Part of the framing payroll was for another policy.",
        revision=revision,
    )
    _, text = send(audit, "dispute_outcome", manager, extra={"dispute": dispute, "result": revised})
    assert "Outcome: the audit is revised" in text
    assert (
        f"Estimated premium $19,655 Audited premium before the review $24,230 "
        f"Revised audited premium {usd(revised.audited_premium)} "
        f"Additional premium due {usd(revised.adjustment)}"
    ) in text
    assert revised.audited_premium < Decimal("24230")
    # Without the result the revision's final result is used.
    assert letter_render(audit=audit, kind="dispute_outcome", extra={"dispute": dispute}).html == (
        letter_render(
            audit=audit, kind="dispute_outcome", extra={"dispute": dispute, "result": revised}
        ).html
    )


def test_an_open_dispute_has_no_outcome_letter(audit, auditor, snapshot):
    dispute = dispute_of(audit, snapshot, auditor)
    with pytest.raises(LetterRefused, match="still open"):
        letter_render(audit=audit, kind="dispute_outcome", extra={"dispute": dispute})


def test_the_payment_plan_letter_has_the_schedule_and_the_agreement(audit, manager, snapshot):
    plan = PaymentPlan.objects.create(
        audit=audit,
        total=Decimal("4575.00"),
        down_payment=Decimal("575.00"),
        instalments=4,
        schedule=[
            {"number": 0, "due": "2026-02-01", "amount": "575.00"},
            *({"number": n, "due": f"2026-0{n + 2}-01", "amount": "1000.00"} for n in range(1, 5)),
        ],
        agreed_by=manager,
    )
    _, text = send(audit, "payment_plan", manager, extra={"plan": plan})
    assert "for the additional premium of $4,575 from the premium audit of your policy" in text
    assert "a down payment of $575 and 4 instalments" in text
    assert "Down payment February 1, 2026 $575" in text
    assert "Instalment 1 March 1, 2026 $1,000" in text
    assert "Instalment 4 June 1, 2026 $1,000" in text
    assert "Total $4,575" in text
    assert "Each payment is due on or before the date shown." in text
    assert "If a payment is missed or returned unpaid, the plan may be cancelled" in text


def test_a_payment_plan_letter_without_its_plan_is_refused(audit, snapshot):
    with pytest.raises(LetterRefused, match="which payment plan"):
        letter_render(audit=audit, kind="payment_plan", extra={"plan": "the usual"})


# Policy changes ---------------------------------------------------------------------------------


def test_the_policy_changes_letter_lists_findings_new_classes_and_growth(
    audit, auditor, reviewer, insured
):
    Finding.objects.create(
        audit=audit,
        kind="policy_change",
        state="IN",
        class_code="5221",
        text="The insured now pours driveways and walks.",
        recommendation="Add class 5221 with estimated payroll of $40,000.",
        by=auditor,
    )
    Finding.objects.create(audit=audit, kind="payroll", text="Not a policy change.", by=auditor)
    PayrollEntry.objects.create(
        audit=audit, state="IN", class_code="5221", employee="Flatwork", gross=Decimal("40000")
    )
    audit = audit_approve(audit=audit_submit(audit=audit, by=auditor), by=reviewer)
    _, text = send(audit, "policy_changes", auditor)
    assert (
        "Class 5221 in IN: The insured now pours driveways and walks. "
        "Proposed: Add class 5221 with estimated payroll of $40,000."
    ) in text
    assert "Not a policy change." not in text
    assert "IN 5221 Concrete slabs, walks and driveways 40,000" in text
    assert "IN 5645 Framing and carpentry on houses 350,000 436,500 25%" in text
    assert "8810" not in text  # 2% above the estimate: ordinary drift
    assert "proposed for the renewal" in text


def test_the_growth_worth_reporting_is_letters_toml_s(
    audit, auditor, reviewer, insured, monkeypatch
):
    assert rules()["policy_changes"]["growth_worth_reporting"] == "1.10"
    # Above 1.30 times the estimate only: 5645's 25% is then ordinary drift, and nothing is left.
    monkeypatch.setitem(rules()["policy_changes"], "growth_worth_reporting", "1.30")
    audit = audit_approve(audit=audit_submit(audit=audit, by=auditor), by=reviewer)
    with pytest.raises(LetterRefused, match="no policy changes"):
        letter_render(audit=audit, kind="policy_changes")
    monkeypatch.setitem(rules()["policy_changes"], "growth_worth_reporting", "1.20")
    html = letter_render(audit=audit, kind="policy_changes").html
    assert "25%" in html


def test_a_policy_changes_letter_with_nothing_to_report_is_refused(audit, insured):
    with pytest.raises(LetterRefused, match="no policy changes"):
        letter_render(audit=audit, kind="policy_changes")


# Refusals ---------------------------------------------------------------------------------------


def test_a_letter_is_refused_when_the_insured_has_no_e_mail_address(
    audit, auditor, snapshot, media
):
    no_e_mail(audit, keep_agency=False)
    with pytest.raises(LetterRefused) as refused:
        letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    assert refused.value.message == (
        "the insured has no e-mail address on file: add one or print the letter"
    )
    assert not Letter.objects.exists()
    assert mail.outbox == []
    assert not list(media.rglob("*.pdf"))


def test_a_copy_to_the_agent_alone_is_refused_when_the_insured_has_no_e_mail_address(
    audit, auditor, snapshot
):
    no_e_mail(audit, keep_agency=True)
    with pytest.raises(LetterRefused, match="no e-mail address on file"):
        letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))


def test_an_unknown_kind_of_letter_is_refused(audit, auditor, snapshot):
    with pytest.raises(LetterRefused, match="'thank_you' is not a kind of letter"):
        letter_render(audit=audit, kind="thank_you")
    with pytest.raises(LetterRefused, match="not a kind of letter"):
        letter_send(audit=audit, kind="thank_you", by=auditor)


def test_a_results_letter_is_refused_for_an_audit_with_no_result(audit, auditor, insured):
    with pytest.raises(LetterRefused, match="the audit has no final result yet"):
        letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    assert not Letter.objects.exists()


def test_an_invalid_recipient_is_refused(audit, auditor, snapshot):
    with pytest.raises(LetterRefused, match="'not-an-address' is not an e-mail address"):
        letter_send(
            audit=audit,
            kind="results",
            by=auditor,
            extra=dispute_terms(audit),
            recipients=["not-an-address"],
        )


def test_a_letter_whose_e_mail_fails_waits_with_the_reason_and_goes_when_tried_again(
    audit, auditor, snapshot, media, monkeypatch
):
    def fail(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", fail)
    letter = letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FAILED
    assert letter.attempts == 1
    assert letter.last_error == "ConnectionRefusedError: mail server down"
    assert not letter.pdf and not list(media.rglob("*.pdf"))
    assert AuditEdit.objects.filter(
        summary="letter not sent yet (Results and premium adjustment summary): the e-mail failed "
        "(mail server down); it is tried again"
    ).exists()
    assert len(mail.outbox) == 0

    monkeypatch.setattr(EmailMessage, "send", send)
    assert letters_retry(max_attempts=5) == 1
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert letter.attempts == 2
    assert letter.pdf.name.endswith(".pdf")
    assert len(mail.outbox) == 1
    assert letters_retry(max_attempts=5) == 0


def test_a_letter_whose_task_was_lost_is_sent_by_the_retry_once_it_has_waited_long_enough(
    audit, auditor, snapshot, media, django_capture_on_commit_callbacks
):
    # The work queued on commit is captured and never run: as if the worker had been stopped.
    with django_capture_on_commit_callbacks(execute=False) as lost:
        letter = letter_send(audit=audit, kind="results", by=auditor, extra=dispute_terms(audit))
    assert len(lost) == 1
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.QUEUED
    assert letters_retry(max_attempts=5, waiting_minutes=10) == 0
    Letter.objects.filter(pk=letter.pk).update(queued_at=timezone.now() - timedelta(minutes=11))
    assert letters_retry(max_attempts=5, waiting_minutes=10) == 1
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.SENT
    assert len(mail.outbox) == 1
