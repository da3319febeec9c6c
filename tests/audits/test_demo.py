"""The demo book: every audit status is there, made through the services, and an invitation to
try the portal in Spanish."""

from __future__ import annotations

import pytest

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, ResultSnapshot, StatusChange
from trueup.audits.workflow import Status
from trueup.flows.demo import demo_invitation, load_demo_book
from trueup.policies.models import Policy
from trueup.portal.models import Invitation


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


@pytest.mark.django_db
def test_the_demo_invitation_goes_to_an_insured_who_reads_spanish_in_spanish() -> None:
    load_demo_book(policies=60)
    found = demo_invitation()
    assert found is not None
    audit, _url, _pin = found
    assert audit.period.policy.insured.language == "es"
    invitation = Invitation.objects.filter(audit=audit).latest("id")
    assert invitation.language == "es"
    assert "Estimado(a)" in invitation.letter
