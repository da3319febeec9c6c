"""The renewal pages: the underwriter and managers decide; every other role is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.renewals.conftest import Terms
from trueup.accounts.models import User
from trueup.endorsements.models import Endorsement
from trueup.renewals.models import RenewalRecommendation
from trueup.renewals.services import recommendation_make


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def made(terms: Terms) -> RenewalRecommendation:
    return recommendation_make(audit=terms.second)


def _form(made: RenewalRecommendation, **figures: str) -> dict[str, str]:
    """Every change ticked, each exposure at its recommended figure unless given."""
    data = {"reason": ""}
    for n, line in enumerate(made.lines):
        if line["action"]:
            data[f"include-{n}"] = "1"
        if line["topic"] == "exposure":
            data[f"figure-{n}"] = figures.get(line["key"].replace(" ", "_"), line["recommended"])
    return data


def test_the_underwriter_sees_each_line_with_its_reason(
    made: RenewalRecommendation, underwriter: User
) -> None:
    page = _client(underwriter).get(f"/renewals/{made.pk}/")
    assert page.status_code == 200
    assert (
        "Payroll in 5645 (IN) grew 25 % over two audits: $350,000 → $436,500"
        in page.content.decode()
    )
    listing = _client(underwriter).get("/renewals/")
    assert f"/renewals/{made.pk}/" in listing.content.decode()


@pytest.mark.parametrize(
    "persona", ["auditor", "reviewer", "billing", "policyholder", "agent_user"]
)
def test_other_roles_may_not_open_or_decide_a_recommendation(
    made: RenewalRecommendation, persona: str, request: pytest.FixtureRequest
) -> None:
    client = _client(request.getfixturevalue(persona))
    assert client.get("/renewals/").status_code == 403
    assert client.get(f"/renewals/{made.pk}/").status_code == 403
    assert client.post(f"/renewals/{made.pk}/accept/", _form(made)).status_code == 403
    assert client.post(f"/renewals/{made.pk}/reject/", {"reason": "no"}).status_code == 403
    made.refresh_from_db()
    assert made.status == "proposed"


def test_a_manager_accepts_with_an_edited_figure(
    terms: Terms, made: RenewalRecommendation, manager: User
) -> None:
    answer = _client(manager).post(
        f"/renewals/{made.pk}/accept/", _form(made, IN_5645="455,000"), follow=True
    )
    assert "Accepted with the underwriter&#x27;s figures: 3 endorsement(s) issued" in (
        answer.content.decode()
    )
    change = Endorsement.objects.get(kind="exposure_change")
    assert change.change == {"state": "IN", "class": "5645", "exposure": "455000"}


def test_a_bad_figure_is_refused_naming_its_line(
    made: RenewalRecommendation, manager: User
) -> None:
    answer = _client(manager).post(
        f"/renewals/{made.pk}/accept/", _form(made, IN_5645="-5"), follow=True
    )
    assert (
        "Not accepted: line IN 5645 (class 5645 in IN): the recommended exposure &#x27;-5&#x27; "
        "cannot be negative"
    ) in answer.content.decode()
    made.refresh_from_db()
    assert made.status == "proposed"


def test_a_completed_audit_gets_its_recommendation_from_the_list(
    terms: Terms, underwriter: User
) -> None:
    # Completed before recommendations were made on completion: it waits on the list.
    RenewalRecommendation.objects.filter(audit=terms.second).delete()
    client = _client(underwriter)
    assert f"/renewals/audits/{terms.second.pk}/" in client.get("/renewals/").content.decode()
    answer = client.post(f"/renewals/audits/{terms.second.pk}/")
    made = RenewalRecommendation.objects.get(audit=terms.second)
    assert answer.status_code == 302
    assert answer["Location"] == f"/renewals/{made.pk}/"


@pytest.mark.parametrize("persona", ["underwriter", "manager", "admin_user"])
def test_the_renewals_link_is_in_the_navigation_of_those_who_decide_them(
    persona: str, request: pytest.FixtureRequest
) -> None:
    page = _client(request.getfixturevalue(persona)).get("/audits/").content.decode()
    assert '<a href="/renewals/">Renewals</a>' in page


@pytest.mark.parametrize("persona", ["auditor", "reviewer", "billing"])
def test_the_renewals_link_is_not_offered_to_other_staff(
    persona: str, request: pytest.FixtureRequest
) -> None:
    page = _client(request.getfixturevalue(persona)).get("/audits/").content.decode()
    assert '<a href="/renewals/">Renewals</a>' not in page


def test_the_underwriter_role_is_named_without_read_only(underwriter: User) -> None:
    assert underwriter.get_role_display() == "Underwriter"
