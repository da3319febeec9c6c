"""A result (stored snapshot or working rating, in its JSON form) → the rows the audit page shows,
each figure with the reasons the engine recorded for it, so every number answers "why?"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trueup.audits.reasons import finding_text, reason_text
from trueup.rating.money import ONE, ZERO, quantize
from trueup.rating.premium import FLAT_STEPS
from trueup.rating.result import usd

Reason = dict[str, Any]


@dataclass
class Row:
    state: str
    item: str
    is_class: bool
    estimated_exposure: str | None
    audited_exposure: str | None
    estimated_premium: str | None
    audited_premium: str | None
    difference: str | None
    # Every reason for the line, exposure and premium, each side (the worksheet PDF's "why").
    estimated_reasons: list[Reason] = field(default_factory=list)
    audited_reasons: list[Reason] = field(default_factory=list)
    # The same split by figure, so each cell's "why?" explains the figure in that cell.
    estimated_exposure_reasons: list[Reason] = field(default_factory=list)
    audited_exposure_reasons: list[Reason] = field(default_factory=list)
    estimated_premium_reasons: list[Reason] = field(default_factory=list)
    audited_premium_reasons: list[Reason] = field(default_factory=list)


@dataclass
class StateSteps:
    state: str
    premium: str
    steps: list[dict[str, Any]]


@dataclass
class Explanation:
    estimated_premium: str
    audited_premium: str
    adjustment: str
    outcome: str
    adjustment_reason: Reason | None
    rows: list[Row]
    audited_states: list[StateSteps]
    estimated_states: list[StateSteps]
    findings: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]
    versions: dict[str, str]

    @property
    def insured_findings(self) -> list[dict[str, Any]]:
        return insured_findings(self.findings)


# Step codes whose plain name is not the code with spaces.
STEP_NAMES = {
    "experience_mod": gettext_lazy("experience modification"),
    "premium_discount": gettext_lazy("premium discount"),
    "schedule_rating": gettext_lazy("schedule rating"),
    "assigned_risk_surcharge": gettext_lazy("assigned risk surcharge"),
    "short_rate": gettext_lazy("short rate"),
}


@dataclass
class _SideReasons:
    exposure: dict[tuple[str, str], list[Reason]]
    premium: dict[tuple[str, str], list[Reason]]

    def all(self, key: tuple[str, str]) -> list[Reason]:
        return [*self.exposure.get(key, []), *self.premium.get(key, [])]


def _step_names(state: dict[str, Any]) -> str:
    """The steps that take a state's manual premium to what its classes share ("experience
    modification and premium discount"): every charge or credit that is not flat."""
    names: list[str] = [
        str(STEP_NAMES.get(step["code"], str(step["code"]).replace("_", " ")))
        for step in state.get("steps", [])
        if not step.get("subtotal")
        and step["code"] not in FLAT_STEPS
        and Decimal(step["amount"]) != 0
    ]
    if not names:
        return _("the state's adjustments")
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _share_reasons(state: dict[str, Any]) -> dict[str, Reason]:
    """Per class, why the premium shown is not the manual premium its "why?" computes: the cell
    holds the class's share after the state's modifications and discount."""
    manual: dict[str, Decimal] = defaultdict(lambda: ZERO)
    share: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for premium in state.get("classes", []):
        manual[premium["class"]] += Decimal(premium["manual_premium"])
        share[premium["class"]] += Decimal(premium["premium"])
    steps = _step_names(state)
    return {
        code: {
            "rule": "premium.class_share",
            "text": _("manual premium %(manual)s; after %(steps)s %(share)s")
            % {"manual": usd(manual[code]), "steps": steps, "share": usd(share[code])},
            "status": "derived",
        }
        for code in manual
        if manual[code] != share[code]
    }


def _by_state_and_class(side: dict[str, Any]) -> _SideReasons:
    exposure: dict[tuple[str, str], list[Reason]] = defaultdict(list)
    premium_reasons: dict[tuple[str, str], list[Reason]] = defaultdict(list)
    for line in side.get("exposures", []):
        exposure[(line["state"], line["class"])].extend(line.get("reasons", []))
    for state in side.get("states", []):
        for premium in state.get("classes", []):
            if premium.get("reason"):
                premium_reasons[(premium["state"], premium["class"])].append(premium["reason"])
        for code, reason in _share_reasons(state).items():
            premium_reasons[(state["state"], code)].append(reason)
        for step in state.get("steps", []):
            if step.get("reason"):
                premium_reasons[(state["state"], step["code"])].append(step["reason"])
    return _SideReasons(exposure, premium_reasons)


