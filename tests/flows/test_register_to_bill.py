"""One register across every app it touches: a Gusto journal without classes imported, its
departments answered, committed, rated, reviewed, explained in the results letter and billed, the
billed adjustment being the pinned result's, the audited exposure the register's own sums."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.payroll.test_resolutions import CARPENTRY, FRAMING, OFFICE, preview
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.models import BillingInstruction, Outreach
from trueup.billing.selectors import dispute_terms
from trueup.billing.services import outreach_attempt_add
from trueup.flows import results
from trueup.letters.services import letter_send
from trueup.payroll import services as payroll
from trueup.payroll.services import Resolution
from trueup.policies.models import Insured


@pytest.fixture(autouse=True)
def files_in_tmp(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def test_a_journal_without_classes_is_answered_committed_rated_reviewed_explained_and_billed(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    audit.assignee = auditor
    audit.save()
    waiting = preview(audit, auditor, "gusto_department_journal.csv")
    answered = payroll.payroll_import_resolve(
        payroll_import=waiting,
        by=auditor,
        answers=[
            Resolution("department", "Framing", class_code="5645"),
            Resolution("department", "Office", class_code="8810"),
            Resolution("department", "Finish Carpentry", class_code="5403"),
        ],
    )
    payroll.payroll_import_commit(payroll_import=answered, by=auditor)
    submitted = results.audit_submit(audit=Audit.objects.get(pk=audit.pk), by=auditor)
    approved = results.audit_approve(audit=submitted, by=reviewer)
    pinned = approved.final_result
    assert pinned is not None
    # The audited payroll by class is the register's, to the cent, less the premium portion of
    # overtime: a third of overtime paid at time and a half (the rule book's overtime rule).
    [state] = pinned.result["audited"]["states"]
    exposure = {row["class"]: Decimal(row["exposure"]) for row in state["classes"]}
    framing_overtime = Decimal("234.00") + Decimal("117.00") + Decimal("216.00")
    carpentry_overtime = Decimal("69.00")
    assert exposure == {
        "5403": Decimal(CARPENTRY) / 100 - carpentry_overtime / 3,
        "5645": Decimal(FRAMING) / 100 - framing_overtime / 3,
        "8810": Decimal(OFFICE) / 100,
    }
    letter = letter_send(audit=approved, kind="results", by=auditor, extra=dispute_terms(approved))
    adjustment = Decimal(pinned.result["adjustment"])
    assert adjustment < 0  # a month's payroll against a year's estimate: a return premium
    outreach_attempt_add(
        outreach=Outreach.objects.get(audit=approved),
        by=auditor,
        channel="phone",
        contact="Dana Hoosier",
        outcome="agreed",
    )
    [instruction] = BillingInstruction.objects.filter(audit=approved)
    assert (instruction.stage, instruction.total_adjustment, instruction.bill_now) == (
        "released",
        adjustment,
        adjustment,
    )
    # The letter, written when the result was explained, states the return premium billed.
    assert f"${-adjustment:,.0f}" in letter.html
