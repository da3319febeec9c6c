"""``letters.toml``: when reminders go out, and what a policy change must reach to be worth a
letter. Read by the reminders and by the letters' own services."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trueup.core import clock, ruledata


def rules(on: date | None = None) -> dict[str, Any]:
    """The rules in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "letters.toml").on(on or clock.today())
