"""The rule book: jurisdiction rules as dated data.

Each ``*.toml`` file beside this module holds one jurisdiction. A rule is an array of tables
whose dotted path is the rule id (``[[officers.partner]]`` is rule ``officers.partner``);
each entry is one *version* of the rule with ``effective`` (and optional ``expires``) dates, a
``source`` and a ``status`` (published, derived, unverified, illustrative). A state file names the
file it ``inherits`` from (the NCCI default). A state file declares every rule of the default: its
own versions, or an entry with ``inherit = "NCCI"`` saying the default applies and why. Whenever a
default value is used for a state (declared so, or because none of the state's versions is in force
on the policy's date), the version handed out says so (``inherited_by``), and every reason, "why?"
and finding built from it names it: no state is rated with another's figures without saying so.

A monopolistic state's file (``monopolistic = true``) names the state fund that writes all its
workers' compensation: such exposure is refused, not rated. A state with no file is refused too.

Decimals are written as strings; a float in a rule file is refused, so no value is ever binary.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from trueup.rating.errors import RuleBookError
from trueup.rating.money import Rounding, parse_fraction

DEFAULT_DIRECTORY = Path(__file__).parent
T = TypeVar("T")
DEFAULT_JURISDICTION = "NCCI"
# Strongest first: a default value used for a state is no surer than the weaker of the two.
STRENGTH = ("published", "derived", "unverified", "illustrative")
STATUSES = frozenset(STRENGTH)
_META_KEYS = frozenset({"effective", "expires", "source", "status", "note", "inherit"})


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
    inherit: str | None = None  # an explicit "the default applies" entry names the jurisdiction
    inherited_by: str | None = None  # set on a default version handed out for this state
    inherit_reason: str = ""  # why the default applies (the state's entry, or no version in force)
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
    bureau: str = ""
    class_system: str = ""
    class_code_pattern: str = ""  # a regular expression every WC class code of the state matches
    class_code_words: str = ""  # the code system in words, for messages
    monopolistic: bool = False
    state_fund: str = ""  # a monopolistic state's fund
    fund_source: str = ""
    # Rules of the default that are not a state's to set (ISO's GL premium bases): handed out as
    # they are, not as an inherited value.
    countrywide: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateRules:
    """The rules in force for one state on one date: the state's own, else the inherited ones,
    marked as inherited."""

    state: str
    on: date
    known: bool  # False when the rule book has no file for this state (it cannot be rated)
    _chain: tuple[Jurisdiction, ...]
    _cache: dict[str, RuleVersion | None] = field(default_factory=dict, repr=False, init=False)
    # What the engine builds from these rules (plans, fractions, rounding), kept with them: the
    # same state on the same date is rated again and again over a book.
    _compiled: dict[object, Any] = field(
        default_factory=dict, repr=False, compare=False, init=False
    )

    def compiled(self, key: object, build: Callable[[], T]) -> T:
        """``build()``'s result, built once for these rules and kept for every later rating."""
        try:
            return self._compiled[key]  # type: ignore[no-any-return]
        except KeyError:
            found = self._compiled[key] = build()
            return found

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The state's own file (the default's when the state has none)."""
        return self._chain[0]

    @property
    def monopolistic(self) -> bool:
        return self.known and self._chain[0].monopolistic

    def get(self, rule_id: str) -> RuleVersion | None:
        if rule_id in self._cache:
            return self._cache[rule_id]
        if rule_id in self._chain[-1].countrywide:
            self._cache[rule_id] = _in_force(self._chain[-1].rules.get(rule_id, ()), self.on)
            return self._cache[rule_id]
        own = self._chain[0] if self._chain[0].code == self.state else None
        declared = _in_force(own.rules.get(rule_id, ()), self.on) if own else None
        found: RuleVersion | None = declared
        if declared is None or declared.inherit is not None:
            found = self._inherited(rule_id, declared)
        self._cache[rule_id] = found
        return found

    def _inherited(self, rule_id: str, declared: RuleVersion | None) -> RuleVersion | None:
        parents = self._chain[1:] if self._chain[0].code == self.state else self._chain
        for jurisdiction in parents:
            parent = _in_force(jurisdiction.rules.get(rule_id, ()), self.on)
            if parent is None:
                continue
            if declared is not None:
                reason, status = declared.source, _weaker(declared.status, parent.status)
            else:
                name = self._chain[0].name if self.known else self.state
                reason = f"no {name} version of this rule is in force on {self.on.isoformat()}"
                status = _weaker("unverified", parent.status)
            return replace(parent, inherited_by=self.state, inherit_reason=reason, status=status)
        return None

    def require(self, rule_id: str) -> RuleVersion:
        version = self.get(rule_id)
        if version is None:
            raise RuleBookError(
                f"no version of rule {rule_id!r} is in force for {self.state} on {self.on}"
            )
        return version

    @property
    def rounding(self) -> Rounding:
        return self.compiled("rounding", self._rounding)

    def _rounding(self) -> Rounding:
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

    @property
    def default(self) -> Jurisdiction:
        return self.jurisdictions[DEFAULT_JURISDICTION]

    def private_states(self) -> list[str]:
        """The states where private carriers write workers' compensation (not monopolistic)."""
        return [c for c in self.states() if not self.jurisdictions[c].monopolistic]


def _in_force(versions: tuple[RuleVersion, ...], on: date) -> RuleVersion | None:
    for version in reversed(versions):
        if version.in_force(on):
            return version
    return None


def _weaker(first: str, second: str) -> str:
    return max(first, second, key=STRENGTH.index)


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
    about = {key: data.pop(key) for key in _ABOUT if key in data}
    for key, value in about.items():
        if not isinstance(value, _ABOUT[key]):
            raise RuleBookError(f"{path.name}: '{key}' must be a {_ABOUT[key].__name__}")
    if about.get("monopolistic") and not about.get("state_fund"):
        raise RuleBookError(f"{path.name}: a monopolistic state names its 'state_fund'")
    rules: dict[str, list[RuleVersion]] = {}
    _collect(path.name, code, "", data, rules)
    ordered = {
        rule_id: tuple(sorted(versions, key=lambda v: v.effective))
        for rule_id, versions in rules.items()
    }
    if "countrywide" in about:
        about["countrywide"] = tuple(about["countrywide"])
    return Jurisdiction(code, name, inherits, ordered, **about)


# What a file says about its jurisdiction besides its rules, and each value's type.
_ABOUT: dict[str, type] = {
    "bureau": str,
    "class_system": str,
    "class_code_pattern": str,
    "class_code_words": str,
    "monopolistic": bool,
    "state_fund": str,
    "fund_source": str,
    "countrywide": list,
}


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
    inherit = entry.get("inherit")
    if inherit is not None and (not isinstance(inherit, str) or values):
        raise RuleBookError(
            f"{where}: an 'inherit' entry names the jurisdiction whose rule applies and has no "
            "values of its own"
        )
    return RuleVersion(
        rule_id=rule_id,
        jurisdiction=code,
        effective=effective,
        expires=expires,
        source=source,
        status=status,
        note=str(entry.get("note", "")),
        values=values,
        inherit=inherit,
    )


class _FloatInRuleFile(ValueError):
    pass


def _refuse_float(text: str) -> Decimal:
    raise _FloatInRuleFile(f"write the number {text} as a string: rule values are decimals")
