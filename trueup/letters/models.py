"""Letters about an audit, archived as written: the words at the moment of the change that called
for them, then the PDF, its text and to whom it went once a background task has sent it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trueup.audits.models import Audit


class LetterKind(models.TextChoices):
    RECORDS_REQUEST = "records_request", _("Audit notice and records request")
    REMINDER_1 = "reminder_1", _("First reminder")
    REMINDER_2 = "reminder_2", _("Second reminder")
    REMINDER_FINAL = "reminder_final", _("Final reminder")
    WAIVER = "waiver", _("Waiver letter")
    ESTIMATED = "estimated", _("Estimated audit and non-compliance notice")
    RESULTS = "results", _("Results and premium adjustment summary")
    DISPUTE_ACK = "dispute_ack", _("Dispute acknowledgement")
    DISPUTE_OUTCOME = "dispute_outcome", _("Dispute outcome")
    PAYMENT_PLAN = "payment_plan", _("Payment plan agreement")
    POLICY_CHANGES = "policy_changes", _("Policy changes found at audit")
    FUTURE_CHANGES = "future_changes", _("Future policy changes at renewal")


class LetterStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent yet: the e-mail failed and will be tried again"


class Letter(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    subject = models.CharField(max_length=300)
    recipients = models.JSONField(help_text="The e-mail addresses it was sent to")
    # The language it was written in: the insured's preferred one, or the agent's for a copy.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    html = models.TextField()
    text = models.TextField(help_text="The PDF's text, for search and for the e-mail body")
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["queued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.queued_at:%Y-%m-%d}, {self.get_status_display()})"
