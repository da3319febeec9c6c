"""The audit's enumerations in the portal reader's language: the audit's own
(``trueup.portal.labels``), and the letters and billing the portal shows."""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trueup.audits.models import RecordsItem
from trueup.audits.scheduling import record_reason
from trueup.billing.models import DisputeStatus, InstructionKind
from trueup.letters.models import LetterKind
from trueup.portal import labels

register = template.Library()

register.filter("access_kind", labels.access_kind)
register.filter("audit_status", labels.status)
register.filter("audit_type", labels.audit_type)
register.filter("record_kind", labels.record_kind)
register.filter("record_status", labels.record_status)
register.filter("upload_note", labels.upload_note)

DISPUTE_STATUS: dict[str, Promise] = {
    DisputeStatus.OPEN: _("Open"),
    DisputeStatus.UPHELD: _("Audit upheld"),
    DisputeStatus.REVISED: _("Audit revised"),
}
INSTRUCTION_KIND: dict[str, Promise] = {
    InstructionKind.INVOICE: _("Invoice additional premium"),
    InstructionKind.REFUND: _("Refund return premium"),
    InstructionKind.CREDIT: _("Credit return premium to the next term"),
    InstructionKind.NO_CHANGE: _("No change"),
}
LETTER_KIND: dict[str, Promise] = {
    LetterKind.RECORDS_REQUEST: _("Audit notice and records request"),
    LetterKind.REMINDER_1: _("First reminder"),
    LetterKind.REMINDER_2: _("Second reminder"),
    LetterKind.REMINDER_FINAL: _("Final reminder"),
    LetterKind.WAIVER: _("Waiver letter"),
    LetterKind.ESTIMATED: _("Estimated audit and non-compliance notice"),
    LetterKind.RESULTS: _("Results and premium adjustment summary"),
    LetterKind.DISPUTE_ACK: _("Dispute acknowledgement"),
    LetterKind.DISPUTE_OUTCOME: _("Dispute outcome"),
    LetterKind.PAYMENT_PLAN: _("Payment plan agreement"),
    LetterKind.POLICY_CHANGES: _("Policy changes found at audit"),
    LetterKind.FUTURE_CHANGES: _("Future policy changes at renewal"),
}


@register.filter
def dispute_status(value: str) -> str:
    return str(DISPUTE_STATUS.get(value, value))


@register.filter
def instruction_kind(value: str) -> str:
    return str(INSTRUCTION_KIND.get(value, value))


@register.filter
def letter_kind(value: str) -> str:
    return str(LETTER_KIND.get(value, value))


@register.filter
def record_why(item: RecordsItem) -> str:
    """Why a record is asked for, in the reader's language where the checklist says it (the
    reason kept on the item otherwise)."""
    language = (get_language() or "en").split("-")[0]
    return record_reason(item.kind, language, item.why) if language != "en" else item.why
