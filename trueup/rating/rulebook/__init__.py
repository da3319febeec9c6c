"""The rule book: jurisdiction rules as dated data.

Each ``*.toml`` file beside this module holds one jurisdiction. A rule is an array of tables
whose dotted path is the rule id (``[[officers.partner]]`` is rule ``officers.partner``);
each entry is one *version* of the rule with ``effective`` (and optional ``expires``) dates, a
``source`` and a ``status`` (published, derived, unverified, illustrative). A state file names the
file it ``inherits`` from (the NCCI default); for any rule the state does not define in force on the
policy's effective date, the inherited version applies.

Decimals are written as strings; a float in a rule file is refused, so no value is ever binary.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from trueup.rating.errors import RuleBookError
from trueup.rating.money import Rounding, parse_fraction

DEFAULT_DIRECTORY = Path(__file__).parent
DEFAULT_JURISDICTION = "NCCI"
STATUSES = frozenset({"published", "derived", "unverified", "illustrative"})
_META_KEYS = frozenset({"effective", "expires", "source", "status", "note"})


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One dated version of one rule in one jurisdiction."""

    rule_id: str
    jurisdiction: str
    effective: date
    expires: date | None
    source: str
    status: str
    note: str
    values: Mapping[str, Any]
    # Numbers parsed once: a rule version is read by every rating that uses it.
    _decimals: dict[str, Decimal] = field(default_factory=dict, compare=False, repr=False)

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.expires is None or on < self.expires)

    def has(self, key: str) -> bool:
        return key in self.values

    def decimal(self, key: str) -> Decimal:
        found = self._decimals.get(key)
        if found is not None:
            return found
        try:
            found = self._decimals[key] = parse_fraction(str(self.values[key]))
            return found
        except KeyError as exc:
            raise RuleBookError(f"rule {self.cite()} has no value {key!r}") from exc
        except (InvalidOperation, ValueError) as exc:
            raise RuleBookError(f"rule {self.cite()}: {key} is not a number") from exc

    def optional_decimal(self, key: str) -> Decimal | None:
        return self.decimal(key) if key in self.values else None

    def text(self, key: str, default: str | None = None) -> str:
        value = self.values.get(key, default)
        if value is None:
            raise RuleBookError(f"rule {self.cite()} has no value {key!r}")
        return str(value)

    def flag(self, key: str, default: bool = False) -> bool:
        return bool(self.values.get(key, default))

    def items(self, key: str) -> list[Any]:
        value = self.values.get(key, [])
        return list(value)

    def cite(self) -> str:
        return f"{self.jurisdiction}:{self.rule_id}@{self.effective.isoformat()}"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str
    name: str
    inherits: str | None
    rules: Mapping[str, tuple[RuleVersion, ...]]


@dataclass(frozen=True)
class StateRules:
    """The rules in force for one state on one date: the state's own, else the inherited ones."""

    state: str
    on: date
    known: bool  # False when the rule book has no file for this state (NCCI defaults apply)
    _chain: tuple[Jurisdiction, ...]
    _cache: dict[str, RuleVersion | None] = field(default_factory=dict, repr=False)

    def get(self, rule_id: str) -> RuleVersion | None:
        if rule_id in self._cache:
            return self._cache[rule_id]
        found: RuleVersion | None = None
        for jurisdiction in self._chain:
            for version in reversed(jurisdiction.rules.get(rule_id, ())):
                if version.in_force(self.on):
                    found = version
                    break
            if found is not None:
                break
        self._cache[rule_id] = found
        return found

    def require(self, rule_id: str) -> RuleVersion:
        version = self.get(rule_id)
        if version is None:
            raise RuleBookError(
                f"no version of rule {rule_id!r} is in force for {self.state} on {self.on}"
            )
        return version

    @property
    def rounding(self) -> Rounding:
        rule = self.get("rounding")
        if rule is None:
            return Rounding()
        return Rounding(
            line=rule.decimal("line"), premium=rule.decimal("premium"), mode=rule.text("mode")
        )


