"""The audit's enumerations as the portal names them to insureds and agents, in their language:
the audit's status and type, and its records checklist."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from trueup.audits.models import AuditType, RecordKind, RecordStatus
from trueup.audits.workflow import Status
from trueup.portal.models import AccessKind

STATUS: dict[str, Promise] = {
    Status.SCHEDULED: _("Scheduled"),
    Status.RECORDS_REQUESTED: _("Records requested"),
    Status.RECORDS_RECEIVED: _("Records received"),
    Status.IN_PROGRESS: _("In progress"),
    Status.IN_REVIEW: _("In review"),
    Status.COMPLETED: _("Completed"),
    Status.WAIVED: _("Waived"),
    Status.ESTIMATED: _("Estimated (non-compliant)"),
    Status.REVISED: _("Revised"),
    Status.REVERSED: _("Reversed"),
}

AUDIT_TYPE: dict[str, Promise] = {
    AuditType.FINAL: _("Final audit"),
    AuditType.CANCELLATION: _("Cancellation audit"),
    AuditType.INTERIM: _("Interim audit"),
    AuditType.PRELIMINARY: _("Preliminary audit"),
    AuditType.PREMIUM_REPORT: _("Premium report audit"),
    AuditType.WAIVED: _("Waived audit"),
}

RECORD_KIND: dict[str, Promise] = {
    RecordKind.PAYROLL_REGISTER: _("Payroll register"),
    RecordKind.FORM_941: _("Quarterly 941s"),
    RecordKind.STATE_UI: _("State unemployment reports"),
    RecordKind.GENERAL_LEDGER: _("General ledger"),
    RecordKind.CHECK_REGISTER: _("Check register / cash disbursements"),
    RecordKind.CERTIFICATES: _("Subcontractors' certificates of insurance"),
    RecordKind.FORMS_1099: _("1099s and 1096"),
    RecordKind.TAX_RETURN: _("Business tax return (Schedule C, 1120, Schedule K)"),
    RecordKind.OWNER_OPERATOR: _("Owner-operator documents"),
}

RECORD_STATUS: dict[str, Promise] = {
    RecordStatus.NEEDED: _("Needed"),
    RecordStatus.RECEIVED: _("Received"),
    RecordStatus.ACCEPTED: _("Accepted"),
    RecordStatus.REJECTED: _("Rejected"),
    RecordStatus.NOT_NEEDED: _("Not needed"),
}


def status(value: str) -> str:
    return str(STATUS.get(value, value))


def audit_type(value: str) -> str:
    return str(AUDIT_TYPE.get(value, value))


def record_kind(value: str) -> str:
    return str(RECORD_KIND.get(value, value))


def record_status(value: str) -> str:
    return str(RECORD_STATUS.get(value, value))


ACCESS_KIND: dict[str, Promise] = {
    AccessKind.OWNER: _("Policyholder"),
    AccessKind.DELEGATE: _("Delegate (bookkeeper, CPA)"),
}


def access_kind(value: str) -> str:
    return str(ACCESS_KIND.get(value, value))


# What an upload's scan found, as core.redaction writes it (in English, kept with the upload).
_FOUND = re.compile(
    r"^(\d+) social security numbers? found; a redacted copy is shown instead of the original\."
    r"( Some pages are pictures and were not checked\.)?$"
)
_NOTES: dict[str, Promise] = {
    "Not checked for social security numbers: images and scanned pages cannot be read.": _(
        "Not checked for social security numbers: images and scanned pages cannot be read."
    ),
    "No social security numbers found.": _("No social security numbers found."),
}


def upload_note(note: str) -> str:
    """An upload's note in the reader's language (one not known is shown as it is)."""
    found = _FOUND.match(note)
    if found is None:
        return str(_NOTES.get(note, note))
    count = int(found.group(1))
    said = ngettext(
        "%(count)d social security number found; a redacted copy is shown instead of the original.",
        "%(count)d social security numbers found; a redacted copy is shown instead of the "
        "original.",
        count,
    ) % {"count": count}
    if found.group(2):
        said += " " + gettext("Some pages are pictures and were not checked.")
    return said
