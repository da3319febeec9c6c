"""Spreadsheet exports: a text cell a spreadsheet would run as a formula is written as text, and
amounts (a refund's minus sign included) stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.audits.models import Audit
from trueup.billing import services
from trueup.billing.models import BillingInstruction, Outreach
from trueup.core.spreadsheet import formula_like, safe_cell, safe_row
from trueup.policies.models import Insured


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","Refund")',
            '\'=HYPERLINK("http://evil.example","Refund")',
        ),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("Acme =1+1 Roofing", "Acme =1+1 Roofing"),
        ("WC-2025-01001", "WC-2025-01001"),
        ("", ""),
    ],
)
def test_a_text_cell_a_spreadsheet_would_run_gets_an_apostrophe(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("text", ["-40.00", "+40.00", "-1,234.50", "-1.234,50", "+1 317 555 0142"])
def test_text_that_is_a_number_is_not_taken_for_a_formula(text):
    assert not formula_like(text)
    assert safe_cell(text) == text


def test_numbers_written_as_numbers_are_left_as_they_are():
    assert safe_row([Decimal("-40.00"), -3, 2.5, None, True]) == [
        Decimal("-40.00"),
        -3,
        2.5,
        None,
        True,
    ]


def test_the_billing_export_writes_an_insureds_formula_as_text_and_a_refund_as_a_number(
    approved: Audit, billing: User, reviewer: User
) -> None:
    Insured.objects.filter(pk=approved.period.policy.insured_id).update(
        name='=HYPERLINK("http://evil.example","Refund")'
    )
    instruction = services.outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained"
    )
    # A refund's figures, as billing reads them: negative amounts.
    BillingInstruction.objects.filter(pk=instruction.pk).update(
        total_adjustment=Decimal("-40.00"), bill_now=Decimal("-40.00")
    )
    _, key = api_token_create(user=billing, name="billing system")
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/billing/instructions/export")
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["insured"], r["total_adjustment"], r["bill_now"], r["held"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil.example","Refund")', "-40.00", "-40.00", "0.00")
    ]
