"""An officer excluded at audit: kept excluded on the renewal, the class's estimate settled on
its figure after the exclusion moves the officer's pay out of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.renewals.conftest import Terms
from trueup.accounts.models import User
from trueup.audits.models import Audit, OwnerEntry
from trueup.endorsements.models import Endorsement
from trueup.renewals.services import recommendation_accept, recommendation_make


@pytest.fixture
def excluded(audit: Audit) -> OwnerEntry:
    return OwnerEntry.objects.create(
        audit=audit,
        name="Dana Hoosier",
        role="executive_officer",
        state="IN",
        class_code="8810",
        actual_pay=Decimal(50000),
        coverage="excluded",
    )


def test_an_officer_excluded_at_audit_is_recommended_excluded_on_the_renewal(
    excluded: OwnerEntry, terms: Terms
) -> None:
    lines = {line["key"]: line for line in recommendation_make(audit=terms.second).lines}
    officer = lines["officer Dana Hoosier"]
    assert officer["action"] == "officer_exclude"
    assert Decimal(officer["recommended"]) == Decimal(50000)
    assert officer["why"] == (
        "Dana Hoosier (executive officer, 8810 in IN) was excluded by endorsement at the audit "
        "of 2025–2026; recommended excluding them on the renewal too."
    )
    # The excluded officer's pay is not audited exposure: 8810 is as without them.
    assert lines["IN 8810"]["audited"] == ["60000.00", "61250.00"]


def test_accepting_excludes_the_officer_and_keeps_the_office_estimate(
    excluded: OwnerEntry, terms: Terms, manager: User
) -> None:
    recommendation_accept(recommendation=recommendation_make(audit=terms.second), by=manager)
    made = [
        (e.kind, e.change)
        for e in Endorsement.objects.filter(period=terms.renewal, status="issued").order_by("id")
    ]
    assert made == [
        ("class_add", {"state": "IN", "class": "5190", "exposure": "30000"}),
        (
            "officer_exclude",
            {"state": "IN", "class": "8810", "name": "Dana Hoosier", "payroll": "50000.00"},
        ),
        ("exposure_change", {"state": "IN", "class": "5645", "exposure": "480200"}),
        ("exposure_change", {"state": "IN", "class": "8810", "exposure": "62000.00"}),
        ("class_remove", {"state": "IN", "class": "8742"}),
    ]
    assert terms.renewal.estimates.get(class_code="8810").exposure == Decimal("62000.00")
