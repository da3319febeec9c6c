"""An audit's moves that reach beyond the audit: records requested (the portal invites the
insured), a result becoming final (the outreach window before billing opens) and a final result
replaced (billing hears of it). Each runs in one transaction, in the order written here."""

from __future__ import annotations

from django.db import transaction

from trueup.accounts.models import User
from trueup.audits import services as audits
from trueup.audits.models import Audit
from trueup.audits.workflow import BILLABLE, Status
from trueup.billing import services as billing
from trueup.endorsements.services import audit_endorsement_correct, audit_endorsement_issue
from trueup.portal.services import invitation_issue
from trueup.renewals.services import TERM_TYPES, recommendation_make


@transaction.atomic
def audit_request_records(*, audit: Audit, by: User, reason: str = "") -> Audit:
    """Ask for the records, and invite the insured's contact to the portal to send them."""
    moved = audits.audit_request_records(audit=audit, by=by, reason=reason)
    invitation_issue(audit=moved, by=by)
    return moved


@transaction.atomic
def audit_submit(*, audit: Audit, by: User) -> Audit:
    return _after(audits.audit_submit(audit=audit, by=by), by)


@transaction.atomic
def audit_approve(*, audit: Audit, by: User, reason: str = "") -> Audit:
    return _after(audits.audit_approve(audit=audit, by=by, reason=reason), by)


@transaction.atomic
def audit_estimate(*, audit: Audit, by: User, reason: str) -> Audit:
    return _after(audits.audit_estimate(audit=audit, by=by, reason=reason), by)


@transaction.atomic
def audit_reverse(*, audit: Audit, by: User, reason: str) -> Audit:
    """Reverse a final audit: anything already billed for it is handed back to billing."""
    reversed_audit = audits.audit_reverse(audit=audit, by=by, reason=reason)
    billing.audit_replaced(audit=reversed_audit, by=by)
    audit_endorsement_correct(audit=reversed_audit, by=by, reason=f"audit reversed: {reason}")
    return reversed_audit


@transaction.atomic
def audit_revise(*, audit: Audit, by: User, reason: str) -> Audit:
    """Open a revision; the original's outreach not yet released is closed."""
    revision = audits.audit_revise(audit=audit, by=by, reason=reason)
    billing.audit_replaced(audit=Audit.objects.get(pk=audit.pk), by=by)
    audit_endorsement_correct(audit=audit, by=by, reason=f"audit revised: {reason}")
    return revision


def _after(moved: Audit, by: User) -> Audit:
    """A result that became final goes to the outreach window (or, for a revision resolving a
    dispute, straight to billing), and is recorded on the period by its audit endorsement (a
    revision's also corrects the original's, if its revision did not already). A completed audit
    of a whole term also recommends the next term's estimate."""
    if moved.status in BILLABLE:
        billing.outreach_open(audit=moved, by=by)
        if moved.final_result is not None:
            audit_endorsement_issue(audit=moved, result=moved.final_result, by=by)
        if moved.revision_of is not None:
            audit_endorsement_correct(audit=moved.revision_of, by=by, reason="audit revised")
        if _recommends(moved):
            recommendation_make(audit=moved)
    return moved


def _recommends(audit: Audit) -> bool:
    """Only a completed audit of a whole term has the audited exposure a renewal is recommended
    from: an estimated audit's is the policy's own estimate, an interim audit's part of a term."""
    return (
        audit.status == Status.COMPLETED
        and audit.type in TERM_TYPES
        and audit.final_result_id is not None
    )


WITH_REASON = {
    "request_records": audit_request_records,
    "approve": audit_approve,
    "estimate": audit_estimate,
    "reverse": audit_reverse,
    "revise": audit_revise,
}


@transaction.atomic
def audit_act(*, audit: Audit, by: User, action: str, reason: str = "") -> Audit:
    """Take a named action (the API's and the workbench's buttons), with what it sets off in
    the other apps. ``revise`` answers with the new revision."""
    if action == "submit":
        audits.check_action(action=action, reason=reason)
        return audit_submit(audit=audit, by=by)
    if action in WITH_REASON:
        audits.check_action(action=action, reason=reason)
        return WITH_REASON[action](audit=audit, by=by, reason=reason)
    return audits.audit_act(audit=audit, by=by, action=action, reason=reason)
