"""What the portal says about dates and stages agrees with itself: a completion target already
past is not shown as a promise, a cancelled policy shows the cancellation and the part of the
term audited, the stage agrees with the records still needed, and the auditor is named by their
own name, never their login. And the site's icon is served."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from tests.portal.conftest import answers
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.core import clock
from trueup.portal.selfaudit import self_audit_submit

pytestmark = pytest.mark.django_db


def _page(user: User, audit: Audit) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/portal/audits/{audit.pk}/").content.decode()


def _home(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/portal/").content.decode()


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def test_a_completion_target_in_the_past_says_the_audit_is_late_not_a_promise(
    requested: Audit, policyholder: User
) -> None:
    past = clock.today() - timedelta(days=17)
    Audit.objects.filter(pk=requested.pk).update(due_date=past)
    page = _page(policyholder, requested)
    assert (
        f"The audit is taking longer than we planned (we aimed to complete it by {_long(past)}). "
        "We are completing it now and will write to you when it is done."
    ) in page
    assert "We aim to complete the audit by" not in page


def test_a_completion_target_still_ahead_is_shown_as_the_aim(
    requested: Audit, policyholder: User
) -> None:
    ahead = clock.today() + timedelta(days=9)
    Audit.objects.filter(pk=requested.pk).update(due_date=ahead)
    page = _page(policyholder, requested)
    assert f"We aim to complete the audit by {_long(ahead)}." in page
    assert "taking longer than we planned" not in page


def test_a_cancelled_policy_shows_the_cancellation_and_the_period_audited(
    requested: Audit, policyholder: User
) -> None:
    period = requested.period
    period.cancellation_date = date(2025, 7, 1)
    period.save()
    page = _page(policyholder, requested)
    assert "audit of the policy period Jan 1, 2025 to Jan 1, 2026" in page
    assert (
        "The policy was cancelled on Jul 1, 2025: the audit covers Jan 1, 2025 to Jul 1, 2025."
    ) in page
    assert "audit · Jan 1, 2025 to Jul 1, 2025 (cancelled Jul 1, 2025)" in _home(policyholder)


def test_a_policy_run_to_its_end_shows_no_cancellation(
    requested: Audit, policyholder: User
) -> None:
    page = _page(policyholder, requested)
    assert "cancelled" not in page
    assert "audit · Jan 1, 2025 to Jan 1, 2026</p>" in _home(policyholder)


def test_after_the_self_audit_the_stage_asks_for_the_records_still_needed(
    requested: Audit, policyholder: User
) -> None:
    self_audit_submit(audit=requested, by=policyholder, answers=answers())
    requested.refresh_from_db()
    needed = len([r for r in requested.records.all() if r.status in ("needed", "rejected")])
    assert needed == 6
    page = _page(policyholder, requested)
    assert (
        "We have your self-audit. Please upload the 6 records still needed below: we review the "
        "audit when they are in."
    ) in page
    assert '<li class="stage-current" aria-current="step">Self-audit received</li>' in page
    assert '<span class="status status-needed">6 needed</span>' in page
    assert "We have your records" not in page
    home = _home(policyholder)
    assert "Self-audit received</span>" in home
    assert "<strong>6 items needed</strong>" in home


def test_with_every_record_in_the_stage_says_we_have_them(
    requested: Audit, policyholder: User
) -> None:
    self_audit_submit(audit=requested, by=policyholder, answers=answers())
    requested.records.update(status="accepted")
    page = _page(policyholder, requested)
    assert "We have your records and will review them." in page
    assert '<li class="stage-current" aria-current="step">Records received</li>' in page
    assert "needed</span>" not in page


def test_the_auditor_is_named_by_their_own_name(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    auditor.first_name, auditor.last_name = "Avery", "Brooks"
    auditor.save()
    assert "· your auditor: Avery Brooks</p>" in _page(policyholder, requested)


def test_an_auditor_without_a_name_is_never_shown_by_their_login(
    requested: Audit, policyholder: User, auditor: User
) -> None:
    assert auditor.username == "auditor" and not auditor.get_full_name()
    page = _page(policyholder, requested)
    assert "your auditor:" not in page
    assert "Messages with your auditor" in page


def test_the_site_icon_is_served_where_browsers_look_for_it() -> None:
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/x-icon"
    assert answer.content[:4] == b"\x00\x00\x01\x00"


def test_every_page_links_the_icon(requested: Audit, policyholder: User) -> None:
    link = '<link rel="icon" href="/static/trueup/favicon.ico" sizes="16x16 32x32">'
    assert link in _page(policyholder, requested)
    assert link in Client().get("/login/").content.decode()
