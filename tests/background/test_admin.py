"""The admin offers to re-rate the open audits after a rate table is put in use, and shows how
far a re-rating has got."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.reference.test_reference import demo_rates_with
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, RerateBatch, ResultSnapshot
from trueup.reference.models import RateTableVersion


@pytest.fixture
def admin_client(db: None) -> tuple[Client, User]:
    user = User.objects.create(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def test_putting_a_table_in_use_offers_to_rerate_the_open_audits_and_shows_the_progress(
    admin_client: tuple[Client, User], audit: Audit, django_capture_on_commit_callbacks
) -> None:
    client, user = admin_client
    version = RateTableVersion.objects.create(
        name="in-2026", source="filing", csv_text=demo_rates_with("7.000")
    )
    answer = client.post(
        "/admin/reference/ratetableversion/",
        {"action": "put_in_use", "_selected_action": [version.pk]},
        follow=True,
    )
    assert 'href="/admin/audits/reratebatch/start/">Re-rate 1 open audits</a>' in (
        answer.content.decode()
    )

    page = client.get("/admin/audits/reratebatch/start/").content.decode()
    assert "The rate table in use is <strong>in-2026</strong>." in page
    assert 'value="Re-rate 1 open audits"' in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/admin/audits/reratebatch/start/", follow=True)
    batch = RerateBatch.objects.get()
    assert (batch.rate_table, batch.started_by, batch.total) == (version, user, 1)
    snapshot = ResultSnapshot.objects.get(audit=audit)
    assert snapshot.rates_version.startswith("in-2026-")
    # 5645 at 7.000 instead of the demo's 6.298: more than the demo rates' $24,230.00.
    assert snapshot.audited_premium > Decimal("24230.00")
    assert "Re-rating 1 open audits; progress is shown here." in answer.content.decode()

    listing = client.get("/admin/audits/reratebatch/").content.decode()
    assert '<td class="field-progress">1 / 1</td>' in listing


def test_only_those_who_may_put_rate_tables_in_use_may_start_a_rerating(audit: Audit) -> None:
    user = User.objects.create(username="staff", role=Role.MANAGER, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.post("/admin/audits/reratebatch/start/").status_code == 403
    assert RerateBatch.objects.count() == 0
