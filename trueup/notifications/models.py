"""In-app notifications for staff: what an insured or agent did on an audit the user is assigned
to, and the audits newly past their due date for managers. E-mailed too, by the user's choice
(``accounts.User.notify_by_email``): at once, in a daily digest, or never."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit


class Kind(models.TextChoices):
    SELF_AUDIT_SUBMITTED = "self_audit_submitted", "Self-audit submitted"
    RECORD_UPLOADED = "record_uploaded", "Record uploaded"
    MESSAGE = "message", "Message from the portal"
    WORKSHEET_REQUESTED = "worksheet_requested", "Worksheet asked for"
    OVERDUE = "overdue", "Audit past its due date"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=300)
    # Where the notification leads (a path on this site).
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it was e-mailed, at once or in a digest; empty while it waits for the digest (or
    # when the user takes no e-mail).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
