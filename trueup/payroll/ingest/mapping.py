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


# What a wide register's code column ("REG_Regular_Earnings": code REG, kind Earnings) holds:
# "earnings" — its code is mapped through the code sets, and a code no mapping names is unmapped;
# "deductions" — a code mapped to a deduction category (Section 125, 401(k)) is read, any other
# deduction is not pay; "ignore" — not pay (hours, taxes, memo amounts).
COLUMN_KINDS = ("earnings", "deductions", "ignore")


@dataclass(frozen=True)
class CodeSet:
    key: str
    name: str
    source: str  # the vendor's public documentation the codes were read from
    configurable: str  # whether clients set their own codes, and what that means here
    codes: Mapping[str, str]  # earnings code (normalised) → category


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    shape: str  # "wide" or "long"
    detect: tuple[str, ...]
    date_formats: tuple[str, ...]
    columns: Mapping[str, str]  # TrueUp field → the export's header
    earnings: Mapping[str, str] = field(default_factory=dict)  # wide: header → category
    # Earnings code (normalised) → category: the code sets' codes, then the profile's own.
    codes: Mapping[str, str] = field(default_factory=dict)
    codesets: tuple[str, ...] = ()  # the code sets (``codesets/<key>.toml``) the codes start from
    # Wide registers with a column per code: the kind after a header's last underscore → what
    # its columns hold (``COLUMN_KINDS``); empty for registers with fixed columns.
    code_columns: Mapping[str, str] = field(default_factory=dict)
    # "earnings": a column the profile does not name that holds amounts is unmapped (the
    # auditor maps or excludes it); "": such a column is not read (fixed-column registers).
    unknown_columns: str = ""
    # TrueUp field → other headers the export may give it under, tried in order.
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, headers: Iterable[str]) -> bool:
        headers = list(headers)
        present = {normalise(h) for h in headers}
        if not all(normalise(h) in present for h in self.detect):
            return False
        # A register with a column per code is known by its columns as much as by its headers.
        return not self.code_columns or any(self.column_kind(h) == "earnings" for h in headers)

    def code_column(self, header: str) -> tuple[str, str] | None:
        """(code, kind) of a header shaped CODE_Description_Kind, the kind one of the profile's
        own (case ignored); None for any other header."""
        parts = header.strip().split("_")
        if not self.code_columns or len(parts) < 2 or not parts[0].strip():
            return None
        kind = parts[-1].strip().casefold()
        if kind not in self.code_columns:
            return None
        return parts[0].strip(), kind

    def column_kind(self, header: str) -> str | None:
        found = self.code_column(header)
        return self.code_columns[found[1]] if found else None


@cache
def codesets() -> dict[str, CodeSet]:
    """The payroll products' earnings codes, one TOML file each in ``codesets/``."""
    found = {}
    for path in sorted((HERE / "codesets").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        key = path.stem
        codes = {normalise(str(k)): str(v) for k, v in dict(data.get("codes", {})).items()}
        _check_categories(f"code set {key!r}", codes)
        found[key] = CodeSet(
            key, str(data["name"]), str(data["source"]), str(data["configurable"]), codes
        )
    return found


def _check_categories(where: str, mapping: Mapping[str, str]) -> None:
    known = categories()
    for source, category in mapping.items():
        if category not in known:
            raise RegisterError(
                f"{where}: {source!r} maps to {category!r}, which is not a category "
                f"({', '.join(sorted(known))})"
            )


@cache
def categories() -> dict[str, Category]:
    data = tomllib.loads((HERE / "categories.toml").read_text())
    return {
        key: Category(key, value["field"], bool(value["in_gross"]), bool(value.get("deduction")))
        for key, value in data["categories"].items()
    }


@cache
def pay_categories() -> tuple[str, ...]:
    """The categories that are part of gross pay: the dollars a row's pay is counted in."""
    return tuple(key for key, category in categories().items() if category.in_gross)


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
    kinds = {str(k).casefold(): str(v) for k, v in dict(data.get("code_columns", {})).items()}
    if shape == "wide" and not (earnings or kinds):
        raise RegisterError(f"{where}: a wide register needs earnings columns")
    if shape == "long" and not ("code" in columns and "amount" in columns):
        raise RegisterError(f"{where}: a long register needs its code and amount columns")
    _check_categories(where, {**earnings, **codes})
    _check_code_columns(where, kinds, str(data.get("unknown_columns", "")))
    named = data.get("codeset", ())
    sets = (named,) if isinstance(named, str) else tuple(str(n) for n in named)
    alternatives = {
        str(k): tuple(str(h) for h in v) for k, v in dict(data.get("alternatives", {})).items()
    }
    return Profile(
        key=key,
        name=str(data.get("name", key)),
        shape=shape,
        detect=tuple(data.get("detect", ())),
        date_formats=tuple(data.get("date_formats", ("%Y-%m-%d", "%m/%d/%Y"))),
        columns=columns,
        earnings=earnings,
        codes=_codes(where, sets, codes),
        codesets=sets,
        code_columns=kinds,
        unknown_columns=str(data.get("unknown_columns", "")),
        alternatives=alternatives,
    )


def _check_code_columns(where: str, kinds: Mapping[str, str], unknown_columns: str) -> None:
    wrong = sorted(kind for kind, holds in kinds.items() if holds not in COLUMN_KINDS)
    if wrong:
        raise RegisterError(
            f"{where}: code columns {', '.join(wrong)} must hold one of {', '.join(COLUMN_KINDS)}"
        )
    if unknown_columns not in ("", "earnings"):
        raise RegisterError(f"{where}: unknown_columns is 'earnings' or left out")


def _codes(where: str, sets: tuple[str, ...], own: Mapping[str, str]) -> dict[str, str]:
    """The code sets' codes, in the order named, then the profile's own: they add or win."""
    missing = [n for n in sets if n not in codesets()]
    if missing:
        raise RegisterError(
            f"{where}: there is no code set {', '.join(map(repr, missing))} "
            f"({', '.join(sorted(codesets()))})"
        )
    merged: dict[str, str] = {}
    for name in sets:
        merged.update(codesets()[name].codes)
    merged.update({normalise(k): v for k, v in own.items()})
    return merged


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
