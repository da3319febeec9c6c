"""What the future policy changes letter says: the changes accepted for the renewal, in plain
words, and what they mean for the next term's estimated premium and so its deposit."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trueup.audits.models import Audit
from trueup.audits.reasons import class_words
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
    return usd(value) if _on_payroll(line) else f"{value:,}"


def _on_payroll(line: Mapping[str, Any]) -> bool:
    return bool(line.get("basis", "payroll") == "payroll")


def _class_words(audit: Audit, line: Mapping[str, Any]) -> str:
    return class_words(
        line["state"], line["class_code"], class_name(audit, line["state"], line["class_code"])
    )


# How many audits a trend is over, in the reader's words (the recommendation's own counts).
COUNTS = {
    2: gettext_lazy("two"),
    3: gettext_lazy("three"),
    4: gettext_lazy("four"),
    5: gettext_lazy("five"),
    6: gettext_lazy("six"),
}


def _trend(line: Mapping[str, Any]) -> str:
    percent = as_decimal(line.get("growth_percent"))
    audited = line.get("audited") or []
    if percent is None or len(audited) < 2:
        return _("to match what the audit found")
    said = {"percent": abs(percent), "count": COUNTS.get(len(audited), len(audited))}
    if percent > 0:
        return _("because it grew %(percent)s %% over your last %(count)s audits") % said
    if percent < 0:
        return _("because it fell %(percent)s %% over your last %(count)s audits") % said
    return _("because it held steady over your last %(count)s audits") % said


def _sentence(audit: Audit, line: Mapping[str, Any]) -> str:
    action = line["action"]
    said = {
        "class": _class_words(audit, line),
        "amount": _amount(line, "recommended"),
        "current": _amount(line, "current"),
        "recommended": _amount(line, "recommended"),
        "name": line.get("name", ""),
    }
    payroll = _on_payroll(line)
    if action == rec.CLASS_ADD:
        text = (
            _(
                "We add %(class)s, with an estimated payroll of %(amount)s: the audit found work "
                "of this kind that the policy did not list."
            )
            if payroll
            else _(
                "We add %(class)s, with an estimated exposure of %(amount)s: the audit found work "
                "of this kind that the policy did not list."
            )
        )
    elif action == rec.CLASS_REMOVE:
        text = (
            _("We remove %(class)s: the audit found no payroll in it.")
            if payroll
            else _("We remove %(class)s: the audit found no exposure in it.")
        )
    elif action == rec.EXPOSURE_CHANGE:
        said["trend"] = _trend(line)
        text = (
            _(
                "The estimated payroll for %(class)s changes from %(current)s to "
                "%(recommended)s, %(trend)s."
            )
            if payroll
            else _(
                "The estimated exposure for %(class)s changes from %(current)s to "
                "%(recommended)s, %(trend)s."
            )
        )
    else:
        text = {
            rec.OFFICER_EXCLUDE: _("%(name)s stays excluded from the coverage, as at the audit."),
            rec.OFFICER_INCLUDE: _("%(name)s is included in the coverage, as at the audit."),
            rec.OFFICER_ELECT: _("%(name)s keeps the coverage elected, as at the audit."),
        }[action]
    return text % said


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
