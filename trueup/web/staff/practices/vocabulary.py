"""The page's side of what a note may name: the finding kinds and workflow steps the audits
app defines and the classes the rate table in use rates, gathered here because the practices
app sits below both; and the values of one audit a note may apply to."""

from __future__ import annotations

from dataclasses import is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from trueup.audits.models import Audit, FindingKind
from trueup.audits.workflow import Status
from trueup.core import clock
from trueup.policies.models import Line
from trueup.practices.targets import Vocabulary, state_names
from trueup.reference.selectors import rates_in_use


def vocabulary() -> Vocabulary:
    rates = rates_in_use()
    today = clock.today()
    classes = frozenset(
        (rate.state, rate.class_code)
        for state in state_names()
        for line in Line.values
        for rate in rates.classes(state, line, today)
    )
    return Vocabulary(
        finding_kinds={value: str(label) for value, label in FindingKind.choices},
        steps={value: str(label) for value, label in Status.choices},
        classes=classes,
    )


def words_only() -> Vocabulary:
    """The words of finding kinds and steps, for saying where a note applies: no classes, so
    pages that only show notes do not read the rate table."""
    return Vocabulary(
        finding_kinds={value: str(label) for value, label in FindingKind.choices},
        steps={value: str(label) for value, label in Status.choices},
        classes=frozenset(),
    )


def audit_places(audit: Audit, result: Any) -> dict[str, Any]:
    """Where a note may apply on this audit: the rule ids its result (or the explanation of
    it the audit page shows) cites, its findings'
    kinds, its states and classes (the policy's, the estimates', the facts' and the findings'),
    and its current step."""
    # ``all()``: the audit page has these rows already (prefetched), so no query repeats them.
    estimates = [(e.state, e.class_code) for e in audit.period.estimates.all()]
    entered = [(p.state, p.class_code) for p in audit.payroll.all() if p.class_code]
    found = [(f.kind, f.state, f.class_code) for f in audit.findings.all()]
    classes = {(s, c) for s, c in [*estimates, *entered] if s and c}
    classes |= {(s, c) for _, s, c in found if s and c}
    states = {*audit.period.states, *(s for s, _ in classes), *(s for _, s, _ in found if s)}
    return {
        "rules": _rules_cited(result) if result else set(),
        "finding_kinds": {kind for kind, _, _ in found},
        "states": states,
        "classes": classes,
        "step": audit.status,
    }


def _rules_cited(value: Any) -> set[str]:
    """Every ``rule`` the result (or its explanation) names, wherever in it: a walk with a stack
    (an explanation holds some 1,600 values)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key == "rule" and isinstance(inner, str):
                    found.add(inner)
                elif not isinstance(inner, LEAVES):
                    stack.append(inner)
        elif isinstance(item, (list, tuple)):
            # Most of an explanation's values are text and figures: only what may hold more
            # is walked into.
            stack.extend(inner for inner in item if not isinstance(inner, LEAVES))
        elif is_dataclass(item) and not isinstance(item, type):
            stack.append(vars(item))
    return found


# Values that hold no ``rule`` inside them.
LEAVES = (str, int, float, Decimal, date, type(None))
