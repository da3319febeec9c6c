"""The workbench's personas and audit, shared with the portal's tests, and an audit waiting for
the insured's records with its invitation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from tests.audits.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.flows import results
from trueup.policies.models import Insured
from trueup.portal.services import IssuedInvitation, invitation_issue

GOOD_PASSWORD = "framing-crew-2025"


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts and ends in the default language: a request in Spanish leaves Spanish
    active in the thread (as Django leaves the language of the last request), and a service
    called directly afterwards would otherwise write in it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def requested(audit: Audit, auditor: User) -> Audit:
    """The example audit with no facts yet, its records requested from the insured."""
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example"
    )
    audit.payroll.all().delete()
    audit.assignee = auditor
    audit.save()
    auditor.email = "auditor@trueup.example"
    auditor.save()
    return results.audit_request_records(audit=audit, by=auditor)


@pytest.fixture
def invited(requested: Audit, auditor: User) -> IssuedInvitation:
    """A fresh invitation for the requested audit (its token and PIN, as the letter has them)."""
    issued = invitation_issue(audit=requested, by=auditor)
    assert issued is not None
    mail.outbox.clear()
    return issued


def answers(**changes: Any) -> dict[str, Any]:
    """A complete self-audit for the example policy: IN 5645 and 8810 by quarter, an LLC member,
    a drywall subcontractor without a certificate, and Section IV signed."""
    payroll = []
    for quarter in "1234":
        payroll.append(
            {
                "state": "IN",
                "class_code": "5645",
                "quarter": quarter,
                "gross": "110,000",
                "overtime": "7,500",
                "tips": "",
                "severance": "",
                "section_125": "2,000",
                "deferred_401k": "",
            }
        )
        payroll.append(
            {
                "state": "IN",
                "class_code": "8810",
                "quarter": quarter,
                "gross": "15000",
                "overtime": "",
                "tips": "",
                "severance": "",
                "section_125": "",
                "deferred_401k": "600",
            }
        )
    base: dict[str, Any] = {
        "business": {
            "operations": "Residential framing and finish carpentry",
            "changes": "None",
            "related_businesses": "",
        },
        "owners": [
            {
                "name": "Dana Hoosier",
                "title": "Managing member",
                "role": "llc_member",
                "duties": "Runs the office",
                "ownership_percent": "100",
                "included": "included",
                "state": "IN",
                "class_code": "8810",
                "payroll": "52,000",
            }
        ],
        "payroll": payroll,
        "contractors": [
            {
                "name": "Ace Drywall",
                "kind": "subcontractor",
                "work": "Drywall",
                "state": "IN",
                "class_code": "5645",
                "contract_type": "labor_and_materials",
                "amount_paid": "40,000",
                "labor_amount": "25,000",
                "has_certificate": "no",
                "certificate_from": "",
                "certificate_to": "",
            }
        ],
        "completed_by": {
            "name": "Dana Hoosier",
            "title": "Managing member",
            "phone": "317-555-0142",
            "email": "dana@hoosier.example",
            "contact_name": "Dana Hoosier",
            "contact_phone": "317-555-0142",
            "contact_email": "dana@hoosier.example",
            "signature": "Dana Hoosier",
            "attest": "yes",
        },
    }
    base.update(changes)
    return base
