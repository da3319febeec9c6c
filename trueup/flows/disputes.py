"""A dispute opened by the insured, their agent or staff: billing records it, and a dispute from
the portal is confirmed in the audit's portal conversation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.billing import selectors as billing_selectors
from trueup.billing import services as billing
from trueup.billing.models import Dispute
from trueup.core.errors import NotAllowed
from trueup.portal.access import portal_audits
from trueup.portal.services import system_message


@transaction.atomic
def dispute_open(
    *,
    audit: Audit,
    by: User,
    lines: Iterable[Mapping[str, Any]],
    statement: str,
    documents: Iterable[UploadedFile] = (),
    today: date | None = None,
) -> Dispute:
    """Open a dispute of a final result (``billing.services.dispute_open`` says what is
    checked); a policyholder or agent may dispute only an audit the portal shows them."""
    if by.is_portal_user and not portal_audits(by).filter(pk=audit.pk).exists():
        raise NotAllowed("this portal login may not see that audit")
    dispute = billing.dispute_open(
        audit=audit, by=by, lines=lines, statement=statement, documents=documents, today=today
    )
    if by.is_portal_user:
        shown = ", ".join(
            f"{line['state']} {line['item']} {billing_selectors.dollars(Decimal(line['disputed']))}"
            for line in dispute.lines
        )
        system_message(dispute.audit, f"Dispute opened by {by.username}: {shown}.", by)
    return dispute
