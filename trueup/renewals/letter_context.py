"""What the future policy changes letter says: the changes accepted for the renewal, in plain
words, and what they mean for the next term's estimated premium and so its deposit."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from trueup.audits.models import Audit
from trueup.audits.selectors import class_name
from trueup.core.money import as_decimal, usd
from trueup.letters.models import LetterKind
from trueup.letters.services import LetterRefused, register_context
from trueup.renewals import recommend as rec
from trueup.renewals.models import RecommendationStatus, RenewalRecommendation

ACCEPTED = (RecommendationStatus.ACCEPTED, RecommendationStatus.EDITED)


def _recommendation(audit: Audit, extra: Mapping[str, Any]) -> RenewalRecommendation:
    given = extra.get("recommendation")
    if isinstance(given, RenewalRecommendation):
        return given
    found = (
        RenewalRecommendation.objects.filter(audit=audit, status__in=ACCEPTED)
        .select_related("renewal")
        .first()
    )
    if found is None:
        raise LetterRefused(
            "no renewal recommendation of this audit has been accepted: the future policy "
            "changes letter explains accepted changes"
        )
    return found


def _amount(line: Mapping[str, Any], field: str) -> str:
    value = as_decimal(line.get(field)) or Decimal(0)
    return usd(value) if line.get("basis", "payroll") == "payroll" else f"{value:,}"


def _class_words(audit: Audit, line: Mapping[str, Any]) -> str:
    name = class_name(audit, line["state"], line["class_code"])
    return f"class {line['class_code']}" + (f" ({name})" if name else "") + f" in {line['state']}"


def _trend(line: Mapping[str, Any]) -> str:
    percent = as_decimal(line.get("growth_percent"))
    audited = line.get("audited") or []
    if percent is None or len(audited) < 2:
        return "to match what the audit found"
    direction = "grew" if percent > 0 else "fell" if percent < 0 else "held steady"
    size = f" {abs(percent)} %" if percent else ""
    count = rec.NUMBERS.get(len(audited), str(len(audited)))
    return f"because it {direction}{size} over your last {count} audits"


def _sentence(audit: Audit, line: Mapping[str, Any]) -> str:
    action = line["action"]
    noun = "payroll" if line.get("basis", "payroll") == "payroll" else "exposure"
    if action == rec.CLASS_ADD:
        return (
            f"We add {_class_words(audit, line)}, with an estimated {noun} of "
            f"{_amount(line, 'recommended')}: the audit found work of this kind that the policy "
            "did not list."
        )
    if action == rec.CLASS_REMOVE:
        return f"We remove {_class_words(audit, line)}: the audit found no {noun} in it."
    if action == rec.EXPOSURE_CHANGE:
        return (
            f"The estimated {noun} for {_class_words(audit, line)} changes from "
            f"{_amount(line, 'current')} to {_amount(line, 'recommended')}, {_trend(line)}."
        )
    verb = {
        rec.OFFICER_EXCLUDE: "stays excluded from the coverage, as at the audit",
        rec.OFFICER_INCLUDE: "is included in the coverage, as at the audit",
        rec.OFFICER_ELECT: "keeps the coverage elected, as at the audit",
    }[action]
    return f"{line['name']} {verb}."


def _future_changes_context(audit: Audit, extra: Mapping[str, Any]) -> dict[str, Any]:
    made = _recommendation(audit, extra)
    accepted = [line for line in made.lines if line["action"] and not line.get("left_out")]
    current, recommended = made.premium_current, made.premium_recommended
    change = None
    if current is not None and recommended is not None:
        change = {"amount": abs(recommended - current), "up": recommended > current}
    return {
        "renewal": made.renewal,
        "changes": [_sentence(audit, line) for line in accepted],
        "waiting": any(line.get("endorsement_status") == "awaiting_review" for line in accepted),
        "premium_current": current,
        "premium_recommended": recommended,
        "premium_change": change,
    }


def register() -> None:
    register_context(LetterKind.FUTURE_CHANGES, _future_changes_context)
