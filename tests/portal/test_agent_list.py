"""The agent's list of the agency's audits: counted, filtered by status and paged; results read
as money returned or due, never a minus sign; classes with their descriptions; and the demo
agency's agent has an e-mail address, so the letters reach them. On a 390 px phone the list
fits the screen and passes axe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from tests.browser import assert_accessible
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, PayrollEntry
from trueup.audits.workflow import Status
from trueup.flows.demo import load_demo_book
from trueup.flows.results import audit_approve, audit_submit
from trueup.letters.services import default_recipients
from trueup.policies.models import Agent, Policy, PolicyPeriod
from trueup.web.portal.home import PER_PAGE


def _more_audits(audit: Audit, count: int) -> None:
    """More years of the same insured's policy, each with an audit scheduled."""
    insured = audit.period.policy.insured
    for n in range(count):
        policy = Policy.objects.create(insured=insured, number=f"WC-2019-{n:05}", line="WC")
        period = PolicyPeriod.objects.create(
            policy=policy, effective=date(2019, 1, 1), expiration=date(2020, 1, 1), states=["IN"]
        )
        Audit.objects.create(period=period)


def _get(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def _returned(audit: Audit, auditor: User, reviewer: User) -> Audit:
    """The example audit completed with less framing payroll than estimated: a return."""
    PayrollEntry.objects.filter(audit=audit, employee="Framing crew").update(
        gross=Decimal("300000"), overtime_total=Decimal("0")
    )
    return audit_approve(audit=audit_submit(audit=audit, by=auditor), by=reviewer)


@pytest.mark.django_db
def test_the_agents_list_is_counted_and_paged(audit: Audit, agent_user: User) -> None:
    _more_audits(audit, PER_PAGE + 2)
    first = _get(agent_user, "/portal/")
    assert PER_PAGE == 25
    assert '<p class="count" role="status">28 audits · page 1 of 2</p>' in first
    assert first.count('<li class="card">') == 25
    assert '<a class="button" href="?page=2">Next page</a>' in first
    second = _get(agent_user, "/portal/?page=2")
    assert '<p class="count" role="status">28 audits · page 2 of 2</p>' in second
    assert second.count('<li class="card">') == 3
    assert '<a class="button" href="?page=1">Previous page</a>' in second


@pytest.mark.django_db
def test_the_agents_list_is_filtered_by_status_and_the_filter_kept_across_pages(
    audit: Audit, agent_user: User
) -> None:
    _more_audits(audit, PER_PAGE + 2)
    Audit.objects.filter(pk=audit.pk).update(status=Status.IN_REVIEW)
    page = _get(agent_user, "/portal/?status=in_review")
    assert '<p class="count" role="status">1 audit</p>' in page
    assert '<option value="in_review" selected>In review</option>' in page
    assert "Hoosier Home Builders LLC · WC-2025-01001" in page
    scheduled = _get(agent_user, "/portal/?status=scheduled")
    assert '<p class="count" role="status">27 audits · page 1 of 2</p>' in scheduled
    assert 'href="?status=scheduled&amp;page=2">Next page</a>' in scheduled
    none = _get(agent_user, "/portal/?status=waived")
    assert '<p class="count" role="status">0 audits</p>' in none
    assert "There are no audits to show with that status." in none


@pytest.mark.django_db
def test_an_unknown_status_filter_shows_every_audit(audit: Audit, agent_user: User) -> None:
    page = _get(agent_user, "/portal/?status=nonsense")
    assert '<p class="count" role="status">1 audit</p>' in page
    assert '<option value="" selected' not in page


@pytest.mark.django_db
def test_a_return_reads_as_money_returned_to_you_never_a_minus(
    audit: Audit, agent_user: User, auditor: User, reviewer: User
) -> None:
    completed = _returned(audit, auditor, reviewer)
    assert completed.final_result.adjustment == Decimal("-2086.00")
    page = _get(agent_user, f"/portal/audits/{audit.pk}/")
    assert (
        '<div><dt>Return premium</dt><dd class="outcome-return">$2,086 returned to you</dd></div>'
    ) in page
    assert "IN class 5645 (Framing and carpentry on houses): $2,080.95 returned to you" in page
    assert "IN class 8810 (Office and clerical staff): $1.96 more" in page
    assert "-$" not in page


@pytest.mark.django_db
def test_classes_are_shown_with_their_descriptions(
    audit: Audit, agent_user: User, auditor: User, reviewer: User
) -> None:
    _returned(audit, auditor, reviewer)
    page = _get(agent_user, f"/portal/audits/{audit.pk}/")
    assert (
        '<label for="dispute-IN-5645">IN class 5645 (Framing and carpentry on houses): '
        "$2,080.95 returned to you</label>"
    ) in page
    assert (
        '<label for="dispute-IN-8810">IN class 8810 (Office and clerical staff): $1.96 more</label>'
    ) in page


@pytest.mark.django_db
def test_the_demo_agencys_agent_has_an_e_mail_and_receives_the_letters() -> None:
    load_demo_book(policies=60)
    agent = User.objects.get(username="agent")
    assert agent.role == Role.AGENT
    assert agent.get_full_name() == "Jordan Reyes"
    assert agent.email == "jordan.reyes@agency.example"
    assert Agent.objects.filter(agency=agent.agency, email=agent.email).exists()
    seen = Audit.objects.filter(period__policy__insured__agency=agent.agency).first()
    assert seen is not None
    assert agent.email in default_recipients(seen)


@pytest.mark.django_db(transaction=True)
def test_the_agents_list_fits_a_390_px_phone_and_passes_axe(
    browser: Browser, live_server: object, audit: Audit, agent_user: User
) -> None:
    _more_audits(audit, PER_PAGE + 2)
    agent_user.set_password("agency-desk-2025")
    agent_user.save()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "agency-desk-2025")
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Your agency's audits")
    expect(page.locator("p.count")).to_have_text("28 audits · page 1 of 2")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "agent's list")
    page.select_option("#status", "scheduled")
    page.click("button:has-text('Show')")
    expect(page.locator("p.count")).to_have_text("27 audits · page 1 of 2")
    page.click("a:has-text('Next page')")
    expect(page.locator("p.count")).to_have_text("27 audits · page 2 of 2")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "agent's list, page 2")
    context.close()
