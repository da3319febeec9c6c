"""The next term's estimate, recommended from the audited terms: per state and class the latest
audited exposure grown by its trend, the classes found at audit and not on the policy, the
classes on the policy where the audit found nothing, the officers' coverage found at audit and
the experience mod in force. Each line says why, in a sentence an underwriter can read back to
the insured.

Pure: plain figures in, plain lines out, exact Decimals; the rules are ``renewals.toml``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from trueup.core.money import figure, usd
from trueup.rating.money import ONE, ZERO, quantize

HUNDRED = Decimal(100)
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
Key = tuple[str, str]

# The endorsement each kind of line asks for on the renewal ("" asks for none).
EXPOSURE_CHANGE = "exposure_change"
CLASS_ADD = "class_add"
CLASS_REMOVE = "class_remove"
OFFICER_INCLUDE = "officer_include"
OFFICER_EXCLUDE = "officer_exclude"
OFFICER_ELECT = "officer_elect"


@dataclass(frozen=True)
class Term:
    """One audited term: its dates and the audited exposure per (state, class)."""

    effective: date
    expiration: date
    exposures: Mapping[Key, Decimal]
    bases: Mapping[Key, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.effective.year}–{self.expiration.year}"


@dataclass(frozen=True)
class Officer:
    """An officer or owner as the latest audit found them; coverage blank: the state's rule."""

    name: str
    role: str  # in words: "Executive officer"
    state: str
    class_code: str
    coverage: str
    pay: Decimal = ZERO


@dataclass(frozen=True)
class Mod:
    factor: Decimal
    effective: date


@dataclass(frozen=True)
class Line:
    key: str
    topic: str  # exposure | officer | mod
    action: str  # the endorsement asked for, "" for none
    why: str
    state: str = ""
    class_code: str = ""
    basis: str = "payroll"
    name: str = ""
    current: Decimal | None = None
    recommended: Decimal | None = None
    audited: tuple[Decimal, ...] = ()
    growth_percent: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "key": self.key,
            "topic": self.topic,
            "action": self.action,
            "why": self.why,
            "state": self.state,
            "class_code": self.class_code,
            "basis": self.basis,
            "name": self.name,
            "current": text(self.current),
            "recommended": text(self.recommended),
            "audited": [str(a) for a in self.audited],
            "growth_percent": text(self.growth_percent),
        }


def recommend(
    *,
    terms: Sequence[Term],
    estimates: Mapping[Key, Decimal],
    officers: Sequence[Officer],
    mod: Mod | None,
    rules: Mapping[str, Any],
) -> list[Line]:
    """The recommendation from ``terms`` (oldest first, the latest audit last) against the
    ``estimates`` on the renewal: exposures by state and class, then officers, then the mod."""
    if not terms:
        raise ValueError("a recommendation needs at least one audited term")
    used = list(terms)[-int(rules["trend"]["terms"]) :]
    latest = used[-1]
    keys = sorted(set(latest.exposures) | {k for k, v in estimates.items() if v > ZERO})
    lines = [_exposure_line(key, used, estimates.get(key, ZERO), rules) for key in keys]
    exposure_lines = [line for line in lines if line is not None]
    return exposure_lines + [_officer_line(o, latest) for o in officers] + [_mod_line(mod)]


