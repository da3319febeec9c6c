"""``premium_reports.toml``: how often a reporting policy reports, when a report is due, the
reminders of a late one and the trend rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.core import clock, ruledata


def rules(on: date | None = None) -> dict[str, Any]:
    """The rules in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "premium_reports.toml").on(on or clock.today())


def months_per_report(frequency: str, on: date | None = None) -> int:
    return int(rules(on)["frequencies"]["months"][frequency])


def trend_band(on: date | None = None) -> tuple[Decimal, Decimal, int]:
    """The band (low and high percent) and the days of the term after which it applies."""
    trend = rules(on)["trend"]
    return Decimal(trend["low_percent"]), Decimal(trend["high_percent"]), int(trend["after_days"])
