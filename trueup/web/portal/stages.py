"""Where an audit stands, in the insured's words, and the records still wanted from them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from trueup.accounts.models import User
from trueup.audits.models import Audit, RecordsItem, RecordStatus
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.workflow import CLOSED, Status
from trueup.policies.models import PolicyPeriod
from trueup.portal import labels

# The stages an insured sees, in order, with what each means for them.
STAGES: list[tuple[str, Promise, Promise]] = [
    (Status.SCHEDULED, _("Scheduled"), _("Your audit is scheduled. We will ask for your records.")),
    (
        Status.RECORDS_REQUESTED,
        _("Records requested"),
        _("Please complete the self-audit and upload the records listed below."),
    ),
    (
        Status.RECORDS_RECEIVED,
        _("Records received"),
        _("We have your records and will review them."),
    ),
    (Status.IN_PROGRESS, _("Being audited"), _("Your auditor is working on the audit.")),
    (Status.IN_REVIEW, _("In review"), _("The audit is being reviewed before it is final.")),
    (Status.COMPLETED, _("Completed"), _("The audit is complete: see the results below.")),
]
OTHER_STAGES: dict[str, Promise] = {
    Status.WAIVED: _(
        "This audit was waived: the estimated premium stands. You may ask for an "
        "audit within {request_window_days} days of the waiver."
    ),
    Status.ESTIMATED: _(
        "This audit was estimated because records were not received. Send your "
        "records and we can revise it."
    ),
    Status.REVISED: _("This audit was revised: see the newer audit for the current result."),
    Status.REVERSED: _("This audit was reversed."),
}


# Records received, but only the self-audit: the stage must not say the records are all in
# while the page lists some still needed.
SELF_AUDIT_ONLY = (
    _("Self-audit received"),
    _(
        "We have your self-audit. Please upload the {needed} still needed below: we review the "
        "audit when they are in."
    ),
)


def stage(audit: Audit) -> dict[str, Any]:
    order = [s for s, _, _ in STAGES]
    current = order.index(audit.status) if audit.status in order else None
    still = len(missing(audit)) if audit.status == Status.RECORDS_RECEIVED else 0
    if still:
        return _self_audit_only(order.index(audit.status), still)
    return {
        "label": labels.status(audit.status),
        "steps": [
            {
                "label": label,
                "state": "done"
                if current is not None and i < current
                else "current"
                if i == current
                else "todo",
            }
            for i, (_, label, _) in enumerate(STAGES)
        ]
        if current is not None
        else [],
        "text": STAGES[current][2]
        if current is not None
        # The waiver's request window is schedule.toml's, as audit_reopen counts it.
        else str(OTHER_STAGES.get(audit.status, "")).format(**scheduling_rules()["waiver"]),
    }


def _self_audit_only(current: int, still: int) -> dict[str, Any]:
    steps = [
        {"label": label, "state": "done" if i < current else "todo"}
        for i, (_, label, _) in enumerate(STAGES)
    ]
    steps[current] = {"label": SELF_AUDIT_ONLY[0], "state": "current"}
    needed = ngettext("%(count)d record", "%(count)d records", still) % {"count": still}
    return {
        "steps": steps,
        "label": SELF_AUDIT_ONLY[0],
        "text": str(SELF_AUDIT_ONLY[1]).format(needed=needed),
    }


def completion_note(audit: Audit, today: date) -> str:
    """When we aim to finish, never as a promise already broken: a target in the past says the
    audit is late and being completed."""
    if audit.due_date is None or audit.status in CLOSED:
        return ""
    aim = dateformat.format(audit.due_date, gettext("F j, Y"))
    if audit.due_date >= today:
        return gettext("We aim to complete the audit by %(day)s.") % {"day": aim}
    return gettext(
        "The audit is taking longer than we planned (we aimed to complete it by %(day)s). "
        "We are completing it now and will write to you when it is done."
    ) % {"day": aim}


def audited_period(period: PolicyPeriod) -> dict[str, Any]:
    """The policy term, and the part of it audited: up to the cancellation date when the policy
    was cancelled before it expired."""
    cancelled = period.cancellation_date
    if cancelled is not None and cancelled >= period.expiration:
        cancelled = None
    return {
        "effective": period.effective,
        "expiration": period.expiration,
        "cancelled": cancelled,
        "audited_to": cancelled or period.expiration,
    }


def auditor_name(user: User | None) -> str:
    """The auditor's own name for the insured; blank (the page says "your auditor") when the
    account has none, never the login's user name."""
    return user.get_full_name().strip() if user is not None else ""


def missing(audit: Audit) -> list[RecordsItem]:
    return [
        r for r in audit.records.all() if r.status in (RecordStatus.NEEDED, RecordStatus.REJECTED)
    ]
