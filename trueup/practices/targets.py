"""What a note may be attached to, and how the page says where it applies.

Rule ids and states come from the rule book. Finding kinds, workflow steps and the classes the
rate table in use rates are defined by the apps above this one (audits, reference): the pages
gather them into a ``Vocabulary`` and hand it in, so this app never imports them.

A class note names a code in one state ("CA 8810") or a code in any state ("8810")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trueup.core.errors import Problem
from trueup.practices.models import AttachedTo
from trueup.rating.rulebook import default_rulebook


@dataclass(frozen=True)
class Vocabulary:
    """The values each kind of attachment may name, with their words."""

    finding_kinds: Mapping[str, str]
    steps: Mapping[str, str]
    # (state, class code) for every class the rate table in use rates.
    classes: frozenset[tuple[str, str]]


def rule_ids() -> frozenset[str]:
    """Every rule id of the rule book, in any jurisdiction."""
    book = default_rulebook()
    return frozenset(rule for j in book.jurisdictions.values() for rule in j.rules)


def state_names() -> dict[str, str]:
    book = default_rulebook()
    return {code: book.jurisdictions[code].name for code in book.states()}


def normalized(attached_to: str, target: str) -> str:
    """The target as notes store it: states and classes in capitals, one space in a class."""
    target = " ".join(target.split())
    if attached_to in (AttachedTo.STATE, AttachedTo.CLASS):
        return target.upper()
    return target


def target_problem(attached_to: str, target: str, vocabulary: Vocabulary) -> Problem | None:
    """Why ``target`` is not something a note attached to ``attached_to`` can name, if it is
    not; the problem's path is the form field to mark."""
    if attached_to not in AttachedTo.values:
        kinds = ", ".join(str(label).lower() for label in AttachedTo.labels)
        return Problem("attached_to", f"attach the note to one of: {kinds}")
    if not target:
        return Problem("target", f"name the {_noun(attached_to)} the note is about")
    if _known(attached_to, target, vocabulary):
        return None
    return Problem("target", _unknown(attached_to, target, vocabulary))


def _known(attached_to: str, target: str, vocabulary: Vocabulary) -> bool:
    if attached_to == AttachedTo.RULE:
        return target in rule_ids()
    if attached_to == AttachedTo.FINDING:
        return target in vocabulary.finding_kinds
    if attached_to == AttachedTo.STATE:
        return target in state_names()
    if attached_to == AttachedTo.STEP:
        return target in vocabulary.steps
    state, code = class_target(target)
    if state is None:
        return any(code == known for _, known in vocabulary.classes)
    return (state, code) in vocabulary.classes


def _noun(attached_to: str) -> str:
    return {
        AttachedTo.RULE: "rule id",
        AttachedTo.FINDING: "kind of finding",
        AttachedTo.STATE: "state",
        AttachedTo.CLASS: "class",
        AttachedTo.STEP: "workflow step",
    }[AttachedTo(attached_to)]


def _unknown(attached_to: str, target: str, vocabulary: Vocabulary) -> str:
    if attached_to == AttachedTo.RULE:
        return f"{target!r} is not a rule id of the rule book (e.g. officers.executive_officer)"
    if attached_to == AttachedTo.FINDING:
        return f"{target!r} is not a kind of finding; one of: " + ", ".join(
            vocabulary.finding_kinds
        )
    if attached_to == AttachedTo.STATE:
        return f"{target!r} is not a state of the rule book (two letters, e.g. CA)"
    if attached_to == AttachedTo.STEP:
        return f"{target!r} is not a workflow step; one of: " + ", ".join(vocabulary.steps)
    return (
        f"{target!r} is not a class the rate table in use rates; write the code "
        "(e.g. 8810) or the state and the code (e.g. CA 8810)"
    )


def class_target(target: str) -> tuple[str | None, str]:
    """("CA", "8810") for "CA 8810"; (None, "8810") for a code in any state."""
    state, _, code = target.rpartition(" ")
    return (state or None), code


def where(attached_to: str, target: str, vocabulary: Vocabulary) -> str:
    """Where a note applies, in words: "for rule officers.partner", "for class 8810 in CA"."""
    if attached_to == AttachedTo.RULE:
        return f"for rule {target}"
    if attached_to == AttachedTo.FINDING:
        return f"for findings on {vocabulary.finding_kinds.get(target, target).lower()}"
    if attached_to == AttachedTo.STATE:
        return f"for {state_names().get(target, target)} ({target})"
    if attached_to == AttachedTo.STEP:
        return f"at the step {vocabulary.steps.get(target, target)}"
    state, code = class_target(target)
    return f"for class {code} in {state}" if state else f"for class {code} in any state"
