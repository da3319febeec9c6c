"""The managers' page that puts an audit's period on premium reporting: the form, the plan and
its schedule once started, and nobody else may open it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import Browser

from tests.audits.test_staff_accessibility import check_as
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.premium_reports.models import ReportingPlan


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_puts_the_period_on_quarterly_reporting_with_its_deposit(
    audit: Audit, manager: User
) -> None:
    client = _client(manager)
    url = f"/audits/{audit.pk}/premium-reporting/"
    assert "Start premium reporting" in client.get(url).content.decode()
    answer = client.post(url, {"frequency": "quarterly", "deposit": "$4,914.00"})
    assert answer.status_code == 302
    plan = ReportingPlan.objects.get(period=audit.period)
    assert (plan.frequency, plan.deposit, plan.started_by) == (
        "quarterly",
        Decimal("4914.00"),
        manager,
    )
    assert [(r.covers_from.isoformat(), r.due_on.isoformat()) for r in plan.reports.all()] == [
        ("2025-01-01", "2025-04-15"),
        ("2025-04-01", "2025-07-15"),
        ("2025-07-01", "2025-10-15"),
        ("2025-10-01", "2026-01-15"),
    ]
    page = client.get(url).content.decode()
    assert "the insured reports quarterly, against a deposit of $4,914" in page
    assert "<td>2025-10-01 – 2025-12-31</td><td>2026-01-15</td><td>Due</td>" in page
    assert "Start premium reporting" not in page


def test_the_audit_page_links_a_manager_to_premium_reporting(audit: Audit, manager: User) -> None:
    page = _client(manager).get(f"/audits/{audit.pk}/").content.decode()
    assert f'href="/audits/{audit.pk}/premium-reporting/"' in page


def test_a_negative_deposit_is_refused_and_nothing_is_started(audit: Audit, manager: User) -> None:
    answer = _client(manager).post(
        f"/audits/{audit.pk}/premium-reporting/", {"frequency": "monthly", "deposit": "-10"}
    )
    assert answer.status_code == 200
    assert not ReportingPlan.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "reviewer", "underwriter", "billing"])
def test_only_a_manager_opens_the_premium_reporting_page(
    audit: Audit, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = _client(user)
    url = f"/audits/{audit.pk}/premium-reporting/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"frequency": "monthly", "deposit": "100"}).status_code == 403
    assert not ReportingPlan.objects.exists()
    assert "premium-reporting" not in client.get(f"/audits/{audit.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_premium_reporting_page_is_accessible_and_fits_a_phone(
    browser: Browser, live_server: object, audit: Audit, manager: User
) -> None:
    base = str(live_server)
    url = f"/audits/{audit.pk}/premium-reporting/"
    check_as(browser, base, manager, [(url, "premium reporting form")])
    _client(manager).post(url, {"frequency": "monthly", "deposit": "1638"})
    check_as(browser, base, manager, [(url, "premium reporting plan")])
