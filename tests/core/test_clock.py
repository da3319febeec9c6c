"""The one clock: today is the carrier's, in its time zone; times are stored in UTC."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from freezegun import freeze_time

from trueup.core import clock

ROOT = Path(__file__).parents[2]


@pytest.fixture
def chicago(settings: pytest.FixtureRequest) -> None:
    settings.TIME_ZONE = "America/Chicago"  # type: ignore[attr-defined]


@freeze_time("2026-06-02 01:30:00")
def test_in_a_us_evening_today_is_still_the_carrier_s_day_while_utc_has_moved_on(
    chicago: None,
) -> None:
    # 01:30 UTC on June 2 is 20:30 on June 1 in Chicago (daylight time, UTC-5).
    assert clock.today() == date(2026, 6, 1)
    assert clock.now() == datetime(2026, 6, 2, 1, 30, tzinfo=UTC)


@freeze_time("2026-12-03 05:59:59")
def test_the_carrier_s_day_turns_at_its_own_midnight(chicago: None) -> None:
    # Standard time in December: Chicago is UTC-6, so its midnight is 06:00 UTC.
    assert clock.today() == date(2026, 12, 2)
    with freeze_time("2026-12-03 06:00:00"):
        assert clock.today() == date(2026, 12, 3)


def time_zone_with(env: dict[str, str]) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "TRUEUP_TIME_ZONE"} | env
    # The real settings: the tests' own pin the zone.
    environ["DJANGO_SETTINGS_MODULE"] = "trueup.settings"
    environ["TRUEUP_SECRET_KEY"] = "tests-and-type-checks-only-" + "k" * 40
    environ["PYTHONPATH"] = str(ROOT)
    code = "from django.conf import settings; print(settings.TIME_ZONE, settings.USE_TZ)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_time_zone_is_the_us_central_one_unless_the_environment_names_another() -> None:
    # The suite itself runs in the default zone, whatever the environment says.
    assert settings.TIME_ZONE == "America/Chicago"
    assert time_zone_with({}) == "America/Chicago True"
    assert time_zone_with({"TRUEUP_TIME_ZONE": "America/New_York"}) == "America/New_York True"
