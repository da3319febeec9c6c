"""Records reminders, sent on time: the first, second and final reminder go out by themselves
(``trueup send-reminders``, run daily) to audits still waiting for records, each once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from trueup.accounts.models import User
from trueup.audits.history import history_note
from trueup.audits.models import Audit, AuditEdit
from trueup.audits.selectors import records_requested_on
from trueup.audits.workflow import Status
from trueup.core import clock
from trueup.letters import services
from trueup.letters.models import Letter
from trueup.letters.rules import rules


@dataclass(frozen=True)
class Sent:
    audit: Audit
    kind: str
    letter: Letter | None  # None: due but not sent (the history says why)
    reason: str = ""


def reminder_due(audit: Audit, today: date) -> str | None:
    """The reminder this audit should get today, if any: the latest one whose day has come and
    that was not sent since the records were asked for. Only one goes out at a time."""
    asked = records_requested_on(audit)
    if asked is None:
        return None
    days = {k: int(v) for k, v in rules()["reminders"].items() if k != "source"}
    order: list[str] = sorted(days, key=lambda kind: days[kind])
    due = [kind for kind in order if today >= asked + timedelta(days=days[kind])]
    if not due:
        return None
    sent = set(
        Letter.objects.filter(audit=audit, kind__in=order, queued_at__date__gte=asked).values_list(
            "kind", flat=True
        )
    )
    # This reminder or a later one already went (perhaps sent by hand): nothing more today.
    if sent & set(order[order.index(due[-1]) :]):
        return None
    latest: str = due[-1]
    return latest


def reminders_send_due(today: date | None = None, by: User | None = None) -> list[Sent]:
    """Send every reminder that is due today; one that cannot go (nothing missing, no e-mail
    address) is noted in the audit's history."""
    today = today or clock.today()
    done = []
    for audit in Audit.objects.filter(status=Status.RECORDS_REQUESTED).select_related(
        "period__policy__insured"
    ):
        kind = reminder_due(audit, today)
        if kind is None:
            continue
        try:
            done.append(Sent(audit, kind, services.letter_send(audit=audit, kind=kind, by=by)))
        except services.LetterRefused as e:
            # Noted once per records request, not on every daily run.
            note = f"{kind.replace('_', ' ')} not sent: {e.message}"
            asked = records_requested_on(audit)
            if not AuditEdit.objects.filter(
                audit=audit, summary=note, at__date__gte=asked
            ).exists():
                history_note(audit=audit, by=by, summary=note)
            done.append(Sent(audit, kind, None, str(e.message)))
    return done
