"""The worksheet PDF an insured reads names only the insured's own state's rules: a Missouri
worksheet rated partly with NCCI default figures never mentions Indiana, and the staff note on
which figures stood in from the default stays on the workbench."""

from __future__ import annotations

import pytest

from tests.portal.test_worksheet_pdf import text_of
from trueup.audits.models import PayrollEntry
from trueup.audits.services import audit_rate
from trueup.letters.worksheet_pdf import worksheet_pdf
from trueup.policies.models import EstimatedExposure, PolicyPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def missouri(audit):
    """The example audit moved to Missouri: same classes and payroll."""
    PolicyPeriod.objects.filter(pk=audit.period_id).update(states=["MO"])
    EstimatedExposure.objects.filter(period_id=audit.period_id).update(state="MO")
    PayrollEntry.objects.filter(audit=audit).update(state="MO")
    audit.period.refresh_from_db()
    return audit


def test_a_missouri_worksheet_pdf_names_no_other_states_rule(missouri, auditor):
    snapshot = audit_rate(audit=missouri, by=auditor)
    findings = {f["code"] for f in snapshot.result["findings"]}
    text = text_of(worksheet_pdf(missouri, snapshot))

    # the result tells staff that Missouri's expense constant came from the default…
    assert "inherited_rule" in findings
    # …while the insured's PDF shows the charge with the default's own source and no other state
    assert "Expense constant" in text or "expense constant" in text
    for other in ("Indiana", "ICRB", "Iowa"):
        assert other not in text
    assert "NCCI default was used" not in text
