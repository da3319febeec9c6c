"""``reporting.toml``: the figures the metrics count against (days, age bands, the variance
band, the default window). Read by the metrics, the queues and the pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trueup.core import clock, ruledata


def rules(on: date | None = None) -> dict[str, Any]:
    """The rules in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "reporting.toml").on(on or clock.today())
