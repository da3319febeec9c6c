"""Where an audit stands, in the insured's words, and the records still wanted from them."""

from __future__ import annotations

from typing import Any

from trueup.audits.models import Audit, RecordsItem, RecordStatus
from trueup.audits.scheduling import rules as scheduling_rules
from trueup.audits.workflow import Status

# The stages an insured sees, in order, with what each means for them.
STAGES: list[tuple[str, str, str]] = [
    (Status.SCHEDULED, "Scheduled", "Your audit is scheduled. We will ask for your records."),
    (
        Status.RECORDS_REQUESTED,
        "Records requested",
        "Please complete the self-audit and upload the records listed below.",
    ),
    (Status.RECORDS_RECEIVED, "Records received", "We have your records and will review them."),
    (Status.IN_PROGRESS, "Being audited", "Your auditor is working on the audit."),
    (Status.IN_REVIEW, "In review", "The audit is being reviewed before it is final."),
    (Status.COMPLETED, "Completed", "The audit is complete: see the results below."),
]
OTHER_STAGES: dict[str, str] = {
    Status.WAIVED: "This audit was waived: the estimated premium stands. You may ask for an "
    "audit within {request_window_days} days of the waiver.",
    Status.ESTIMATED: "This audit was estimated because records were not received. Send your "
    "records and we can revise it.",
    Status.REVISED: "This audit was revised: see the newer audit for the current result.",
    Status.REVERSED: "This audit was reversed.",
}


def stage(audit: Audit) -> dict[str, Any]:
    order = [s for s, _, _ in STAGES]
    current = order.index(audit.status) if audit.status in order else None
    return {
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
        else OTHER_STAGES.get(audit.status, "").format(**scheduling_rules()["waiver"]),
    }


def missing(audit: Audit) -> list[RecordsItem]:
    return [
        r for r in audit.records.all() if r.status in (RecordStatus.NEEDED, RecordStatus.REJECTED)
    ]
