"""The auditor's decision on an anomaly flag: accepted (the records were checked and the figures
changed or the finding stands) or dismissed, always with a reason. Flags themselves are computed
from the audit's rating (``detect.py``); the decision is kept under the flag's key, and every
decision is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class FlagDecision(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="flag_decisions")
    key = models.CharField(max_length=200)
    code = models.CharField(max_length=40)
    text = models.TextField(help_text="The flag as it read when it was decided")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.text}"
