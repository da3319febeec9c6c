"""The audit page's endorsements: listed in words with their premium effects, and approved by
a reviewer other than their maker."""

from __future__ import annotations

from datetime import date

from django.test import Client

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.endorsements.models import Endorsement
from trueup.endorsements.services import endorsement_request


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _waiting(audit: Audit, maker: User) -> Endorsement:
    made = endorsement_request(
        period=audit.period,
        kind="exposure_change",
        effective=date(2025, 1, 1),
        change={"state": "IN", "class": "5645", "exposure": "500000"},
        by=maker,
        reason="the framing crew doubled",
    )
    assert made.status == "awaiting_review"
    return made


def test_the_audit_page_lists_the_periods_endorsements_in_words(
    approved: Audit, auditor: User
) -> None:
    _waiting(approved, auditor)
    page = _client(auditor).get(f"/audits/{approved.pk}/").content.decode()
    assert "Audited premium recorded</b> from Jan 1, 2025: $4,575.00" in page
    assert "Estimated exposure changed</b> from Jan 1, 2025: $7,931.00" in page
    assert "Awaiting review" in page
    # The auditor may not approve: no button for them.
    assert "endorsements/" not in page


def test_a_reviewer_approves_an_endorsement_from_the_audit_page(
    audit: Audit, auditor: User, reviewer: User
) -> None:
    waiting = _waiting(audit, auditor)
    client = _client(reviewer)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    url = f"/audits/{audit.pk}/endorsements/{waiting.pk}/approve/"
    assert url in page
    answer = client.post(url)
    assert answer.status_code == 302
    assert answer["Location"] == f"/audits/{audit.pk}/#endorsements"
    assert Endorsement.objects.get(pk=waiting.pk).status == "issued"


def test_the_maker_is_told_they_may_not_approve_their_own_endorsement(
    audit: Audit, reviewer: User
) -> None:
    reviewer.authority_amount = 100
    reviewer.save()
    waiting = _waiting(audit, reviewer)
    client = _client(reviewer)
    answer = client.post(f"/audits/{audit.pk}/endorsements/{waiting.pk}/approve/", follow=True)
    assert "the maker of an endorsement may not approve it" in answer.content.decode()
    assert Endorsement.objects.get(pk=waiting.pk).status == "awaiting_review"


def test_a_portal_user_cannot_approve_an_endorsement(
    audit: Audit, auditor: User, policyholder: User
) -> None:
    waiting = _waiting(audit, auditor)
    answer = _client(policyholder).post(f"/audits/{audit.pk}/endorsements/{waiting.pk}/approve/")
    assert answer.status_code in (302, 403)
    assert Endorsement.objects.get(pk=waiting.pk).status == "awaiting_review"
