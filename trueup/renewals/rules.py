"""``renewals.toml``: how the next term's estimate is recommended from the audited terms."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trueup.core import clock, ruledata


def rules(on: date | None = None) -> dict[str, Any]:
    """The rules in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "renewals.toml").on(on or clock.today())
