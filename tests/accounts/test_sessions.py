"""The session, the signed-in user and an API key's user are read with SQL written once, as
Django reads them: the same answers, expired, inactive and revoked included."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import sign_in, with_password
from trueup.accounts.backends import ModelBackend
from trueup.accounts.models import ApiToken, User
from trueup.accounts.services import api_token_create, api_token_user, hash_key
from trueup.accounts.sessions import SessionStore


def test_a_session_saved_is_read_back_by_its_key_and_an_unknown_key_reads_as_a_new_one(
    db: None,
) -> None:
    saved = SessionStore()
    saved["basket"] = ["W-2", "941"]
    saved.save()
    assert SessionStore(saved.session_key).load() == {"basket": ["W-2", "941"]}
    unknown = SessionStore("k" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_an_expired_session_is_not_read(db: None) -> None:
    saved = SessionStore()
    saved["basket"] = ["W-2"]
    saved.save()
    Session.objects.filter(pk=saved.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(saved.session_key)
    assert expired.load() == {}
    assert expired.session_key is None


def test_the_signed_in_user_is_read_by_id_and_an_inactive_or_removed_one_is_nobody(
    auditor: User, manager: User
) -> None:
    backend = ModelBackend()
    assert backend.get_user(auditor.pk) == auditor
    manager.is_active = False
    manager.save()
    assert backend.get_user(manager.pk) is None
    assert backend.get_user(auditor.pk + manager.pk + 1000) is None


def test_a_user_signed_in_through_the_form_stays_signed_in_until_signing_out(
    client: Client, auditor: User
) -> None:
    with_password(auditor)
    assert sign_in(client, auditor.username).status_code == 302
    assert client.get("/audits/").status_code == 200
    client.post("/logout/")
    answer = client.get("/audits/")
    assert answer.status_code == 302
    assert "/login/" in answer["Location"]


def test_an_api_key_answers_its_active_staff_user_and_no_one_once_revoked_or_deactivated(
    auditor: User,
) -> None:
    _, key = api_token_create(user=auditor, name="nightly export")
    assert api_token_user(key) == auditor
    assert api_token_user(key + "x") is None
    auditor.is_active = False
    auditor.save()
    assert api_token_user(key) is None
    auditor.is_active = True
    auditor.save()
    assert api_token_user(key) == auditor
    ApiToken.objects.filter(user=auditor).update(revoked=True)
    assert api_token_user(key) is None


def test_an_api_key_of_a_policyholder_is_refused(policyholder: User) -> None:
    ApiToken.objects.create(
        user=policyholder, name="made around the services", key_hash=hash_key("k1")
    )
    assert api_token_user("k1") is None
