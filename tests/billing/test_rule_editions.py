"""The dispute days are those of the billing rules in force when the dispute window opened."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trueup.audits.models import Audit
from trueup.billing import selectors as billing_selectors
from trueup.billing import services
from trueup.billing.models import Outreach
from trueup.core import ruledata

BILLING = Path(services.__file__).parent / "billing.toml"


@pytest.fixture
def ninety_days_from_march_10(monkeypatch: pytest.MonkeyPatch) -> None:
    """billing.toml with a later edition: 90 days to dispute from March 10, 2026."""
    real_load = ruledata.load
    real = real_load(BILLING)
    rules = copy.deepcopy(real.on(date(2026, 3, 10)))
    rules["disputes"]["default_days"] = 90
    later = ruledata.Edition(
        date(2026, 3, 10), "The carrier's decision to allow 90 days", "approved", rules
    )
    dated = replace(real, editions=(*real.editions, later))
    monkeypatch.setattr(
        ruledata, "load", lambda path: dated if Path(path) == BILLING else real_load(path)
    )


def test_a_later_edition_with_other_dispute_days_does_not_move_an_open_audit_s_deadline(
    approved: Audit, ninety_days_from_march_10: None, settings: pytest.FixtureRequest
) -> None:
    settings.TIME_ZONE = "America/Chicago"  # type: ignore[attr-defined]
    # The result went to the insured on March 2, 2026 (9:00 in Chicago), under the 30 days.
    opened = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    Outreach.objects.filter(audit=approved).update(opened_at=opened)
    assert approved.period.states == ["IN"]
    assert billing_selectors.dispute_days(approved) == 30
    assert billing_selectors.dispute_deadline(approved) == date(2026, 4, 1)
    # A window opened from March 10 on gets the new edition's days.
    assert billing_selectors.rules(date(2026, 3, 9))["disputes"]["default_days"] == 30
    assert billing_selectors.rules(date(2026, 3, 10))["disputes"]["default_days"] == 90
    Outreach.objects.filter(audit=approved).update(
        opened_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    )
    assert billing_selectors.dispute_days(approved) == 90
    assert billing_selectors.dispute_deadline(approved) == date(2026, 6, 8)
