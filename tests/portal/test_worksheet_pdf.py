"""The worksheet PDF the insured and their agent download: rendered from the audit's stored result
and read back as text, so each test checks what a reader of the PDF sees."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.test import Client
from django.utils import timezone

from trueup.audits.models import OwnerEntry, PayrollEntry, ResultSnapshot, SubcontractorEntry
from trueup.audits.services import audit_rate
from trueup.billing import selectors as billing_selectors
from trueup.flows.results import audit_approve, audit_submit
from trueup.letters.worksheet_pdf import worksheet_filename, worksheet_pdf

pytestmark = pytest.mark.django_db

APPEAL = "If you disagree with this audit, contact your auditor by February 2, 2026."


def pages_of(data: bytes) -> list[str]:
    """Each page's text with its runs of white space as one space: a table cell's text wraps
    wherever the column is narrow, which is layout, not content."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def text_of(data: bytes) -> str:
    return " ".join(pages_of(data))


@pytest.fixture
def snapshot(audit, auditor) -> ResultSnapshot:
    return audit_rate(audit=audit, by=auditor)


@pytest.fixture
def text(audit, snapshot) -> str:
    return text_of(worksheet_pdf(audit, snapshot))


def test_the_worksheet_pdf_is_a_pdf(audit, snapshot):
    assert worksheet_pdf(audit, snapshot).startswith(b"%PDF-")


def test_the_worksheet_pdf_names_the_insured_the_policy_and_the_period(text, snapshot):
    assert "Premium audit worksheet" in text
    assert "Insured Hoosier Home Builders LLC" in text
    assert "Policy number WC-2025-01001" in text
    assert "Policy period January 1, 2025 – January 1, 2026" in text
    assert "Audit type Final" in text
    rated = timezone.localtime(snapshot.created_at)
    assert f"Result dated {rated:%B} {rated.day}, {rated.year}" in text
    assert (
        f"engine {snapshot.engine_version}, rule book {snapshot.rulebook_version}, "
        f"rates {snapshot.rates_version}"
    ) in text


def test_the_worksheet_pdf_shows_the_estimated_audited_and_additional_premium(text, snapshot):
    # The figures the workbench shows for this audit.
    assert snapshot.estimated_premium == Decimal("19655.00")
    assert snapshot.audited_premium == Decimal("24230.00")
    assert snapshot.adjustment == Decimal("4575.00")
    assert "Estimated premium $19,655" in text
    assert "Audited premium $24,230" in text
    assert "Additional premium due $4,575" in text
    assert (
        "Audited premium $24,230 − estimated premium $19,655 = $4,575: additional premium" in text
    )


def test_the_worksheet_pdf_shows_the_audited_premium_by_class(text):
    assert (
        "IN 5645 Framing and carpentry on houses 350,000 436,500 6.298 per $100 of payroll "
        "$19,340.72 $23,897.20 $4,556.48"
    ) in text
    assert (
        "IN 8810 Office and clerical staff 60,000 61,250 0.138 per $100 of payroll "
        "$72.65 $73.48 $0.83"
    ) in text
    # The state's charges, in the order the premium steps apply them, then the totals.
    assert "IN Expense constant $160 $160 $0" in text
    assert "Total $19,655 $24,230 $4,575" in text
    assert text.index("Expense constant $160 $160") < text.index("IN Rounding -$0.37 -$0.24")


