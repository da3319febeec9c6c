"""From result to billing: the outreach window and its attempts, disputes, the billing
instructions with their outbox, the insured's payment history and payment plans."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from trueup.audits.models import Audit, ResultSnapshot
from trueup.policies.models import Insured, money_field
from trueup.premium_reports.models import PremiumReport


class OutreachStatus(models.TextChoices):
    OPEN = "open", "Explaining the result"
    DISPUTED = "disputed", "Disputed"
    RELEASED = "released", "Released to billing"
    CLOSED = "closed", "Closed: the audit was revised or reversed"


class Outreach(models.Model):
    """The window between approval and billing in which staff explain the result to the insured
    and agent. It ends on its last day, or sooner when agreement is recorded."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="outreach")
    result = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    window_ends = models.DateField(help_text="The last business day before billing")
    status = models.CharField(
        max_length=10, choices=OutreachStatus.choices, default=OutreachStatus.OPEN
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(max_length=200, blank=True)


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"


class Outcome(models.TextChoices):
    REACHED = "reached", "Reached: explained"
    AGREED = "agreed", "Agreed"
    DISPUTED = "disputed", "Disputed"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"


class OutreachAttempt(models.Model):
    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact = models.CharField("who", max_length=200)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    next_step = models.CharField(max_length=300, blank=True)
    next_step_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Audit upheld"
    REVISED = "revised", "Audit revised"


class Dispute(models.Model):
    """What the insured (or agent) disputes in a result, with their documents. The undisputed
    part may be billed at once; the disputed part waits for the resolution."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="disputes")
    result = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_portal = models.BooleanField(default=False)
    deadline = models.DateField(help_text="The last day a dispute could be opened")
    # [{"state", "item", "difference", "disputed"}]: the result's lines disputed, and how much.
    lines = models.JSONField()
    disputed_amount = money_field()
    statement = models.TextField()
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.OneToOneField(
        Audit, on_delete=models.PROTECT, null=True, blank=True, related_name="resolves_dispute"
    )

    class Meta:
        ordering = ["opened_at", "id"]


class DisputeDocument(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="disputes/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class InstructionKind(models.TextChoices):
    INVOICE = "invoice", "Invoice additional premium"
    REFUND = "refund", "Refund return premium"
    CREDIT = "credit", "Credit return premium to the next term"
    NO_CHANGE = "no_change", "No change"


class BillingInstruction(models.Model):
    """What billing must do for one released result, with everything it needs. Amounts are the
    audit's (and its revisions') adjustment: ``bill_now`` is what to act on now, ``held`` what
    waits for a dispute, ``previously_billed`` what earlier instructions of the same audit
    already asked for. Never changed once made: a later result gets its own instruction."""

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, null=True, related_name="billing_instructions"
    )
    result = models.ForeignKey(
        ResultSnapshot, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Or a premium report's premium, billed as it is filed (or estimated): one per report.
    report = models.OneToOneField(
        PremiumReport, on_delete=models.PROTECT, null=True, related_name="billing_instruction"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=InstructionKind.choices)
    stage = models.CharField(max_length=20)  # released, dispute_upheld, revised
    total_adjustment = money_field()
    previously_billed = money_field()
    held = money_field()
    bill_now = money_field()
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audit__isnull=False, result__isnull=False, report__isnull=True)
                    | models.Q(audit__isnull=True, result__isnull=True, report__isnull=False)
                ),
                name="instruction_of_an_audit_or_a_report",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("a billing instruction is never changed: hand off a new one")
        super().save(*args, **kwargs)


class OutboxMessage(models.Model):
    """A billing instruction waiting to reach the billing system, and whether it has."""

    instruction = models.OneToOneField(
        BillingInstruction, on_delete=models.PROTECT, related_name="outbox"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            )
        ]


class PaymentEvent(models.TextChoices):
    PAID = "paid", "Paid on time"
    LATE = "late", "Paid late"
    RETURNED = "returned", "Payment returned"


class PaymentRecord(models.Model):
    """The insured's payment history, as billing reports it: what payment plan eligibility
    looks at."""

    insured = models.ForeignKey(Insured, on_delete=models.CASCADE, related_name="payments")
    on = models.DateField()
    event = models.CharField(max_length=10, choices=PaymentEvent.choices)
    amount = money_field(default=0)
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-on", "-id"]


class PlanStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Waiting for a reviewer: above its preparer's authority"
    AGREED = "agreed", "Agreed"


class PaymentPlan(models.Model):
    """A payment plan for an additional premium: the schedule sums exactly to the total. One
    above its preparer's authority waits for a reviewer before it is agreed."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="payment_plans")
    total = money_field()
    down_payment = money_field(default=0)
    instalments = models.PositiveSmallIntegerField()
    # [{"number", "due", "amount"}], the down payment as number 0.
    schedule = models.JSONField()
    agreed_at = models.DateTimeField(auto_now_add=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.AGREED)

    class Meta:
        ordering = ["agreed_at", "id"]


class PlanStatusChange(models.Model):
    """A plan's move (waiting for a reviewer, agreed, its total changed): who, when and why."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=PlanStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
