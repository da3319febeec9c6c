"""The audit's statuses and the one declared table of actions: who may take each action, from
which statuses, to which status it moves the audit and whether it must say why. The transition
map, the services' checks, the workbench's buttons and the API's list of actions all come from
this table."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from trueup.accounts.models import Role


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RECORDS_REQUESTED = "records_requested", "Records requested"
    RECORDS_RECEIVED = "records_received", "Records received"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    COMPLETED = "completed", "Completed"
    WAIVED = "waived", "Waived"
    ESTIMATED = "estimated", "Estimated (non-compliant)"
    REVISED = "revised", "Revised"
    REVERSED = "reversed", "Reversed"


S = Status

# Named sets of statuses, each used wherever that question is asked.
# A result that became final: completed, estimated (records not provided) or waived.
FINAL = frozenset({S.COMPLETED, S.ESTIMATED, S.WAIVED})
# A final result with a premium adjustment: what is explained, disputed, billed, revised or
# reversed. A waived audit's estimate stands with nothing to bill.
BILLABLE = FINAL - {S.WAIVED}
# The audit's final result is still the one to show: final, or replaced by a revision (whose own
# result is the current one).
RESULT_SHOWN = FINAL | {S.REVISED}
# Audits with nothing left to do: final, or replaced by a revision, or reversed.
CLOSED = FINAL | {S.REVISED, S.REVERSED}
# The statuses in which the worksheet facts may still change.
FACTS_EDITABLE = frozenset({S.SCHEDULED, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED, S.IN_PROGRESS})
# While records are being gathered the policyholder may report facts (the online self-audit).
SELF_REPORTING = frozenset({S.SCHEDULED, S.RECORDS_REQUESTED})

_WORKERS = frozenset({Role.AUDITOR, Role.MANAGER, Role.ADMIN})
_REVIEWERS = frozenset({Role.REVIEWER, Role.MANAGER, Role.ADMIN})
_MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
_PREPARERS = _WORKERS | {Role.REVIEWER}


@dataclass(frozen=True)
class Action:
    """One thing a user may do to an audit. A move is offered ``offered_from`` some statuses and
    takes the audit to one of ``to`` (submit goes to review or straight to completed); the other
    actions (editing facts, assigning, documenting) change no status."""

    name: str
    roles: frozenset[str]
    offered_from: frozenset[str] = frozenset()
    to: frozenset[str] = frozenset()
    reason_required: bool = False

    @property
    def is_move(self) -> bool:
        return bool(self.to)

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


# In the order the workbench offers them.
ACTIONS: tuple[Action, ...] = (
    Action(
        "start",
        _WORKERS,
        frozenset({S.SCHEDULED, S.RECORDS_REQUESTED, S.RECORDS_RECEIVED}),
        frozenset({S.IN_PROGRESS}),
    ),
    Action(
        "request_records",
        _WORKERS,
        frozenset({S.SCHEDULED, S.IN_PROGRESS}),
        frozenset({S.RECORDS_REQUESTED}),
    ),
    Action(
        "receive_records",
        _WORKERS,
        frozenset({S.RECORDS_REQUESTED}),
        frozenset({S.RECORDS_RECEIVED}),
    ),
    # Completed when the adjustment is within the preparer's authority, else to a reviewer.
    Action(
        "submit",
        _PREPARERS,
        frozenset({S.IN_PROGRESS}),
        frozenset({S.COMPLETED, S.IN_REVIEW}),
    ),
    Action("approve", _REVIEWERS, frozenset({S.IN_REVIEW}), frozenset({S.COMPLETED})),
    Action(
        "return",
        _REVIEWERS,
        frozenset({S.IN_REVIEW}),
        frozenset({S.IN_PROGRESS}),
        reason_required=True,
    ),
    Action(
        "waive",
        _MANAGERS,
        frozenset({S.SCHEDULED, S.RECORDS_REQUESTED}),
        frozenset({S.WAIVED}),
    ),
    Action(
        "estimate",
        _WORKERS,
        frozenset({S.RECORDS_REQUESTED}),
        frozenset({S.ESTIMATED}),
        reason_required=True,
    ),
    Action("revise", _MANAGERS, BILLABLE, frozenset({S.REVISED}), reason_required=True),
    Action("reverse", _MANAGERS, BILLABLE, frozenset({S.REVERSED}), reason_required=True),
    # The insured asked for an audit of a waived period, within the waiver's request window
    # (schedule.toml's waiver.request_window_days).
    Action(
        "reopen",
        _WORKERS,
        frozenset({S.WAIVED}),
        frozenset({S.SCHEDULED}),
        reason_required=True,
    ),
    Action("edit_facts", _WORKERS),
    Action("assign", _MANAGERS),
    # Interview notes, the records checklist and findings.
    Action("document", _PREPARERS),
    # The insured's payment history, as billing reports it.
    Action("record_payments", frozenset({Role.BILLING, Role.ADMIN})),
    # Underwriting's answer to a referral (what it did about it), at any status.
    Action("answer_referral", frozenset({Role.UNDERWRITER, Role.MANAGER, Role.ADMIN})),
)
ACTIONS_BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}
# The actions that move an audit: the workbench's buttons and the API's actions.
MOVES: tuple[str, ...] = tuple(action.name for action in ACTIONS if action.is_move)

# The one transition map: every move any action makes, from each status it is offered from.
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(to for action in ACTIONS if status in action.offered_from for to in action.to)
    for status in Status
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
