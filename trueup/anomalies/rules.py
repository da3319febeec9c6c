"""``anomalies.toml``: each flag's title, threshold and source, and the pay norms by class."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from trueup.core import ruledata

RULES = Path(__file__).with_name("anomalies.toml")


def rules(on: date) -> dict[str, Any]:
    """The flags' rules in force on the day (the end of the audited term)."""
    return ruledata.load(RULES).on(on)
