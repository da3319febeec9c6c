"""Mapping profiles and remuneration categories, read from the TOML files beside this module."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from trueup.payroll.ingest.readers import RegisterError, normalise

HERE = Path(__file__).parent
FIELDS = (
    "employee",
    "employee_id",
    "state",
    "class_code",
    "check_date",
    "period_start",
    "period_end",
    "code",
    "amount",
    "officer",
    # For registers without a class or state: what the insured's mapping assigns them by.
    "department",
    "job",
    "location",
    # A pay period written as one cell ("06/27/2025 - 07/10/2025").
    "pay_period",
)


@dataclass(frozen=True)
class Category:
    key: str
    field: str  # the engine's payroll field it fills; "" for amounts that are not pay
    in_gross: bool
    deduction: bool = False  # printed negative on many registers: its size is what counts


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    shape: str  # "wide" or "long"
    detect: tuple[str, ...]
    date_formats: tuple[str, ...]
    columns: Mapping[str, str]  # TrueUp field → the export's header
    earnings: Mapping[str, str] = field(default_factory=dict)  # wide: header → category
    codes: Mapping[str, str] = field(default_factory=dict)  # long: earnings code → category

    def matches(self, headers: Iterable[str]) -> bool:
        present = {normalise(h) for h in headers}
        return all(normalise(h) in present for h in self.detect)


@cache
def categories() -> dict[str, Category]:
    data = tomllib.loads((HERE / "categories.toml").read_text())
    return {
        key: Category(key, value["field"], bool(value["in_gross"]), bool(value.get("deduction")))
        for key, value in data["categories"].items()
    }


def _profile(key: str, data: Mapping[str, Any]) -> Profile:
    """A profile from its TOML table or a user's saved mapping, checked."""
    where = f"mapping {key!r}"
    shape = data.get("shape")
    if shape not in ("wide", "long"):
        raise RegisterError(f"{where}: shape must be 'wide' or 'long', not {shape!r}")
    columns = {str(k): str(v) for k, v in dict(data.get("columns", {})).items() if v}
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise RegisterError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if "employee" not in columns and "employee_id" not in columns:
        raise RegisterError(f"{where}: map the employee (name or id) column")
    earnings = {str(k): str(v) for k, v in dict(data.get("earnings", {})).items()}
    codes = {str(k): str(v) for k, v in dict(data.get("codes", {})).items()}
    if shape == "wide" and not earnings:
        raise RegisterError(f"{where}: a wide register needs earnings columns")
    if shape == "long" and not ("code" in columns and "amount" in columns):
        raise RegisterError(f"{where}: a long register needs its code and amount columns")
    known = categories()
    for source, category in (*earnings.items(), *codes.items()):
        if category not in known:
            raise RegisterError(
                f"{where}: {source!r} maps to {category!r}, which is not a category "
                f"({', '.join(sorted(known))})"
            )
    return Profile(
        key=key,
        name=str(data.get("name", key)),
        shape=shape,
        detect=tuple(data.get("detect", ())),
        date_formats=tuple(data.get("date_formats", ("%Y-%m-%d", "%m/%d/%Y"))),
        columns=columns,
        earnings=earnings,
        codes={normalise(k): v for k, v in codes.items()},
    )


@cache
def profiles() -> dict[str, Profile]:
    data = tomllib.loads((HERE / "profiles.toml").read_text())
    return {key: _profile(key, value) for key, value in data.items()}


def custom_profile(key: str, data: Mapping[str, Any]) -> Profile:
    """A user's saved column mapping (same keys as a profile in ``profiles.toml``)."""
    return _profile(key, data)


def detect_profile(headers: Iterable[str]) -> Profile:
    """The profile whose detect headers are all present; of several, the one with the most (a
    QuickBooks detail report also has every column its summary is detected by)."""
    headers = list(headers)
    matching = [profile for profile in profiles().values() if profile.matches(headers)]
    if matching:
        return max(matching, key=lambda profile: len(profile.detect))
    present = {normalise(h) for h in headers}

    def likeness(profile: Profile) -> tuple[int, float]:
        hits = sum(normalise(h) in present for h in profile.detect)
        return hits, hits / max(len(profile.detect), 1)

    nearest = max(profiles().values(), key=likeness)
    missing = [h for h in nearest.detect if normalise(h) not in present]
    hint = ""
    if len(missing) < len(nearest.detect):
        hint = f"; the nearest, {nearest.name}, also needs {', '.join(map(repr, missing))}"
    shown = ", ".join(h for h in headers if not h.startswith("_"))
    raise RegisterError(
        f"no mapping profile matches these columns ({shown}){hint}: choose a profile or save a "
        "custom column mapping"
    )
