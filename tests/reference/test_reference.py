"""Reference data: rate tables checked and put in use from the admin; schedule patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from trueup.accounts.models import Role, User
from trueup.audits import services
from trueup.audits.models import Audit
from trueup.audits.scheduling import plan_for
from trueup.rating.rates import DEMO_RATES
from trueup.reference.models import RateTableStatus, RateTableVersion, SchedulePattern
from trueup.reference.selectors import rates_in_use
from trueup.reference.services import InvalidRateTable, rate_table_activate

HEADER = "state,line,class,basis,effective,rate,minimum_premium,description,status\n"


def demo_rates_with(rate_5645: str) -> str:
    """The demo table with Indiana's 5645 rate changed."""
    lines = DEMO_RATES.read_text().splitlines()
    changed = [
        ",".join([*row.split(",")[:5], rate_5645, *row.split(",")[6:]])
        if row.startswith("IN,WC,5645,")
        else row
        for row in lines
    ]
    return "\n".join(changed) + "\n"


@pytest.fixture
def admin_client(db: None) -> tuple[Client, User]:
    user = User.objects.create(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def test_an_audit_is_rated_with_the_rate_table_in_use(audit: Audit, manager: User) -> None:
    assert services.audit_rate(audit=audit, by=manager).audited_premium == Decimal("24230.00")
    version = RateTableVersion.objects.create(
        name="in-wc-2025-filed", source="carrier filing (test)", csv_text=demo_rates_with("7.000")
    )
    rate_table_activate(version=version, by=manager)
    snapshot = services.audit_rate(audit=audit, by=manager)
    assert snapshot.rates_version.startswith("in-wc-2025-filed-")
    # 5645 at 7.000 instead of 6.298: the audited premium rises.
    assert snapshot.audited_premium > Decimal("24230.00")
    assert rates_in_use().version == snapshot.rates_version


def test_putting_a_table_in_use_retires_the_one_before(manager: User) -> None:
    first = RateTableVersion.objects.create(name="a", source="s", csv_text=demo_rates_with("7"))
    second = RateTableVersion.objects.create(name="b", source="s", csv_text=demo_rates_with("8"))
    rate_table_activate(version=first, by=manager)
    rate_table_activate(version=second, by=manager)
    first.refresh_from_db()
    assert (first.status, second.status) == (RateTableStatus.RETIRED, RateTableStatus.ACTIVE)


def test_a_malformed_table_is_refused_naming_row_and_column(manager: User) -> None:
    bad = RateTableVersion.objects.create(
        name="bad", source="s", csv_text=HEADER + "IN,WC,5645,payroll,2025-01-01,six,,,published\n"
    )
    with pytest.raises(InvalidRateTable, match="bad row 2, column rate: 'six' is not a number"):
        rate_table_activate(version=bad, by=manager)
    bad.refresh_from_db()
    assert bad.status == RateTableStatus.DRAFT
    assert rates_in_use().version.startswith("demo_rates-")


def test_the_admin_refuses_a_table_the_engine_cannot_read(
    admin_client: tuple[Client, User],
) -> None:
    client, _ = admin_client
    answer = client.post(
        "/admin/reference/ratetableversion/add/",
        {"name": "x", "source": "s", "csv_text": HEADER + "IN,WC,5645,acres,2025-01-01,1,,,\n"},
    )
    assert answer.status_code == 200
    assert "column basis: &#x27;acres&#x27; is not one of" in answer.content.decode()
    assert not RateTableVersion.objects.exists()


def test_the_admin_adds_and_puts_a_table_in_use(admin_client: tuple[Client, User]) -> None:
    client, user = admin_client
    client.post(
        "/admin/reference/ratetableversion/add/",
        {"name": "in-2026", "source": "filing", "csv_text": demo_rates_with("7.1")},
    )
    version = RateTableVersion.objects.get()
    assert version.created_by == user
    client.post(
        "/admin/reference/ratetableversion/",
        {"action": "put_in_use", "_selected_action": [version.pk]},
    )
    version.refresh_from_db()
    assert version.status == RateTableStatus.ACTIVE


def test_schedule_patterns_are_data_edited_in_the_admin(audit: Audit) -> None:
    period = audit.period  # ended 2026-01-01
    assert plan_for(period).due_date == date(2026, 3, 2)
    SchedulePattern.objects.filter(audit_type="final").update(due_after_days=45)
    assert plan_for(period).due_date == date(2026, 2, 15)
    assert SchedulePattern.objects.get(audit_type="cancellation").rush is True
