"""Other systems' API keys, made, listed and revoked without Python: the `trueup api-key` command
and the staff page of API keys (administrators and audit managers only). A key is shown once,
when it is made; a revoked key is refused at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from freezegun import freeze_time

from trueup import cli
from trueup.accounts.models import ApiToken, User
from trueup.accounts.services import api_token_create, hash_key

KEY_LENGTH = 43  # 32 random bytes, URL-safe base64 without padding


def command(*args: str) -> list[str]:
    out = StringIO()
    call_command("api_key", *args, stdout=out)
    return out.getvalue().splitlines()


def api_status(key: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/audits").status_code


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the command ---------------------------------------------------------------------------


def test_create_prints_the_key_once_on_its_own_line_and_keeps_only_its_hash(auditor: User) -> None:
    heading, key = command("create", "--user", "auditor", "--name", "Policy admin")
    token = ApiToken.objects.get()
    assert heading == (
        f"API key {token.pk} for auditor (Policy admin) made. The key is shown only now; keep "
        "it in the other system's secret store:"
    )
    assert len(key) == KEY_LENGTH
    assert token.key_hash == hash_key(key)
    assert api_status(key) == 200


def test_trueup_api_key_is_the_api_key_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # Django's run_from_argv closes the database connections when a command ends, which would
    # end the test's transaction: the command itself is tested through call_command above, and
    # here only that `trueup api-key …` reaches it.
    called: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: called.append(argv)
    )
    assert cli.main(["api-key", "create", "--user", "auditor", "--name", "Billing"]) == 0
    assert called == [["trueup", "api_key", "create", "--user", "auditor", "--name", "Billing"]]


def test_list_shows_owner_name_made_last_used_and_status_in_columns(
    auditor: User, billing: User, admin_user: User
) -> None:
    # 15:00 UTC is 09:00 in the carrier's zone (US Central, standard time in December).
    with freeze_time("2026-12-03 15:00:00"):
        first, first_key = api_token_create(user=auditor, name="Policy admin")
        second, _ = api_token_create(user=billing, name="Billing system")
    with freeze_time("2026-12-03 16:30:00"):
        assert api_status(first_key) == 200
    with freeze_time("2026-12-03 17:05:00"):
        command("revoke", str(second.pk))
    assert command("list") == [
        "ID  Owner    Name            Created           Last used         Status",
        f"{first.pk:<2}  auditor  Policy admin    2026-12-03 09:00  2026-12-03 10:30  active",
        f"{second.pk:<2}  billing  Billing system  2026-12-03 09:00  never             "
        "revoked 2026-12-03 11:05",
    ]


def test_list_without_keys_says_so(db: None) -> None:
    assert command("list") == ["No API keys."]


def test_revoke_stops_the_key_at_once_and_a_second_revoke_is_refused(auditor: User) -> None:
    token, key = api_token_create(user=auditor, name="Policy admin")
    assert api_status(key) == 200
    assert command("revoke", str(token.pk)) == [
        f"API key {token.pk} for auditor (Policy admin) revoked: it no longer works."
    ]
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/audits")
    assert answer.status_code == 401
    assert answer.json() == {
        "code": "unauthenticated",
        "message": "send a valid API key in the Authorization header: Bearer <key>",
    }
    with pytest.raises(CommandError) as refused:
        command("revoke", str(token.pk))
    assert str(refused.value) == f"API key {token.pk} (Policy admin) was already revoked"


def test_create_and_revoke_name_what_is_wrong(auditor: User, policyholder: User) -> None:
    with pytest.raises(CommandError) as unknown:
        command("create", "--user", "nobody", "--name", "Policy admin")
    assert str(unknown.value) == "--user: there is no user 'nobody'"
    with pytest.raises(CommandError) as portal:
        command("create", "--user", "policyholder", "--name", "Policy admin")
    assert str(portal.value) == (
        "user: policyholder is not active staff: a key for them would not work"
    )
    with pytest.raises(CommandError) as blank:
        command("create", "--user", "auditor", "--name", "  ")
    assert str(blank.value) == "name: name the system that will use the key"
    with pytest.raises(CommandError) as missing:
        command("revoke", "999")
    assert str(missing.value) == "id: there is no API key 999"
    assert not ApiToken.objects.exists()


def test_a_key_records_its_last_use_at_most_once_a_minute(auditor: User) -> None:
    token, key = api_token_create(user=auditor, name="Policy admin")
    with freeze_time("2026-12-03 15:00:00"):
        api_status(key)
    with freeze_time("2026-12-03 15:00:59"):
        api_status(key)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at.isoformat() == "2026-12-03T15:00:00+00:00"
    with freeze_time("2026-12-03 15:01:00"):
        api_status(key)
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-12-03T15:01:00+00:00"


# --- the staff page ------------------------------------------------------------------------


def test_a_manager_makes_a_key_on_the_page_and_sees_it_only_in_that_answer(
    manager: User, auditor: User
) -> None:
    client = signed_in(manager)
    page = client.get("/account/api-keys/").content.decode()
    assert "No API keys yet." in page
    assert '<option value="' + str(auditor.pk) + '">auditor (Auditor)</option>' in page
    made = client.post("/account/api-keys/", {"user": auditor.pk, "name": "Policy admin"})
    assert made.status_code == 200
    token = ApiToken.objects.get()
    key = made.context["key"]
    assert token.key_hash == hash_key(key)
    body = made.content.decode()
    assert f'<code class="secret-key" id="new-key-value">{key}</code>' in body
    assert f"Key {token.pk} for auditor (Policy admin)" in body
    assert api_status(key) == 200
    again = client.get("/account/api-keys/").content.decode()
    assert key not in again
    assert "<td>auditor</td><td>Policy admin</td>" in again


def test_the_page_names_a_missing_field_and_makes_nothing(manager: User) -> None:
    answer = signed_in(manager).post("/account/api-keys/", {"user": "", "name": ""})
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "Choose the user the key acts as." in body
    assert "Name the system that will use the key." in body
    assert not ApiToken.objects.exists()


def test_an_administrator_revokes_a_key_on_the_page_and_the_key_answers_401(
    admin_user: User, auditor: User
) -> None:
    token, key = api_token_create(user=auditor, name="Policy admin")
    client = signed_in(admin_user)
    answer = client.post(f"/account/api-keys/{token.pk}/revoke/")
    assert answer["Location"] == "/account/api-keys/"
    token.refresh_from_db()
    assert token.revoked
    assert token.revoked_by == admin_user
    assert api_status(key) == 401
    page = client.get("/account/api-keys/").content.decode()
    assert f"API key {token.pk} (Policy admin) revoked: it no longer works." in page
    assert "by admin" in page


def test_an_auditor_may_not_see_make_or_revoke_keys(auditor: User) -> None:
    token, key = api_token_create(user=auditor, name="Policy admin")
    client = signed_in(auditor)
    assert client.get("/account/api-keys/").status_code == 403
    made = client.post("/account/api-keys/", {"user": auditor.pk, "name": "Mine"})
    assert made.status_code == 403
    assert client.post(f"/account/api-keys/{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.count() == 1
    assert api_status(key) == 200
    assert "API keys</a>" not in client.get("/audits/").content.decode()


def test_the_menu_links_the_page_for_a_manager(manager: User) -> None:
    page = signed_in(manager).get("/audits/").content.decode()
    assert '<a href="/account/api-keys/">API keys</a>' in page
