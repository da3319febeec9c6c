"""The portal's records: who may see which insured, the invitations that grant it, every access,
the insured's online self-audit, their uploads and the messages with the auditor."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit, RecordsItem
from trueup.policies.models import Insured


class AccessKind(models.TextChoices):
    OWNER = "owner", "Policyholder"
    DELEGATE = "delegate", "Delegate (bookkeeper, CPA)"


class PortalAccess(models.Model):
    """A portal login's right to an insured's policies and audits. A delegate's access is
    granted, and revoked, by the policyholder; revoking keeps the row for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_access"
    )
    insured = models.ForeignKey(Insured, on_delete=models.CASCADE, related_name="portal_access")
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "insured"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_access_per_user_and_insured",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.insured} ({self.get_kind_display()})"


class Invitation(models.Model):
    """A link with a single-use token (e-mailed) and a PIN (in the letter): both together create a
    portal login for the insured, or for a delegate the insured names. Only hashes are kept."""

    insured = models.ForeignKey(Insured, on_delete=models.CASCADE, related_name="invitations")
    # The audit whose records request produced it; blank for a delegate's invitation.
    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    kind = models.CharField(max_length=10, choices=AccessKind.choices, default=AccessKind.OWNER)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    # The language of the invitation's e-mail and letter, and the new login's language.
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE[:2]
    )
    token_hash = models.CharField(max_length=64, unique=True)
    pin_hash = models.CharField(max_length=128)
    # The temporary ID printed in the letter beside the PIN, so the insured can quote it.
    reference = models.CharField(max_length=12, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # After a wrong PIN the next try waits; after too many the invitation is locked for good.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Withdrawn when a newer invitation replaces it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The letter as sent, PIN included: the PIN travels by post, apart from the e-mailed link.
    letter = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation {self.reference} for {self.email}"


class AccessLog(models.Model):
    """One portal request or invitation attempt: who, what, from where, and the answer."""

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="log"
    )
    audit = models.ForeignKey(
        Audit, on_delete=models.SET_NULL, null=True, blank=True, related_name="portal_log"
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.PositiveSmallIntegerField()
    event = models.CharField(max_length=40, blank=True)
    # The uploaded file opened, and whether it was the original with its social security numbers
    # (staff openings of originals are logged from the workbench as well as the portal's).
    upload = models.ForeignKey(
        "RecordUpload", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    original = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="portal_log_user_at")]


class SelfAuditStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class SelfAudit(models.Model):
    """The mail audit form, online: sections I–IV as the insured typed them. A draft may be
    incomplete; submitting checks every field and turns the answers into the audit's facts."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="self_audit")
    status = models.CharField(
        max_length=10, choices=SelfAuditStatus.choices, default=SelfAuditStatus.DRAFT
    )
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


class RecordUpload(models.Model):
    """A file uploaded against a records checklist item. The original is kept for the audit
    staff and the uploader; where social security numbers were found, everyone else sees the
    redacted copy."""

    item = models.ForeignKey(RecordsItem, on_delete=models.CASCADE, related_name="uploads")
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="uploads")
    original = models.FileField(upload_to="records/%Y/%m/")
    redacted = models.FileField(upload_to="records/redacted/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scanned = models.BooleanField(default=True)
    ssn_found = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Message(models.Model):
    """A message on an audit between the insured (or agent) and the audit staff, or a notice the
    system posts (a self-audit submitted, a worksheet requested)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    from_portal = models.BooleanField()
    body = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    # Read by staff (a portal message) or by the portal (a staff message).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
