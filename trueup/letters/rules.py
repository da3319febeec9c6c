"""``letters.toml``: when reminders go out, and what a policy change must reach to be worth a
letter. Read by the reminders and by the letters' own services."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any


@cache
def rules() -> dict[str, Any]:
    with (Path(__file__).parent / "letters.toml").open("rb") as f:
        return tomllib.load(f)
