"""Invitations (token by e-mail, PIN by letter), their single use, expiry, throttling and lockout;
delegated access and its revoking; agents scoped to their agency; the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.portal.conftest import GOOD_PASSWORD
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, AuditEdit
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.core.errors import InvalidInput
from trueup.flows import results
from trueup.policies.models import Agency, Insured, Policy, PolicyPeriod
from trueup.portal.access import insureds_for, portal_audits
from trueup.portal.models import AccessLog, Invitation, PortalAccess
from trueup.portal.services import (
    InvitationRefused,
    IssuedInvitation,
    PortalRefused,
    delegate_invite,
    delegate_revoke,
    invitation_redeem,
)


def _redeem(issued: IssuedInvitation, pin: str | None = None, username: str = "dana") -> User:
    return invitation_redeem(
        token=issued.token,
        pin=issued.pin if pin is None else pin,
        username=username,
        password=GOOD_PASSWORD,
        password_again=GOOD_PASSWORD,
    )


def _wrong(issued: IssuedInvitation) -> str:
    return "000000" if issued.pin != "000000" else "111111"


def test_requesting_records_e_mails_the_insured_a_link_and_puts_the_pin_in_the_letter(
    requested: Audit,
) -> None:
    invitation = Invitation.objects.get(audit=requested)
    assert invitation.email == "dana@hoosier.example"
    assert invitation.kind == "owner"
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=30)) < timedelta(seconds=5)
    [sent] = [m for m in mail.outbox if m.to == ["dana@hoosier.example"]]
    assert "/portal/invitations/" in sent.body
    assert invitation.reference in sent.body
    # The PIN never travels with the link: it is in the letter, which goes by post.
    assert "PIN:" not in sent.body
    assert f"Temporary ID: {invitation.reference}" in invitation.letter
    pin_line = next(line for line in invitation.letter.splitlines() if "PIN:" in line)
    pin = pin_line.split("PIN:")[1].strip()
    assert len(pin) == 6 and pin.isdigit()
    assert pin not in sent.body
    # Only hashes are kept.
    assert pin not in invitation.pin_hash
    assert AuditEdit.objects.filter(
        audit=requested,
        summary=f"portal invitation {invitation.reference} sent to dana@hoosier.example",
    ).exists()


def test_an_insured_without_an_e_mail_address_gets_no_invitation_and_the_history_says_so(
    audit: Audit, auditor: User
) -> None:
    results.audit_request_records(audit=audit, by=auditor)
    assert not Invitation.objects.exists()
    assert AuditEdit.objects.filter(
        summary="no portal invitation: the insured has no contact e-mail"
    ).exists()


def test_redeeming_the_link_with_the_pin_creates_a_login_scoped_to_the_insured(
    invited: IssuedInvitation, requested: Audit
) -> None:
    user = _redeem(invited)
    assert user.role == Role.INSURED
    assert user.email == "dana@hoosier.example"
    assert user.check_password(GOOD_PASSWORD)
    assert list(insureds_for(user)) == [requested.period.policy.insured]
    assert list(portal_audits(user)) == [requested]
    invitation = Invitation.objects.get(pk=invited.invitation.pk)
    assert invitation.redeemed_by == user
    assert AccessLog.objects.filter(invitation=invitation, event="redeemed", user=user).exists()


def test_a_used_link_is_refused_the_second_time(invited: IssuedInvitation) -> None:
    _redeem(invited)
    with pytest.raises(InvitationRefused, match="already been used"):
        _redeem(invited, username="someone-else")
    assert User.objects.filter(role=Role.INSURED).count() == 1


def test_an_expired_link_is_refused(invited: IssuedInvitation) -> None:
    Invitation.objects.filter(pk=invited.invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(InvitationRefused, match="expired"):
        _redeem(invited)
    assert not User.objects.filter(role=Role.INSURED).exists()


def test_a_link_replaced_by_a_newer_invitation_is_refused(
    invited: IssuedInvitation, requested: Audit, auditor: User
) -> None:
    from trueup.portal.services import invitation_issue

    newer = invitation_issue(audit=requested, by=auditor)
    assert newer is not None
    with pytest.raises(InvitationRefused, match="newer invitation"):
        _redeem(invited)
    assert _redeem(newer).role == Role.INSURED


def test_an_unknown_token_is_refused(invited: IssuedInvitation) -> None:
    with pytest.raises(InvitationRefused, match="not a valid invitation"):
        invitation_redeem(token="x" * 43, pin=invited.pin, username="dana", password="p")


def test_a_wrong_pin_is_counted_and_the_next_try_must_wait(invited: IssuedInvitation) -> None:
    with pytest.raises(InvalidInput) as refused:
        _redeem(invited, pin=_wrong(invited))
    assert [p.path for p in refused.value.problems] == ["pin"]
    assert refused.value.problems[0].reason == (
        "That PIN is not right. Wait 30 seconds before the next try: 4 tries left before the link "
        "locks."
    )
    invitation = Invitation.objects.get(pk=invited.invitation.pk)
    assert invitation.failed_attempts == 1
    assert invitation.next_attempt_at is not None
    wait = invitation.next_attempt_at - timezone.now()
    assert timedelta(seconds=28) < wait <= timedelta(seconds=30)
    # Even the right PIN waits: guessing cannot go faster than the throttle. The refusal is a
    # problem with the PIN, so the page keeps the form.
    with pytest.raises(InvalidInput, match=r"Wait \d+ seconds? before the next try"):
        _redeem(invited)
    assert AccessLog.objects.filter(event="pin_wrong").count() == 1


def test_five_wrong_pins_lock_the_invitation_for_good(invited: IssuedInvitation) -> None:
    for attempt in range(1, 6):
        # Let the throttle's wait pass, as a patient guesser would.
        Invitation.objects.filter(pk=invited.invitation.pk).update(next_attempt_at=None)
        if attempt < 5:
            with pytest.raises(InvalidInput):
                _redeem(invited, pin=_wrong(invited))
        else:
            with pytest.raises(InvitationRefused, match="locked"):
                _redeem(invited, pin=_wrong(invited))
    invitation = Invitation.objects.get(pk=invited.invitation.pk)
    assert invitation.failed_attempts == 5
    assert invitation.locked_at is not None
    with pytest.raises(InvitationRefused, match="locked"):
        _redeem(invited)
    assert not User.objects.filter(role=Role.INSURED).exists()
    assert AccessLog.objects.filter(event="pin_locked").count() == 1


def test_account_mistakes_do_not_use_up_pin_tries(invited: IssuedInvitation) -> None:
    with pytest.raises(InvalidInput) as refused:
        invitation_redeem(
            token=invited.token,
            pin=_wrong(invited),
            username="dana",
            password="short",
            password_again="different",
        )
    assert [p.path for p in refused.value.problems] == ["password_again"]
    with pytest.raises(InvalidInput) as refused:
        invitation_redeem(
            token=invited.token,
            pin=invited.pin,
            username="dana",
            password="12345678901",
            password_again="12345678901",
        )
    assert "This password is entirely numeric." in [p.reason for p in refused.value.problems]
    assert Invitation.objects.get(pk=invited.invitation.pk).failed_attempts == 0


def test_the_invitation_page_signs_the_insured_in_and_logs_each_step(
    invited: IssuedInvitation, requested: Audit
) -> None:
    client = Client()
    url = f"/portal/invitations/{invited.token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert invited.invitation.reference in page.content.decode()
    wrong = client.post(
        url,
        {
            "pin": _wrong(invited),
            "username": "dana",
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
        },
    )
    assert wrong.status_code == 422
    assert "4 tries left" in wrong.content.decode()
    Invitation.objects.filter(pk=invited.invitation.pk).update(next_attempt_at=None)
    answer = client.post(
        url,
        {
            "pin": invited.pin,
            "username": "dana",
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/portal/"
    home = client.get("/portal/")
    assert "Hoosier Home Builders LLC" in home.content.decode()
    again = Client().get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    events = list(AccessLog.objects.order_by("id").values_list("event", "status"))
    assert events == [
        ("invitation_opened", 200),
        ("pin_wrong", 403),
        ("redeemed", 200),
        ("home", 200),
        ("invitation_used", 410),
    ]


def test_every_portal_page_view_is_logged_with_the_user_the_audit_and_the_address(
    policyholder: User, audit: Audit
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(policyholder)
    assert client.get(f"/portal/audits/{audit.pk}/").status_code == 200
    assert client.get(f"/portal/audits/{audit.pk + 999}/").status_code == 404
    rows = list(AccessLog.objects.order_by("id"))
    assert [(r.user, r.audit, r.path, r.status, r.ip) for r in rows] == [
        (policyholder, audit, f"/portal/audits/{audit.pk}/", 200, "203.0.113.9"),
        (policyholder, None, f"/portal/audits/{audit.pk + 999}/", 404, "203.0.113.9"),
    ]


def test_the_policyholder_delegates_to_a_bookkeeper_and_revokes_the_access(
    invited: IssuedInvitation, requested: Audit
) -> None:
    owner = _redeem(invited)
    insured = requested.period.policy.insured
    issued = delegate_invite(insured=insured, by=owner, name="Casey CPA", email="casey@cpa.example")
    [sent] = mail.outbox[-1:]
    assert sent.to == ["casey@cpa.example"]
    assert issued.pin not in sent.body
    bookkeeper = invitation_redeem(
        token=issued.token,
        pin=issued.pin,
        username="casey",
        password=GOOD_PASSWORD,
        password_again=GOOD_PASSWORD,
    )
    access = PortalAccess.objects.get(user=bookkeeper)
    assert access.kind == "delegate"
    assert access.granted_by == owner
    assert list(portal_audits(bookkeeper)) == [requested]
    # A delegate cannot pass access on, nor take the owner's away.
    with pytest.raises(PortalRefused, match="Only the policyholder"):
        delegate_invite(insured=insured, by=bookkeeper, name="X", email="x@example.com")
    with pytest.raises(PortalRefused, match="Only the policyholder"):
        delegate_revoke(access=PortalAccess.objects.get(user=owner), by=bookkeeper)
    delegate_revoke(access=access, by=owner)
    assert list(portal_audits(bookkeeper)) == []
    access.refresh_from_db()
    assert access.revoked_by == owner
    client = Client()
    client.force_login(bookkeeper)
    assert client.get(f"/portal/audits/{requested.pk}/").status_code == 404


def test_the_access_page_shows_the_pin_once_and_revokes_from_a_button(
    invited: IssuedInvitation, requested: Audit
) -> None:
    owner = _redeem(invited)
    client = Client()
    client.force_login(owner)
    bad = client.post(
        "/portal/access/",
        {
            "action": "invite",
            "insured": requested.period.policy.insured_id,
            "name": "",
            "email": "not-an-address",
        },
    )
    assert bad.status_code == 422
    assert "give the person&#x27;s name" in bad.content.decode()
    assert "enter a valid e-mail address" in bad.content.decode()
    page = client.post(
        "/portal/access/",
        {
            "action": "invite",
            "insured": requested.period.policy.insured_id,
            "name": "Casey CPA",
            "email": "casey@cpa.example",
        },
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Invitation sent to casey@cpa.example" in body
    pending = Invitation.objects.get(email="casey@cpa.example")
    withdrawn = client.post("/portal/access/", {"action": "withdraw", "invitation": pending.pk})
    assert withdrawn.status_code == 302
    pending.refresh_from_db()
    assert pending.withdrawn_at is not None


def test_an_agent_sees_only_the_agencys_insureds(agent_user: User, audit: Audit) -> None:
    other_agency = Agency.objects.create(code="TS", name="Tri-State Insurance Agency")
    other = Insured.objects.create(name="Other Co", entity_type="llc", agency=other_agency)
    policy = Policy.objects.create(insured=other, number="WC-OTHER", line="WC")
    period = PolicyPeriod.objects.create(
        policy=policy,
        effective=audit.period.effective,
        expiration=audit.period.expiration,
        states=["IN"],
    )
    theirs = Audit.objects.create(period=period)
    assert list(portal_audits(agent_user)) == [audit]
    client = Client()
    client.force_login(agent_user)
    assert client.get(f"/portal/audits/{audit.pk}/").status_code == 200
    assert client.get(f"/portal/audits/{theirs.pk}/").status_code == 404
    assert "Other Co" not in client.get("/portal/").content.decode()


def test_an_agent_without_an_agency_sees_nothing(db: None) -> None:
    agent = User.objects.create(username="lone-agent", role=Role.AGENT)
    assert not insureds_for(agent).exists()


def test_an_agent_asks_for_the_worksheet_and_the_auditor_is_told(
    agent_user: User, requested: Audit
) -> None:
    client = Client()
    client.force_login(agent_user)
    mail.outbox.clear()
    answer = client.post(f"/portal/audits/{requested.pk}/worksheet-request/")
    assert answer.status_code == 302
    message = requested.messages.get()
    assert message.body == "agent asked for the audit worksheet when the audit is completed."
    assert [m.to for m in mail.outbox] == [["auditor@trueup.example"]]


def test_staff_are_sent_to_the_workbench_and_portal_users_to_the_portal(
    policyholder: User, auditor: User
) -> None:
    client = Client()
    client.force_login(policyholder)
    assert client.get("/")["Location"] == "/portal/"
    client.force_login(auditor)
    assert client.get("/")["Location"] == "/audits/"
    assert client.get("/portal/").status_code == 403


def test_a_waived_audit_tells_the_insured_the_request_window_schedule_toml_sets(
    audit: Audit, policyholder: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(scheduling_rules()["waiver"], "request_window_days", 90)
    Audit.objects.filter(pk=audit.pk).update(status="waived")
    client = Client()
    client.force_login(policyholder)
    page = client.get(f"/portal/audits/{audit.pk}/").content.decode()
    assert (
        "This audit was waived: the estimated premium stands. You may ask for an audit within "
        "90 days of the waiver."
    ) in page
