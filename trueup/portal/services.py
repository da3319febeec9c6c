"""Writes for the portal: invitations and their PINs, delegated access, messages, record uploads
and worksheet requests. Keyword-only and atomic, like the workbench's services."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trueup.accounts.models import Role, User
from trueup.audits.history import history_note
from trueup.audits.models import Audit, RecordsItem, RecordStatus
from trueup.audits.selectors import respond_by
from trueup.audits.workflow import CLOSED
from trueup.core.errors import InvalidInput, Problem, Refused
from trueup.core.redaction import describe, redact
from trueup.core.uploads import UploadRefused, sniff
from trueup.notifications.models import Kind
from trueup.notifications.services import audit_link, notify_assignee
from trueup.policies.models import Insured
from trueup.portal.access import is_owner, may_report, portal_rules
from trueup.portal.labels import record_kind, record_status
from trueup.portal.mail import email_after_commit
from trueup.portal.models import (
    AccessKind,
    AccessLog,
    Invitation,
    Message,
    PortalAccess,
    RecordUpload,
)


class PortalRefused(Refused):
    """A portal action that cannot be done, with the reason shown to the user."""

    code = "portal_refused"


class InvitationRefused(PortalRefused):
    code = "invitation_refused"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pin_hash(reference: str, pin: str) -> str:
    """A keyed hash of the PIN. Six digits cannot resist guessing once a hash and its key are
    both stolen, however slow the hash, so the PIN is keyed with the server's secret (kept apart
    from the database) and protected online by the throttle and the lockout."""
    return salted_hmac("trueup.portal.invitation-pin", f"{reference}:{pin}").hexdigest()


def log_access(
    *,
    request_meta: dict[str, str] | None,
    method: str,
    path: str,
    status: int,
    user: User | None = None,
    audit_id: int | None = None,
    invitation: Invitation | None = None,
    event: str = "",
    upload: RecordUpload | None = None,
    original: bool = False,
) -> None:
    """One row of the portal's access log: refused requests and wrong PINs included; for a
    file, which one and whether its original was opened."""
    ip = (request_meta or {}).get("REMOTE_ADDR") or None
    AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        audit_id=audit_id,
        invitation=invitation,
        method=method[:8],
        path=path[:300],
        ip=ip,
        status=status,
        event=event,
        upload=upload,
        original=original,
    )


# Invitations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token and PIN: shown once, never stored in the clear (the PIN is
    in the letter, which staff mail)."""

    invitation: Invitation
    token: str
    pin: str


def _new_reference() -> str:
    # Letters and digits that cannot be misread for each other on paper.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        reference = "".join(secrets.choice(alphabet) for _ in range(8))
        if not Invitation.objects.filter(reference=reference).exists():
            return reference


def invitation_url(token: str) -> str:
    return f"{settings.TRUEUP_PORTAL_URL.rstrip('/')}/portal/invitations/{token}/"


