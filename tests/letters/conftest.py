"""The workbench's personas, and the insured the letter layout tests write to."""

import pytest

from tests.audits.conftest import *  # noqa: F403
from trueup.audits.models import Audit
from trueup.policies.models import Agency, Agent, Insured


@pytest.fixture
def insured(audit: Audit) -> Insured:
    """The audit's insured with a contact, a long mailing address and an agency with an agent
    (test_letters.py has its own, with two agents)."""
    agency = Agency.objects.create(code="MS", name="Main Street Insurance Agency")
    Agent.objects.create(agency=agency, name="Pat Agent", email="pat@mainstreet.example")
    insured = audit.period.policy.insured
    insured.contact_name = "Alexandra Montgomery-Fitzgerald"
    insured.contact_email = "dana@hoosier.example"
    insured.mailing_address = (
        "Suite 1200, Building C, Riverfront Commerce Center\n"
        "12000 North Meridian Street\nIndianapolis, IN 46204"
    )
    insured.agency = agency
    insured.save()
    return insured
