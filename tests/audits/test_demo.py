"""The demo book: every audit status is there, made through the services."""

from __future__ import annotations

import pytest

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, ResultSnapshot, StatusChange
from trueup.audits.workflow import Status
from trueup.flows.demo import load_demo_book
from trueup.policies.models import Policy


@pytest.mark.django_db
def test_the_demo_book_has_audits_in_every_status_and_a_user_for_every_role() -> None:
    counts = load_demo_book(policies=60)
    assert Policy.objects.count() == 60
    assert all(counts[status] > 0 for status in Status.values), counts
    assert {u.role for u in User.objects.all()} == set(Role.values)
    # Every audit has a status history, and every completed one a result.
    assert not Audit.objects.filter(status_changes__isnull=True).exists()
    completed = Audit.objects.filter(status=Status.COMPLETED)
    assert ResultSnapshot.objects.filter(audit__in=completed).values(
        "audit"
    ).distinct().count() == (completed.count())
    # Loading again changes nothing.
    before = StatusChange.objects.count()
    assert load_demo_book(policies=60) == counts
    assert StatusChange.objects.count() == before
