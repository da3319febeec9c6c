"""The audit's history, written in one place: every app notes what it did to an audit here
(status moves are written by the workflow as status changes)."""

from __future__ import annotations

from trueup.accounts.models import User
from trueup.audits.models import Audit, AuditEdit


def history_note(*, audit: Audit, by: User | None, summary: str) -> AuditEdit:
    """One line of the audit's history: who did what. ``by`` is None for TrueUp's own work
    (scheduled tasks, releases when a window ends)."""
    return AuditEdit.objects.create(audit=audit, by=by, summary=summary)
