"""The workbench's personas and audit, approved: its result in the outreach window."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audits.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing.models import Outreach
from trueup.billing.services import outreach_release
from trueup.flows import results
from trueup.policies.models import Agency, Agent, Insured


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def approved(audit: Audit, auditor: User, reviewer: User) -> Audit:
    """The example audit (estimated $19,655, audited $24,230, additional $4,575) submitted by the
    auditor, above their authority, and approved by the reviewer."""
    agency = Agency.objects.create(code="MS", name="Main Street Insurance Agency")
    Agent.objects.create(agency=agency, name="Pat Agent", email="pat@mainstreet.example")
    Insured.objects.filter(pk=audit.period.policy.insured_id).update(
        contact_name="Dana Hoosier", contact_email="dana@hoosier.example", agency=agency
    )
    audit.assignee = auditor
    audit.save()
    submitted = results.audit_submit(audit=audit, by=auditor)
    assert submitted.status == "in_review"
    return results.audit_approve(audit=submitted, by=reviewer)


@pytest.fixture
def released(approved: Audit, reviewer: User) -> Audit:
    """The approved audit released from its outreach window by the reviewer: billing has it."""
    outreach_release(
        outreach=Outreach.objects.get(audit=approved), by=reviewer, reason="explained by phone"
    )
    return Audit.objects.get(pk=approved.pk)
