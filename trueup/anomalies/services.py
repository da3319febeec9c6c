"""Deciding an anomaly flag: accepted or dismissed, with a reason, while the audit is open."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trueup.accounts.models import User
from trueup.anomalies.models import Decision, FlagDecision
from trueup.anomalies.selectors import flags_for
from trueup.audits.models import Audit
from trueup.audits.selectors import has_facts, working_result
from trueup.audits.services import check_role
from trueup.audits.workflow import CLOSED
from trueup.core.errors import InvalidInput, Problem, Refused


@transaction.atomic
def flag_decide(*, audit: Audit, key: str, decision: str, reason: str, by: User) -> FlagDecision:
    """Accept or dismiss one of the audit's current flags. A final audit's flags were decided
    before it became final: they are not decided again."""
    check_role(by, "document")
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if locked.status in CLOSED:
        raise Refused(
            f"the audit is {locked.get_status_display().lower()}: its flags are not decided again"
        )
    problems = []
    if decision not in Decision.values:
        problems.append(Problem("decision", "accepted or dismissed"))
    if not reason.strip():
        problems.append(Problem("reason", "say why the flag is accepted or dismissed"))
    if problems:
        raise InvalidInput(problems)
    result = _result(locked)
    current = {row.flag.key: row.flag for row in flags_for(locked, result)}
    flag = current.get(key)
    if flag is None:
        raise Refused("this flag is no longer raised: the figures changed since the page was shown")
    return FlagDecision.objects.create(
        audit=locked,
        key=key,
        code=flag.code,
        text=flag.text,
        decision=decision,
        reason=reason.strip(),
        by=by,
    )


def _result(audit: Audit) -> dict[str, Any] | None:
    """The rating the flags are read from, as the audit page shows it."""
    result, _, _ = working_result(audit, has_facts(audit))
    return result