def _exposure_line(
    key: Key, terms: list[Term], current: Decimal, rules: Mapping[str, Any]
) -> Line | None:
    state, class_code = key
    latest = terms[-1]
    basis = next((t.bases[key] for t in reversed(terms) if key in t.bases), "payroll")
    audited = tuple(t.exposures.get(key, ZERO) for t in terms)
    noun = "Payroll" if basis == "payroll" else basis.replace("_", " ").capitalize()
    where = f"{noun} in {class_code} ({state})"
    common: dict[str, Any] = {"key": f"{state} {class_code}", "topic": "exposure", "state": state}
    common |= {"class_code": class_code, "basis": basis, "current": current, "audited": audited}
    if audited[-1] == ZERO:
        if current == ZERO:
            return None
        return Line(
            action=CLASS_REMOVE,
            recommended=ZERO,
            why=(
                f"No {noun.lower()} in {class_code} ({state}) was found at the audit of "
                f"{latest.label}, though {_amount(current, basis)} is estimated on the renewal; "
                "recommended removing the class."
            ),
            **common,
        )
    growth, applied = _trend(audited, Decimal(rules["trend"]["cap_percent"]) / HUNDRED)
    increment = Decimal(rules["rounding"]["exposure_to"])
    recommended = quantize(audited[-1] * (ONE + applied), increment)
    percent = None if growth is None else quantize(growth * HUNDRED, ONE)
    why = f"{where} {_trend_words(audited, percent, latest, basis)}; "
    why += f"recommended {_amount(recommended, basis)}"
    if growth is not None and applied != growth:
        why += f" (the trend applied is capped at {rules['trend']['cap_percent']} %)"
    action = CLASS_ADD if current == ZERO else EXPOSURE_CHANGE
    minimum = Decimal(rules["threshold"]["min_change_percent"])
    if current == ZERO:
        why += "; this class is not on the policy: recommended adding it"
    elif abs(recommended - current) * HUNDRED < current * minimum:
        action = ""
        why += (
            f"; within {minimum} % of the {_amount(current, basis)} on the renewal, "
            "so no change is recommended"
        )
    else:
        why += f", against {_amount(current, basis)} on the renewal"
    return Line(
        action=action, recommended=recommended, growth_percent=percent, why=why + ".", **common
    )


def _trend(audited: tuple[Decimal, ...], cap: Decimal) -> tuple[Decimal | None, Decimal]:
    """The average growth from one audited term to the next (None with fewer than two terms
    to compare), and the growth applied: the average held within the cap."""
    steps = [(b - a) / a for a, b in pairwise(audited) if a > ZERO]
    if not steps:
        return None, ZERO
    growth = sum(steps, ZERO) / len(steps)
    return growth, max(-cap, min(cap, growth))


def _trend_words(
    audited: tuple[Decimal, ...], percent: Decimal | None, latest: Term, basis: str
) -> str:
    figures = " → ".join(_amount(a, basis) for a in audited)
    if percent is None:
        latest_amount = _amount(audited[-1], basis)
        return f"was {latest_amount} at the audit of {latest.label}, none earlier to trend from"
    count = NUMBERS.get(len(audited), str(len(audited)))
    if percent > ZERO:
        return f"grew {percent} % over {count} audits: {figures}"
    if percent < ZERO:
        return f"fell {-percent} % over {count} audits: {figures}"
    return f"held steady over {count} audits: {figures}"


def _amount(value: Decimal, basis: str) -> str:
    return usd(value) if basis == "payroll" else figure(value)


def _officer_line(officer: Officer, latest: Term) -> Line:
    found = f"{officer.name} ({officer.role.lower()}, {officer.class_code} in {officer.state})"
    common: dict[str, Any] = {"topic": "officer", "name": officer.name, "state": officer.state}
    common |= {"class_code": officer.class_code, "key": f"officer {officer.name}"}
    # The officer's audited pay: what the endorsement moves in or out of the class's estimate.
    common |= {"recommended": officer.pay}
    if officer.pay <= ZERO and officer.coverage:
        return Line(
            action="",
            why=f"{found}: no pay was found at the audit of {latest.label} to move in or out "
            "of the class's estimate, so no change is recommended.",
            **common,
        )
    if officer.coverage == "excluded":
        return Line(
            action=OFFICER_EXCLUDE,
            why=f"{found} was excluded by endorsement at the audit of {latest.label}; "
            "recommended excluding them on the renewal too.",
            **common,
        )
    if officer.coverage == "included":
        return Line(
            action=OFFICER_INCLUDE,
            why=f"{found} was included in the coverage at the audit of {latest.label}; "
            "recommended including them on the renewal.",
            **common,
        )
    if officer.coverage == "elected":
        return Line(
            action=OFFICER_ELECT,
            why=f"{found} had elected coverage at the audit of {latest.label}; "
            "recommended keeping the election on the renewal.",
            **common,
        )
    return Line(
        action="",
        why=f"{found}: the audit of {latest.label} found no endorsement; the state's rule for "
        "the role decides, so no change is recommended.",
        **common,
    )


def _mod_line(mod: Mod | None) -> Line:
    if mod is None:
        why = "No experience mod is in force on the renewal: it is rated at unity (1.00)."
    else:
        why = (
            f"Experience mod {mod.factor} in force from {mod.effective:%B} {mod.effective.day}, "
            f"{mod.effective.year}: the renewal is rated with it; no change is recommended."
        )
    return Line(key="experience mod", topic="mod", action="", why=why)