class RuleBook:
    """All jurisdictions, loaded once. ``version`` fingerprints the files so results can cite it."""

    def __init__(self, jurisdictions: Mapping[str, Jurisdiction], version: str) -> None:
        if DEFAULT_JURISDICTION not in jurisdictions:
            raise RuleBookError(f"the rule book has no {DEFAULT_JURISDICTION} default file")
        self.jurisdictions = dict(jurisdictions)
        self.version = version
        self._resolved: dict[tuple[str, date], StateRules] = {}

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIRECTORY) -> RuleBook:
        files = sorted(directory.glob("*.toml"))
        if not files:
            raise RuleBookError(f"no rule files in {directory}")
        digest = hashlib.sha256()
        jurisdictions: dict[str, Jurisdiction] = {}
        for path in files:
            raw = path.read_bytes()
            digest.update(path.name.encode() + b"\0" + raw)
            jurisdiction = _parse_file(path, raw)
            if jurisdiction.code in jurisdictions:
                raise RuleBookError(
                    f"{path.name}: a second file for jurisdiction {jurisdiction.code}; keep one "
                    "file per jurisdiction and add dated versions to it"
                )
            jurisdictions[jurisdiction.code] = jurisdiction
        for j in jurisdictions.values():
            if j.inherits is not None and j.inherits not in jurisdictions:
                raise RuleBookError(f"{j.code} inherits unknown jurisdiction {j.inherits}")
        return cls(jurisdictions, "rulebook-" + digest.hexdigest()[:12])

    def rules_for(self, state: str, on: date) -> StateRules:
        key = (state, on)
        resolved = self._resolved.get(key)
        if resolved is None:
            chain: list[Jurisdiction] = []
            code: str | None = state if state in self.jurisdictions else DEFAULT_JURISDICTION
            while code is not None:
                jurisdiction = self.jurisdictions[code]
                chain.append(jurisdiction)
                code = jurisdiction.inherits
            resolved = StateRules(state, on, state in self.jurisdictions, tuple(chain))
            self._resolved[key] = resolved
        return resolved

    def states(self) -> list[str]:
        return sorted(c for c in self.jurisdictions if c != DEFAULT_JURISDICTION)


@cache
def default_rulebook() -> RuleBook:
    """The rule book shipped with TrueUp, loaded once per process."""
    return RuleBook.load()


def _parse_file(path: Path, raw: bytes) -> Jurisdiction:
    try:
        data = tomllib.loads(raw.decode("utf-8"), parse_float=_refuse_float)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, _FloatInRuleFile) as exc:
        raise RuleBookError(f"{path.name}: {exc}") from exc
    code = data.pop("jurisdiction", None)
    name = data.pop("name", None)
    inherits = data.pop("inherits", None)
    if not isinstance(code, str) or not isinstance(name, str):
        raise RuleBookError(f"{path.name}: needs top-level 'jurisdiction' and 'name' strings")
    rules: dict[str, list[RuleVersion]] = {}
    _collect(path.name, code, "", data, rules)
    ordered = {
        rule_id: tuple(sorted(versions, key=lambda v: v.effective))
        for rule_id, versions in rules.items()
    }
    return Jurisdiction(code, name, inherits, ordered)


def _collect(
    filename: str,
    code: str,
    prefix: str,
    table: Mapping[str, Any],
    out: dict[str, list[RuleVersion]],
) -> None:
    for key, value in table.items():
        rule_id = f"{prefix}{key}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, entry in enumerate(value):
                out.setdefault(rule_id, []).append(_version(filename, code, rule_id, index, entry))
        elif isinstance(value, dict):
            _collect(filename, code, rule_id + ".", value, out)
        else:
            raise RuleBookError(
                f"{filename}: {rule_id} must be a table or an array of dated rule versions"
            )


def _version(
    filename: str, code: str, rule_id: str, index: int, entry: Mapping[str, Any]
) -> RuleVersion:
    where = f"{filename}: {rule_id}[{index}]"
    effective = entry.get("effective")
    expires = entry.get("expires")
    source = entry.get("source")
    status = entry.get("status")
    if not isinstance(effective, date):
        raise RuleBookError(f"{where}: 'effective' must be a TOML date (effective = 2025-01-01)")
    if expires is not None and not isinstance(expires, date):
        raise RuleBookError(f"{where}: 'expires' must be a TOML date")
    if not isinstance(source, str) or not source.strip():
        raise RuleBookError(f"{where}: every rule version needs a 'source'")
    if status not in STATUSES:
        raise RuleBookError(f"{where}: 'status' must be one of {sorted(STATUSES)}")
    values = {k: v for k, v in entry.items() if k not in _META_KEYS}
    return RuleVersion(
        rule_id=rule_id,
        jurisdiction=code,
        effective=effective,
        expires=expires,
        source=source,
        status=status,
        note=str(entry.get("note", "")),
        values=values,
    )


class _FloatInRuleFile(ValueError):
    pass


def _refuse_float(text: str) -> Decimal:
    raise _FloatInRuleFile(f"write the number {text} as a string: rule values are decimals")