def test_the_worksheet_pdf_shows_the_premium_step_by_step(text):
    # From the steps' heading on: the table by class names some of the same charges.
    section = text[text.index("Premium step by step") :]
    steps = [
        "IN: audited premium $24,230",
        "Manual premium (payroll × rate) $27,575.30",
        "Experience modification -$2,206.02",
        "Standard premium $25,369.28",
        "Premium discount -$1,398.60",
        "Expense constant $160",
        "Total premium $24,230",
    ]
    positions = [section.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "Experience modification: $27,575.30 × 0.92 = $25,369.28" in section


def test_the_worksheet_pdf_says_why_pay_was_excluded(text):
    assert "IN class 5645 — Framing and carpentry on houses" in text
    assert "1/3 of total overtime pay $31,500 at time-and-a-half excluded: $10,500" in text
    assert "Overtime premium portion $1,500 excluded — NCCI Basic Manual Rule 2-C-2" in text
    assert "Substantiated expense reimbursements $1,800 not payroll" in text


def test_the_worksheet_pdf_lists_the_payroll_as_entered(text):
    assert (
        "IN 5645 Framing crew $436,500 total overtime pay $31,500; Section 125 reductions $8,200"
    ) in text
    assert "IN 5645 Finish crew $12,000 overtime premium portion $1,500" in text
    assert (
        "IN 8810 Office $61,250 401(k) deferrals $2,400; documented expense reimbursements $1,800"
    ) in text


def test_every_page_has_the_appeal_line_and_its_page_number(audit, snapshot):
    pages = pages_of(worksheet_pdf(audit, snapshot, dispute_by=date(2026, 2, 2)))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert APPEAL in page
        assert f"Page {number} of {len(pages)}" in page


def test_an_officer_capped_and_an_uninsured_subcontractor_are_explained(audit, auditor):
    OwnerEntry.objects.create(
        audit=audit,
        name="Lee Park",
        role="executive_officer",
        state="IN",
        class_code="8810",
        actual_pay=Decimal("310000"),
        ownership_percent=Decimal("60"),
        duties="President",
    )
    SubcontractorEntry.objects.create(
        audit=audit,
        name="Quick Drain Services",
        state="IN",
        class_code="5645",
        contract_cost=Decimal("42000"),
        contract_type="labor_and_materials",
        stated_labor=Decimal("18000"),
    )
    text = text_of(worksheet_pdf(audit, audit_rate(audit=audit, by=auditor)))

    assert "capped at the maximum $239,200" in text
    assert "Uninsured subcontractor Quick Drain Services (no certificate of insurance)" in text
    assert "Lee Park executive officer IN 8810 $310,000 60" in text
    assert "Quick Drain Services IN 5645 $42,000 labor and materials $18,000" in text
    assert "none on file" in text


def test_a_subcontractor_without_a_labor_amount_says_whether_the_contract_is_on_record(
    audit, auditor
):
    made = {"state": "IN", "class_code": "5645", "contract_type": "labor_only"}
    SubcontractorEntry.objects.create(
        audit=audit,
        name="Paper Trail Roofing",
        contract_cost=Decimal("9000"),
        labor_records="contract_only",
        **made,
    )
    SubcontractorEntry.objects.create(
        audit=audit, name="Cash Only Crew", contract_cost=Decimal("7000"), **made
    )
    text = text_of(worksheet_pdf(audit, audit_rate(audit=audit, by=auditor)))

    assert "Paper Trail Roofing IN 5645 $9,000 labor only no labor figure on the contract" in text
    assert "Cash Only Crew IN 5645 $7,000 labor only no records of the labor" in text


def test_a_return_premium_is_shown_as_money_back(audit, auditor):
    PayrollEntry.objects.filter(audit=audit, employee="Framing crew").update(
        gross=Decimal("300000"), overtime_total=Decimal("0")
    )
    snapshot = audit_rate(audit=audit, by=auditor)
    assert snapshot.outcome == "return"
    assert snapshot.adjustment == Decimal("-2086.00")

    text = text_of(worksheet_pdf(audit, snapshot))

    assert "Return premium $2,086" in text
    assert "Additional premium due" not in text


def test_the_worksheet_pdf_shows_the_snapshot_not_the_facts_entered_since(audit, auditor):
    snapshot = audit_rate(audit=audit, by=auditor)
    PayrollEntry.objects.filter(audit=audit, employee="Framing crew").update(gross=Decimal("1"))

    text = text_of(worksheet_pdf(audit, snapshot))

    assert "Audited premium $24,230" in text
    assert "Framing crew $436,500" in text


def test_the_filename_is_the_policy_number_and_the_period_start(audit):
    assert worksheet_filename(audit) == "worksheet-WC-2025-01001-2025-01-01.pdf"


def test_the_filename_keeps_no_character_a_file_name_cannot_hold(audit):
    audit.period.policy.number = "WC 2025/01001"

    assert worksheet_filename(audit) == "worksheet-WC-2025-01001-2025-01-01.pdf"


def test_the_downloaded_worksheet_names_the_last_day_to_dispute_as_billing_counts_it(
    audit, auditor, reviewer, policyholder, monkeypatch
):
    # Indiana with a dispute window of its own.
    monkeypatch.setitem(billing_selectors.rules()["disputes"]["states"], "IN", {"days": 45})
    approved = audit_approve(audit=audit_submit(audit=audit, by=auditor), by=reviewer)
    deadline = billing_selectors.dispute_deadline(approved)
    assert deadline == timezone.localdate() + timedelta(days=45)
    client = Client()
    client.force_login(policyholder)
    answer = client.get(f"/portal/audits/{audit.pk}/worksheet.pdf")
    assert answer.status_code == 200
    said = f"contact your auditor by {deadline:%B} {deadline.day}, {deadline.year}."
    assert all(said in page for page in pages_of(answer.content))
