"""Who reaches the queues at all: policyholders and agents never do, nor someone not signed in;
the navigation shows each staff member the queues their role opens, and only those."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.audits.conftest import make_user
from tests.queues.conftest import client_of
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.flows import queues

PAGES = {
    "review": "/queues/review/",
    "billing": "/queues/billing/",
    "underwriting": "/queues/underwriting/",
    "mine": "/queues/mine/",
}
LINKS = {
    "review": "Review queue",
    "billing": "Billing queue",
    "underwriting": "Referrals",
    "mine": "My work",
}


def test_someone_not_signed_in_is_sent_to_sign_in(client: Client, db: None) -> None:
    for path in PAGES.values():
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/login/"), path


def test_policyholders_and_agents_never_reach_a_queue(
    audit: Audit, policyholder: User, agent_user: User
) -> None:
    for user in (policyholder, agent_user):
        client = client_of(user)
        for path in PAGES.values():
            assert client.get(path).status_code == 403, (user.role, path)
        assert client.post("/queues/billing/1/delivered/").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.REVIEWER, Role.MANAGER, Role.BILLING, Role.UNDERWRITER, Role.ADMIN]
)
def test_each_staff_role_sees_links_to_exactly_the_queues_it_opens(db: None, role: str) -> None:
    user = make_user(f"a-{role}", role)
    client = client_of(user)
    home = client.get(PAGES["mine"] if queues.may_open(user, "mine") else "/audits/")
    nav = home.content.decode().split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for queue, path in PAGES.items():
        opens = queues.may_open(user, queue)
        assert (client.get(path).status_code == 200) is opens, (role, queue)
        assert (f'href="{path}">{LINKS[queue]}</a>' in nav) is opens, (role, queue)


def test_the_queues_by_role() -> None:
    assert {q: sorted(roles) for q, roles in queues.QUEUE_ROLES.items()} == {
        "review": ["admin", "manager", "reviewer"],
        "billing": ["admin", "billing", "manager"],
        "underwriting": ["admin", "manager", "underwriter"],
        "mine": ["admin", "auditor", "manager", "reviewer"],
    }