def _issue(
    *,
    insured: Insured,
    audit: Audit | None,
    kind: str,
    email: str,
    name: str,
    by: User | None,
    language: str,
) -> IssuedInvitation:
    rules = portal_rules()["invitation"]
    now = timezone.now()
    # A new invitation replaces the person's earlier ones that were never used.
    Invitation.objects.filter(
        insured=insured, email__iexact=email, redeemed_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    pin = "".join(secrets.choice("0123456789") for _ in range(int(rules["pin_digits"])))
    reference = _new_reference()
    invitation = Invitation.objects.create(
        insured=insured,
        audit=audit,
        kind=kind,
        name=name,
        email=email,
        token_hash=_hash(token),
        pin_hash=_pin_hash(reference, pin),
        reference=reference,
        created_by=by,
        expires_at=now + timedelta(days=int(rules["expires_after_days"])),
        language=language,
    )
    context = {
        "invitation": invitation,
        "insured": insured,
        "audit": audit,
        "url": invitation_url(token),
        "pin": pin,
        "respond_by": respond_by(audit),
        "rules": rules,
    }
    # The letter and the e-mail are written in the invitation's language.
    with translation.override(language):
        invitation.letter = render_to_string("portal/invitation_letter.txt", context)
        subject = _("Your premium audit: set up your online access (%(insured)s)") % {
            "insured": insured.name
        }
        body = render_to_string("portal/invitation_email.txt", context)
    invitation.save(update_fields=["letter"])
    email_after_commit(
        audit=audit,
        subject=subject,
        body=body,
        to=[email],
        about=f"portal invitation {invitation.reference}",
    )
    return IssuedInvitation(invitation, token, pin)


@transaction.atomic
def invitation_issue(
    *, audit: Audit, by: User | None, language: str = ""
) -> IssuedInvitation | None:
    """The invitation for the insured's contact that an audit's records request produces: the link
    by e-mail, the PIN in the letter, in ``language`` (staff choose it; the insured's preferred
    language otherwise). None when the insured has no e-mail address on file (the history says
    so) or already has a portal login (they are told by e-mail instead)."""
    insured = audit.period.policy.insured
    language = language if language in dict(settings.LANGUAGES) else insured.language
    if not insured.contact_email:
        history_note(
            audit=audit, by=by, summary="no portal invitation: the insured has no contact e-mail"
        )
        return None
    owner = (
        PortalAccess.objects.filter(insured=insured, kind=AccessKind.OWNER, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if owner is not None:
        # The policyholder already signs in: told in their login's language.
        with translation.override(owner.user.language):
            subject = _("Your premium audit: records requested (%(insured)s)") % {
                "insured": insured.name
            }
            body = render_to_string(
                "portal/records_requested_email.txt",
                {"audit": audit, "insured": insured, "respond_by": respond_by(audit)},
            )
        email_after_commit(
            audit=audit,
            subject=subject,
            body=body,
            to=[insured.contact_email],
            about="records requested",
        )
        history_note(
            audit=audit, by=by, summary=f"records request e-mailed to {insured.contact_email}"
        )
        return None
    issued = _issue(
        insured=insured,
        audit=audit,
        kind=AccessKind.OWNER,
        email=insured.contact_email,
        name=insured.contact_name,
        by=by,
        language=language,
    )
    history_note(
        audit=audit,
        by=by,
        summary=f"portal invitation {issued.invitation.reference} sent to {insured.contact_email}",
    )
    return issued


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("insured", "audit")
        .filter(token_hash=_hash(token))
        .first()
    )


def invitation_state(invitation: Invitation) -> str:
    """``open``, or why the invitation can no longer be used."""
    if invitation.redeemed_at is not None:
        return "used"
    if invitation.withdrawn_at is not None:
        return "replaced"
    if invitation.locked_at is not None:
        return "locked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "open"


def pin_wait_seconds(invitation: Invitation, now: datetime | None = None) -> int:
    """Whole seconds before the next PIN may be tried (rounded up); 0 when it may be now."""
    if invitation.next_attempt_at is None:
        return 0
    left = (invitation.next_attempt_at - (now or timezone.now())).total_seconds()
    return max(0, math.ceil(left))


def pin_tries_left(invitation: Invitation) -> int:
    """Wrong PINs still allowed before the invitation locks (portal.toml's limit)."""
    limit = int(portal_rules()["invitation"]["max_failed_attempts"])
    return max(0, limit - invitation.failed_attempts)


class PinRetry(InvalidInput):
    """The PIN may be tried again after a wait: after a wrong PIN, or when tried too soon. The
    page keeps the form and counts the wait down; the figures travel with the refusal."""

    def __init__(self, *, wrong: bool, wait: int, left: int) -> None:
        self.wrong, self.wait, self.left = wrong, wait, left
        tries = ngettext(
            "%(left)d try left before the link locks",
            "%(left)d tries left before the link locks",
            left,
        ) % {"left": left}
        then = ngettext(
            "Wait %(wait)d second before the next try: %(tries)s.",
            "Wait %(wait)d seconds before the next try: %(tries)s.",
            wait,
        ) % {"wait": wait, "tries": tries}
        wrong_pin = _("That PIN is not right.") + " " if wrong else ""
        super().__init__([Problem("pin", wrong_pin + then)])


# Lazy: each is read in the language of the request that is refused.
REFUSALS = {
    "used": gettext_lazy(
        "This invitation has already been used. Log in with the user name you chose."
    ),
    "replaced": gettext_lazy(
        "A newer invitation has replaced this one: use the link in the latest e-mail."
    ),
    "locked": gettext_lazy(
        "This invitation is locked after too many wrong PINs. Call your auditor for a new one."
    ),
    "expired": gettext_lazy("This invitation has expired. Call your auditor for a new one."),
}


def _check_account(username: str, email: str, password: str, password_again: str) -> list[Problem]:
    problems = []
    if not username.strip():
        problems.append(Problem("username", _("choose a user name")))
    elif User.objects.filter(username__iexact=username.strip()).exists():
        problems.append(Problem("username", _("that user name is taken: choose another")))
    if password != password_again:
        problems.append(Problem("password_again", _("the two passwords differ")))
    else:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as e:
            problems.extend(Problem("password", message) for message in e.messages)
    return problems


def invitation_redeem(
    *,
    token: str,
    pin: str,
    user: User | None = None,
    username: str = "",
    password: str = "",
    password_again: str = "",
    meta: dict[str, str] | None = None,
) -> User:
    """Redeem an invitation with its PIN: a new portal login (or the signed-in policyholder's
    own) gets access to the insured. Single use; a wrong PIN waits longer each time and locks
    the invitation after too many."""
    with transaction.atomic():
        found = invitation_for_token(token)
        if found is None:
            raise InvitationRefused(_("This link is not a valid invitation."))
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        state = invitation_state(invitation)
        if state != "open":
            raise InvitationRefused(str(REFUSALS[state]))
        now = timezone.now()
        if pin_wait_seconds(invitation, now):
            # Too soon, even with the right PIN: the form stays, saying how long to wait.
            raise PinRetry(
                wrong=False, wait=pin_wait_seconds(invitation, now), left=pin_tries_left(invitation)
            )
        signed_in = user is not None and user.is_authenticated
        if signed_in and user is not None and user.role != Role.INSURED:
            raise InvitationRefused(
                _("Log out first: this invitation is for a policyholder's login.")
            )
        if not signed_in:
            problems = _check_account(username, invitation.email, password, password_again)
            if problems:
                raise InvalidInput(problems)
        if constant_time_compare(_pin_hash(invitation.reference, pin.strip()), invitation.pin_hash):
            return _redeemed(invitation, user if signed_in else None, username, password, meta)
        # A wrong PIN: counted and committed here, so the refusal below cannot undo it.
        rules = portal_rules()["invitation"]
        invitation.failed_attempts += 1
        left = int(rules["max_failed_attempts"]) - invitation.failed_attempts
        if left <= 0:
            invitation.locked_at = now
        else:
            invitation.next_attempt_at = now + timedelta(
                seconds=invitation.failed_attempts * int(rules["wait_seconds_per_failure"])
            )
        invitation.save(update_fields=["failed_attempts", "locked_at", "next_attempt_at"])
        log_access(
            request_meta=meta,
            method="POST",
            path=f"/portal/invitations/{invitation.reference}",
            status=403,
            invitation=invitation,
            event="pin_locked" if left <= 0 else "pin_wrong",
        )
    if left <= 0:
        raise InvitationRefused(str(REFUSALS["locked"]))
    raise PinRetry(wrong=True, wait=pin_wait_seconds(invitation, now), left=left)


def _redeemed(
    invitation: Invitation,
    user: User | None,
    username: str,
    password: str,
    meta: dict[str, str] | None,
) -> User:
    if user is not None:
        account = user
    else:
        account = User.objects.create_user(
            username=username.strip(),
            email=invitation.email,
            password=password,
            role=Role.INSURED,
            first_name=invitation.name[:150],
            language=invitation.language,
        )
    if not PortalAccess.objects.filter(
        user=account, insured=invitation.insured, revoked_at__isnull=True
    ).exists():
        PortalAccess.objects.create(
            user=account,
            insured=invitation.insured,
            kind=invitation.kind,
            granted_by=invitation.created_by,
        )
    invitation.redeemed_at = timezone.now()
    invitation.redeemed_by = account
    invitation.save(update_fields=["redeemed_at", "redeemed_by"])
    log_access(
        request_meta=meta,
        method="POST",
        path=f"/portal/invitations/{invitation.reference}",
        status=200,
        user=account,
        invitation=invitation,
        audit_id=invitation.audit_id,
        event="redeemed",
    )
    if invitation.audit is not None:
        history_note(
            audit=invitation.audit,
            by=account,
            summary=f"portal invitation {invitation.reference} used by {account.username}",
        )
    return account


# Delegated access ------------------------------------------------------------------------------


def _check_owner(by: User, insured: Insured) -> None:
    if not is_owner(by, insured):
        raise PortalRefused(_("Only the policyholder may give or take away access."))


@transaction.atomic
def delegate_invite(*, insured: Insured, by: User, name: str, email: str) -> IssuedInvitation:
    """The policyholder invites a bookkeeper or CPA: the link goes to them by e-mail, the PIN is
    shown to the policyholder to pass on separately."""
    _check_owner(by, insured)
    problems = []
    if not name.strip():
        problems.append(Problem("name", _("give the person's name")))
    try:
        validate_email(email)
    except ValidationError:
        problems.append(Problem("email", _("enter a valid e-mail address")))
    if problems:
        raise InvalidInput(problems)
    return _issue(
        insured=insured,
        audit=None,
        kind=AccessKind.DELEGATE,
        email=email.strip(),
        name=name.strip(),
        by=by,
        # The delegate reads it in the language of the policyholder who invites them.
        language=by.language,
    )


@transaction.atomic
def delegate_revoke(*, access: PortalAccess, by: User) -> PortalAccess:
    """Take away a delegate's access; the row stays, with who revoked it and when."""
    _check_owner(by, access.insured)
    if access.kind != AccessKind.DELEGATE:
        raise PortalRefused(_("The policyholder's own access cannot be revoked here."))
    if access.revoked_at is not None:
        raise PortalRefused(_("That access was already revoked."))
    access.revoked_at = timezone.now()
    access.revoked_by = by
    access.save(update_fields=["revoked_at", "revoked_by"])
    return access


@transaction.atomic
def delegate_invitation_withdraw(*, invitation: Invitation, by: User) -> Invitation:
    _check_owner(by, invitation.insured)
    if invitation.kind != AccessKind.DELEGATE or invitation_state(invitation) != "open":
        raise PortalRefused(_("That invitation is no longer open."))
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    return invitation


# Messages --------------------------------------------------------------------------------------


def _who(user: User) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def message_post(*, audit: Audit, by: User, body: str) -> Message:
    """A message on the audit: from the portal to the auditor (who is e-mailed), or from staff to
    the insured and agent (who see it on their status page)."""
    body = body.strip()
    if not body:
        raise InvalidInput([Problem("body", _("write a message"))])
    if len(body) > 5000:
        raise InvalidInput([Problem("body", _("keep a message under 5,000 characters"))])
    message = Message.objects.create(
        audit=audit, author=by, from_portal=by.is_portal_user, body=body
    )
    if by.is_portal_user:
        notify_assignee(
            audit=audit,
            kind=Kind.MESSAGE,
            text=f"{_who(by)} wrote on {audit.period.policy.number}: {body}",
            link=audit_link(audit, "portal"),
            details=f"{_who(by)} wrote:\n\n{body}",
            by=by,
        )
    return message


def messages_read(*, audit: Audit, reader: User) -> int:
    """The insured's and agent's messages on the audit, read by the auditor they are written to
    (the assignee): a manager or reviewer looking at the page leaves them new for the auditor.
    Returns how many were new."""
    if reader.pk != audit.assignee_id:
        return 0
    return Message.objects.filter(audit=audit, from_portal=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def system_message(
    audit: Audit, body: str, by: User | None = None, kind: str = Kind.MESSAGE
) -> Message:
    """A notice the portal posts for the auditor (a self-audit submitted, a worksheet asked for)."""
    message = Message.objects.create(audit=audit, author=by, from_portal=True, body=body)
    notify_assignee(
        audit=audit,
        kind=kind,
        text=f"{audit.period.policy.number}: {body.splitlines()[0]}",
        link=audit_link(audit, "portal"),
        details=body,
        by=by,
    )
    return message


@transaction.atomic
def worksheet_request(*, audit: Audit, by: User) -> Message:
    """An agent (or the insured) asks for the audit worksheet: the auditor is told; once the audit
    is completed the worksheet is on the status page to download."""
    who = by.get_full_name() or by.username
    if audit.status in CLOSED:
        body = f"{who} downloaded or asked for the audit worksheet."
    else:
        body = f"{who} asked for the audit worksheet when the audit is completed."
    return system_message(audit, body, by, kind=Kind.WORKSHEET_REQUESTED)


# Record uploads --------------------------------------------------------------------------------

# Items the insured may still upload against.
UPLOADABLE = frozenset({RecordStatus.NEEDED, RecordStatus.REJECTED, RecordStatus.RECEIVED})


@transaction.atomic
def record_upload_add(*, item: RecordsItem, by: User, upload: UploadedFile) -> RecordUpload:
    """Store a file against a checklist item: type checked by content, size limited, social
    security numbers found and a redacted copy kept for everyday viewing. The item becomes
    received and the auditor is told."""
    # Read afresh and held: the auditor may have just accepted or rejected the item.
    item = RecordsItem.objects.select_for_update().select_related("audit").get(pk=item.pk)
    audit = item.audit
    if by.is_portal_user and not may_report(by):
        raise PortalRefused(_("Only the policyholder and their delegates upload records."))
    if audit.status in CLOSED:
        raise PortalRefused(_("This audit is closed: records can no longer be added."))
    if item.status not in UPLOADABLE:
        raise PortalRefused(
            _("%(item)s is %(status)s: nothing more is needed for it.")
            % {"item": record_kind(item.kind), "status": record_status(item.status).lower()}
        )
    rules = portal_rules()["uploads"]
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    size = upload.size or 0
    if size > int(rules["max_bytes"]):
        limit = int(rules["max_bytes"]) // (1024 * 1024)
        raise InvalidInput(
            [
                Problem(
                    "file",
                    _("%(name)s is larger than the %(limit)s MB limit")
                    % {"name": name, "limit": limit},
                )
            ]
        )
    if item.uploads.count() >= int(rules["max_files_per_item"]):
        raise InvalidInput(
            [
                Problem(
                    "file",
                    _("at most %(count)s files per item") % {"count": rules["max_files_per_item"]},
                )
            ]
        )
    data = upload.read()
    try:
        sniffed = sniff(data, name)
        redaction = redact(data, sniffed)
    except UploadRefused as e:
        raise InvalidInput([Problem("file", str(e))]) from e
    row = RecordUpload(
        item=item,
        audit=audit,
        filename=name,
        kind=sniffed.kind,
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scanned=redaction.scanned,
        ssn_found=redaction.found,
        note=describe(redaction),
        uploaded_by=by,
    )
    # Stored under a random name: the file name the insured chose is kept only as a label.
    row.original.save(f"{secrets.token_hex(16)}{sniffed.extension}", ContentFile(data), save=False)
    if redaction.redacted is not None:
        extension = {"pdf": ".pdf", "csv": ".csv"}.get(redaction.redacted_kind, ".txt")
        row.redacted.save(
            f"{secrets.token_hex(16)}{extension}", ContentFile(redaction.redacted), save=False
        )
    row.save()
    if item.status in (RecordStatus.NEEDED, RecordStatus.REJECTED):
        item.status = RecordStatus.RECEIVED
        item.updated_by = by
        item.save(update_fields=["status", "updated_by", "updated_at"])
    history_note(
        audit=audit,
        by=by,
        summary=f"{item.get_kind_display()}: {name} uploaded"
        + (f" ({redaction.found} SSNs redacted)" if redaction.found else ""),
    )
    if by.is_portal_user:
        notify_assignee(
            audit=audit,
            kind=Kind.RECORD_UPLOADED,
            text=f"{_who(by)} uploaded {name} for {item.get_kind_display()} "
            f"({audit.period.policy.number})",
            link=audit_link(audit, "records"),
            by=by,
        )
    return row


def may_download_original(user: User, upload: RecordUpload) -> bool:
    """The original (with any social security numbers) is for the audit staff who work the
    audit and for the person who uploaded it; everyone else gets the redacted copy."""
    if user.is_portal_user:
        return upload.uploaded_by_id == user.pk
    return user.role in {Role.AUDITOR, Role.REVIEWER, Role.MANAGER, Role.ADMIN}
