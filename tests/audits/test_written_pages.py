"""The queries the pages ask with SQL written once run as written on PostgreSQL: none falls back to
the ORM, which a value given in another order than the SQL takes it would make it do (quietly,
at the ORM's cost, on every page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.services import rated_snapshot
from trueup.audits.workflow import Status
from trueup.core import written
from trueup.policies.models import PolicyPeriod
from trueup.practices.models import AttachedTo, NoteKind, PracticeNote
from trueup.rating import demo_rates
from trueup.rating.jsonio import worksheet_from_dict

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's dates are converted: the ORM reads them"
)


def with_prior_term(audit: Audit, example: dict[str, Any]) -> None:
    """The policy's term before, audited and final, with the example's rating pinned."""
    period = audit.period
    before = PolicyPeriod.objects.create(
        policy=period.policy,
        effective=date(period.effective.year - 1, period.effective.month, period.effective.day),
        expiration=period.effective,
        states=period.states,
        deposit_premium=Decimal("1000"),
    )
    prior = Audit.objects.create(period=before, status=Status.COMPLETED)
    pinned = rated_snapshot(prior, worksheet_from_dict(example), by=None, rates=demo_rates())
    pinned.save()
    Audit.objects.filter(pk=prior.pk).update(final_result=pinned)


def test_the_audit_page_the_api_and_the_worklist_run_every_written_query_as_written(
    audit: Audit, auditor: User, vendor_auditor: User, example: dict[str, Any]
) -> None:
    with_prior_term(audit, example)
    PracticeNote.objects.create(
        kind=NoteKind.PRACTICE,
        title="Indiana officers",
        body="Ask for the election form.",
        attached_to=AttachedTo.STATE,
        target="IN",
        created_by=auditor,
    )
    Audit.objects.filter(pk=audit.pk).update(vendor=vendor_auditor.vendor)
    written.through_orm.clear()
    for user in (auditor, vendor_auditor):
        client = Client()
        client.force_login(user)
        for path in (f"/audits/{audit.pk}/", "/audits/"):
            assert client.get(path).status_code == 200
        key = api_key_for(user)
        answer = client.get(f"/api/audits/{audit.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert answer.status_code == 200
    assert written.through_orm == set()
    asked = {key for vendor, key in written._written if vendor == connection.vendor}
    assert {"prior rating", "audit page: status changes", "rates in use"} <= asked
    assert any(isinstance(key, tuple) and key[0] == "notes in force" for key in asked)
