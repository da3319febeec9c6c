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
    assert "/approve/" not in page


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


def test_an_auditor_adds_a_class_by_endorsement_from_the_form_beside_the_class_lookup(
    audit: Audit, auditor: User
) -> None:
    client = _client(auditor)
    url = f"/audits/{audit.pk}/endorsements/new/"
    assert url in client.get(f"/audits/{audit.pk}/").content.decode()
    form = client.get(url, {"q": "office clerical work", "state": "IN"}).content.decode()
    assert "Reason for the change" in form
    assert 'id="class-suggestions"' in form
    assert "8810" in form  # the lookup's suggestion for clerical work, beside the form
    answer = client.post(
        url,
        {
            "kind": "class_add",
            "state": "IN",
            "class_code": "5183",
            "exposure": "40,000",
            "effective": "2025-01-01",
            "reason": "the insured now does plumbing",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/audits/{audit.pk}/#endorsements"
    made = Endorsement.objects.get(period=audit.period, kind="class_add")
    assert made.change == {"state": "IN", "class": "5183", "exposure": "40000"}
    assert made.reason == "the insured now does plumbing"
    assert made.made_by == auditor


def test_a_class_without_a_rate_is_named_on_its_field_and_nothing_is_written(
    audit: Audit, auditor: User
) -> None:
    answer = _client(auditor).post(
        f"/audits/{audit.pk}/endorsements/new/",
        {
            "kind": "class_add",
            "state": "IN",
            "class_code": "0000",
            "exposure": "40000",
            "effective": "2025-01-01",
            "reason": "new work",
        },
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Class 0000 has no IN WC rate in the rate table." in page
    assert 'value="0000"' in page  # what was typed stays in the form
    assert not Endorsement.objects.filter(period=audit.period, kind="class_add").exists()


def test_adding_a_class_asks_for_its_exposure_and_removing_one_does_not(
    audit: Audit, auditor: User
) -> None:
    client = _client(auditor)
    url = f"/audits/{audit.pk}/endorsements/new/"
    fields = {"state": "IN", "class_code": "5645", "effective": "2025-06-01", "reason": "x"}
    page = client.post(url, {**fields, "kind": "exposure_change"}).content.decode()
    assert "Enter the estimated annual exposure of the class." in page
    answer = client.post(url, {**fields, "kind": "class_remove", "reason": "framing stopped"})
    assert answer.status_code == 302
    removed = Endorsement.objects.get(period=audit.period, kind="class_remove")
    assert removed.change == {"state": "IN", "class": "5645"}


def test_billing_staff_and_portal_users_cannot_ask_for_a_class_endorsement(
    audit: Audit, billing: User, policyholder: User
) -> None:
    url = f"/audits/{audit.pk}/endorsements/new/"
    assert _client(billing).get(url).status_code in (403, 404)
    assert _client(policyholder).get(url).status_code in (302, 403)
    post = {"kind": "class_remove", "state": "IN", "class_code": "5645"}
    assert _client(billing).post(
        url, {**post, "effective": "2025-06-01", "reason": "x"}
    ).status_code in (403, 404)
    assert not Endorsement.objects.filter(period=audit.period, kind="class_remove").exists()
