"""Reads of billing's records for other apps' lists."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from trueup.audits.models import Audit
from trueup.billing.models import Dispute, DisputeStatus, Outreach, OutreachStatus


def in_billing_stage(audits: QuerySet[Audit], stage: str | None) -> QuerySet[Audit]:
    """The audits whose result is in the outreach window, disputed, or released to billing (the
    worklist's billing filter); all of them when no stage is chosen."""
    if not stage:
        return audits
    if stage == "disputed":
        return audits.filter(
            Exists(Dispute.objects.filter(audit=OuterRef("pk"), status=DisputeStatus.OPEN))
        )
    statuses = (
        [OutreachStatus.RELEASED]
        if stage == "released"
        else [OutreachStatus.OPEN, OutreachStatus.DISPUTED]
    )
    return audits.filter(Exists(Outreach.objects.filter(audit=OuterRef("pk"), status__in=statuses)))
