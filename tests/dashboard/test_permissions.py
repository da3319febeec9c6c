"""Who reaches the department's figures: managers, reviewers and administrators; no other staff
role, no vendor firm's auditor, and never a policyholder or an agent."""

from __future__ import annotations

import pytest
from django.test import Client

from trueup.core import clock
from trueup.reporting.metrics import dashboard, default_filters

ALLOWED = ("manager", "reviewer", "admin_user")
REFUSED = ("auditor", "billing", "underwriter", "vendor_auditor", "policyholder", "agent_user")
PAGES = ("/dashboard/", "/metrics/", "/reports/")


def table_key() -> str:
    board = dashboard(default_filters(clock.today()))
    tables = [t.key for t in board.tables] + [c.table.key for c in board.charts]
    assert tables, "the figures have tables to export"
    return tables[0]


def client_of(request: pytest.FixtureRequest, persona: str) -> Client:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", ALLOWED)
def test_managers_reviewers_and_administrators_see_the_figures_and_their_exports(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client = client_of(request, persona)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    key = table_key()
    assert client.get(f"/reports/{key}.csv").status_code == 200
    assert client.get(f"/reports/{key}.xlsx").status_code == 200


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_else_is_refused_the_figures_and_their_exports(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client = client_of(request, persona)
    key = table_key()
    for path in (*PAGES, f"/reports/{key}.csv", f"/reports/{key}.xlsx"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("persona", REFUSED)
def test_the_dashboard_is_not_in_the_menu_of_those_refused_it(
    request: pytest.FixtureRequest, persona: str
) -> None:
    page = client_of(request, persona).get("/", follow=True).content.decode()
    assert 'href="/dashboard/"' not in page


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_dashboard_is_in_the_menu_of_those_who_may_see_it(
    request: pytest.FixtureRequest, persona: str
) -> None:
    page = client_of(request, persona).get("/audits/").content.decode()
    assert '<a href="/dashboard/">Dashboard</a>' in page


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    client = Client()
    for path in (*PAGES, "/reports/backlog.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_a_table_that_does_not_exist_or_a_file_of_another_kind_is_not_found(
    request: pytest.FixtureRequest,
) -> None:
    client = client_of(request, "manager")
    assert client.get("/reports/no-such-table.csv").status_code == 404
    assert client.get(f"/reports/{table_key()}.pdf").status_code == 404
