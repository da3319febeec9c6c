"""The staff's second factor: with TRUEUP_STAFF_2FA on, every staff role sets up an authenticator
app and gives its code after the password before any workbench page; recovery codes stand in for
a lost phone, once each; an administrator resets it. Portal users and API tokens are not asked."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_now, sign_in, with_password
from tests.audits.conftest import make_user
from trueup.accounts import services
from trueup.accounts.models import PORTAL_ROLES, AccountEvent, Role, User
from trueup.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

SETUP = "/account/second-factor/"
VERIFY = "/account/second-factor/verify/"
STAFF_ROLES = [role for role in Role if role not in PORTAL_ROLES]


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("second_factor_on")
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_without_an_authenticator_is_sent_to_set_it_up_from_every_page(
    role, audit
):
    client = signed_in_client(make_user(f"a-{role}", role))
    pages = ["/", "/audits/", f"/audits/{audit.pk}/", f"/audits/{audit.pk}/payroll/", "/admin/"]
    for page in pages:
        answer = client.get(page)
        assert (answer.status_code, answer["Location"]) == (302, f"{SETUP}?next={page}"), page
    assert client.post(f"/audits/{audit.pk}/actions/start/")["Location"] == SETUP


@pytest.mark.usefixtures("second_factor_on")
def test_staff_with_an_authenticator_are_asked_for_its_code(enrolled_auditor):
    answer = signed_in_client(enrolled_auditor).get("/audits/?status=open")
    assert answer["Location"] == f"{VERIFY}?next=/audits/%3Fstatus%3Dopen"


@pytest.mark.usefixtures("second_factor_on")
def test_an_htmx_request_is_sent_to_the_second_factor_by_htmx(auditor, audit):
    answer = signed_in_client(auditor).get(f"/audits/{audit.pk}/", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == f"{SETUP}?next=/audits/{audit.pk}/"


@pytest.mark.usefixtures("second_factor_on")
def test_policyholders_and_agents_are_not_asked_for_a_second_factor(policyholder, agent_user):
    for user in (policyholder, agent_user):
        answer = signed_in_client(user).get("/portal/")
        assert answer.status_code == 200, user.role


@pytest.mark.usefixtures("second_factor_on")
def test_a_portal_user_who_can_open_the_admin_is_asked_for_one(policyholder):
    policyholder.is_staff = True
    policyholder.save()
    assert signed_in_client(policyholder).get("/portal/")["Location"] == f"{SETUP}?next=/portal/"


@pytest.mark.usefixtures("second_factor_on")
def test_api_bearer_tokens_are_not_asked_for_a_second_factor(auditor, audit):
    _, key = api_token_create(user=auditor, name="policy admin")
    client = signed_in_client(auditor)  # a session without a code must not matter either
    answer = client.get(f"/api/audits/{audit.pk}", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert answer.json()["id"] == audit.pk


def test_with_the_setting_off_staff_go_straight_to_their_pages(auditor):
    assert signed_in_client(auditor).get("/audits/").status_code == 200


@pytest.mark.usefixtures("second_factor_on")
def test_setting_up_shows_a_qr_code_and_the_key_and_a_right_code_confirms_it(auditor):
    client = signed_in_client(auditor)
    page = client.get(f"{SETUP}?next=/audits/").content.decode()
    device = TOTPDevice.objects.get(user=auditor)
    assert not device.confirmed
    assert '<figure class="qr" role="img"' in page and "<svg" in page
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert services.enrolment_secret(device) == key
    assert len(key.replace(" ", "")) == 32  # 20 random bytes
    # Opening the page again keeps the key the phone has scanned.
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=auditor).key == device.key

    done = client.post(SETUP, {"code": code_now(device), "next": "/audits/"})
    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", done.content.decode())
    assert len(shown) == 10
    stored = StaticToken.objects.filter(device__user=auditor).values_list("token", flat=True)
    assert sorted(c.replace("-", "") for c in shown) == sorted(stored)
    assert 'href="/audits/"' in done.content.decode()
    assert TOTPDevice.objects.get(user=auditor).confirmed
    assert client.get("/audits/").status_code == 200
    event = AccountEvent.objects.get()
    assert (event.user, event.kind, event.by) == (auditor, "second_factor_set_up", auditor)


@pytest.mark.usefixtures("second_factor_on")
def test_a_wrong_code_does_not_confirm_the_authenticator(auditor):
    client = signed_in_client(auditor)
    client.get(SETUP)
    answer = client.post(SETUP, {"code": "000000"}).content.decode()
    assert "That code did not match." in answer
    assert not TOTPDevice.objects.get(user=auditor).confirmed
    assert client.get("/audits/")["Location"] == f"{SETUP}?next=/audits/"


@pytest.mark.usefixtures("second_factor_on")
def test_after_the_password_the_code_lets_staff_in_to_the_page_they_asked_for(enrolled_auditor):
    client = Client()
    assert sign_in(client, "auditor", next="/audits/")["Location"] == "/audits/"
    assert client.get("/audits/")["Location"] == f"{VERIFY}?next=/audits/"
    device = TOTPDevice.objects.get(user=enrolled_auditor)
    answer = client.post(VERIFY, {"code": code_now(device), "next": "/audits/"})
    assert answer["Location"] == "/audits/"
    assert client.get("/audits/").status_code == 200


@pytest.mark.usefixtures("second_factor_on")
def test_a_code_from_another_site_is_not_followed_after_signing_in(enrolled_auditor):
    client = signed_in_client(enrolled_auditor)
    device = TOTPDevice.objects.get(user=enrolled_auditor)
    answer = client.post(VERIFY, {"code": code_now(device), "next": "https://evil.example/"})
    assert answer["Location"] == "/"


@pytest.mark.usefixtures("second_factor_on")
def test_a_recovery_code_signs_in_once(enrolled_auditor):
    codes = services.recovery_codes_renew(user=enrolled_auditor)
    client = signed_in_client(enrolled_auditor)
    answer = client.post(VERIFY, {"code": codes[0].upper(), "next": "/audits/"}, follow=True)
    assert answer.redirect_chain == [("/audits/", 302)]
    assert "You signed in with a recovery code; 9 left." in answer.content.decode()
    again = signed_in_client(enrolled_auditor)
    assert "That code did not match." in again.post(VERIFY, {"code": codes[0]}).content.decode()
    kinds = list(AccountEvent.objects.values_list("kind", flat=True))
    assert kinds == ["recovery_code_used", "recovery_codes_renewed"]


@pytest.mark.usefixtures("second_factor_on")
def test_after_wrong_codes_even_the_right_one_waits(enrolled_auditor):
    device = TOTPDevice.objects.get(user=enrolled_auditor)
    # Three wrong codes just now: django-otp checks no code for 2³⁻¹ = 4 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    client = signed_in_client(enrolled_auditor)
    page = client.post(VERIFY, {"code": code_now(device)}).content.decode()
    assert re.search(r"Too many wrong codes\. Wait [1-4] seconds?, then enter", page)
    assert client.get("/audits/").status_code == 302


@pytest.mark.usefixtures("second_factor_on")
def test_a_password_alone_cannot_replace_the_authenticator(enrolled_auditor):
    client = signed_in_client(enrolled_auditor)
    assert client.get(SETUP)["Location"] == VERIFY
    assert client.post(SETUP, {"code": "123456"})["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=enrolled_auditor).count() == 1


@pytest.mark.usefixtures("second_factor_on")
def test_new_recovery_codes_replace_the_old_ones(enrolled_auditor):
    old = services.recovery_codes_renew(user=enrolled_auditor)
    client = signed_in_client(enrolled_auditor)
    device = TOTPDevice.objects.get(user=enrolled_auditor)
    client.post(VERIFY, {"code": code_now(device)})
    status = client.get(SETUP).content.decode()
    assert '<a href="/account/second-factor/">Second factor</a>' in status  # in the menu
    assert "You have 10 recovery codes left." in status
    page = client.post("/account/second-factor/recovery-codes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7-]{9})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert "Your earlier recovery codes no longer work." in page
    assert StaticDevice.objects.filter(user=enrolled_auditor).count() == 1


@pytest.mark.usefixtures("second_factor_on")
def test_an_administrator_resets_a_second_factor_and_it_is_recorded(enrolled_auditor):
    services.recovery_codes_renew(user=enrolled_auditor)
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    staff = Client()
    staff.force_login(admin)
    staff.post(VERIFY, {"code": code_now(TOTPDevice.objects.get(user=admin))})
    answer = staff.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [enrolled_auditor.pk]},
        follow=True,
    )
    assert "Second factor reset for auditor." in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=enrolled_auditor).exists()
    assert not StaticDevice.objects.filter(user=enrolled_auditor).exists()
    event = AccountEvent.objects.filter(kind="second_factor_reset").get()
    assert (event.user, event.by) == (enrolled_auditor, admin)
    # Their next sign-in sets up a new authenticator.
    client = Client()
    sign_in(client, "auditor")
    assert client.get("/audits/")["Location"] == f"{SETUP}?next=/audits/"


@pytest.mark.usefixtures("second_factor_on")
def test_the_user_list_shows_who_has_a_second_factor(enrolled_auditor, reviewer):
    admin = with_password(User.objects.create_superuser("root", "root@example.com", "x"))
    client = Client()
    client.force_login(admin)
    TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    client.post(VERIFY, {"code": code_now(TOTPDevice.objects.get(user=admin))})
    page = client.get("/admin/accounts/user/?o=1").content.decode()
    rows = re.findall(
        r'<th class="field-username">.*?>(\w+)</a>.*?'
        r'<td class="field-second_factor"><img [^>]*alt="(True|False)"',
        page,
    )
    assert rows == [("auditor", "True"), ("reviewer", "False"), ("root", "True")]
    change = client.get(f"/admin/accounts/user/{enrolled_auditor.pk}/change/").content.decode()
    assert "Sign-in security events" in change
