"""The audit's enumerations as the portal names them to insureds and agents, in their language:
the audit's status and type, and its records checklist."""

from __future__ import annotations

from django.utils.functional import Promise
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