def _steps(side: dict[str, Any]) -> list[StateSteps]:
    return [
        StateSteps(state["state"], state["premium"], state.get("steps", []))
        for state in side.get("states", [])
    ]


def explain(result: dict[str, Any]) -> Explanation:
    estimated = _by_state_and_class(result.get("estimated", {}))
    audited = _by_state_and_class(result.get("audited", {}))
    rows = [
        Row(
            state=line["state"],
            item=line["item"],
            is_class=line["is_class"],
            estimated_exposure=line.get("estimated_exposure"),
            audited_exposure=line.get("audited_exposure"),
            estimated_premium=line.get("estimated_premium"),
            audited_premium=line.get("audited_premium"),
            difference=line.get("difference"),
            estimated_reasons=estimated.all((line["state"], line["item"])),
            audited_reasons=audited.all((line["state"], line["item"])),
            estimated_exposure_reasons=estimated.exposure.get((line["state"], line["item"]), []),
            audited_exposure_reasons=audited.exposure.get((line["state"], line["item"]), []),
            estimated_premium_reasons=estimated.premium.get((line["state"], line["item"]), []),
            audited_premium_reasons=audited.premium.get((line["state"], line["item"]), []),
        )
        for line in result.get("adjustments", [])
    ]
    return Explanation(
        estimated_premium=result["estimated_premium"],
        audited_premium=result["audited_premium"],
        adjustment=result["adjustment"],
        outcome=result["outcome"],
        adjustment_reason=result.get("adjustment_reason"),
        rows=rows,
        audited_states=_steps(result.get("audited", {})),
        estimated_states=_steps(result.get("estimated", {})),
        findings=result.get("findings", []),
        exclusions=result.get("audited", {}).get("exclusions", []),
        versions={
            "engine": result.get("engine_version", ""),
            "rule book": result.get("rulebook_version", ""),
            "rates": result.get("rates_version", ""),
        },
    )


# Findings for staff only: which rules stood in from the NCCI default is the auditor's to check
# (the rule book's status), not something the insured can act on.
STAFF_ONLY_FINDINGS = frozenset({"inherited_rule"})


def insured_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings the insured and agent read."""
    return [f for f in findings if f.get("code") not in STAFF_ONLY_FINDINGS]


def _usd_about(amount: Decimal) -> str:
    """Whole dollars, for figures said "about" ("about $5,529 more")."""
    return f"${quantize(amount, ONE):,}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _class_line(line: dict[str, Any], name: str) -> str:
    difference = Decimal(line["difference"])
    figures = {
        "state": line["state"],
        "code": line["item"],
        "name": name,
        "audited": _usd_about(Decimal(line["audited_exposure"] or 0)),
        "estimated": _usd_about(Decimal(line["estimated_exposure"] or 0)),
        "difference": _usd_about(abs(difference)),
    }
    if difference > 0:
        text = (
            _(
                "%(state)s class %(code)s (%(name)s): %(audited)s of payroll against %(estimated)s "
                "estimated, about %(difference)s more"
            )
            if name
            else _(
                "%(state)s class %(code)s: %(audited)s of payroll against %(estimated)s "
                "estimated, about %(difference)s more"
            )
        )
    else:
        text = (
            _(
                "%(state)s class %(code)s (%(name)s): %(audited)s of payroll against %(estimated)s "
                "estimated, about %(difference)s less"
            )
            if name
            else _(
                "%(state)s class %(code)s: %(audited)s of payroll against %(estimated)s "
                "estimated, about %(difference)s less"
            )
        )
    return text % figures


def plain_reasons(result: dict[str, Any], class_name: Callable[[str, str], str]) -> list[str]:
    """What changed and why, in plain words in the active language, for the insured: each
    class's exposure against its estimate with the premium difference, then the engine's own
    reasons (overtime excluded, an officer at the state's limit, a subcontractor without a
    certificate, a reclass…). Used by the portal's preview and by the outreach call script."""
    because = [
        _class_line(line, class_name(line["state"], line["item"]))
        for line in result["adjustments"]
        if line["is_class"] and Decimal(line["difference"]) != 0
    ]
    for exposure in result["audited"]["exposures"]:
        for reason in exposure["reasons"]:
            if reason["status"] != "fact" and reason["rule"] not in ("worksheet", "apportion"):
                because.append(_sentence(reason_text(reason)))
    because += [_sentence(reason_text(x)) for x in result["audited"]["exclusions"]]
    because += [_sentence(finding_text(f)) for f in insured_findings(result["findings"])]
    return list(dict.fromkeys(because))
