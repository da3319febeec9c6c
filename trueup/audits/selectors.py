"""Reads of audits: who may see which, and the worklist's queries."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from trueup.accounts.models import User
from trueup.audits.models import Audit, ResultSnapshot


def audits_visible_to(user: User) -> QuerySet[Audit]:
    """Every audit for the department's own staff; only its firm's audits for a vendor's
    auditor; nothing for an inactive account."""
    audits = Audit.objects.all()
    if not user.is_active:
        return audits.none()
    if user.vendor_id is not None:
        return audits.filter(vendor_id=user.vendor_id)
    return audits


def with_latest_result(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Fetch each audit's latest result summary with the page, not one query per audit."""
    latest = ResultSnapshot.objects.filter(audit=OuterRef("audit_id")).order_by(
        "-created_at", "-id"
    )
    summaries = ResultSnapshot.objects.filter(pk=Subquery(latest.values("pk")[:1])).defer(
        "worksheet", "result"
    )
    return audits.prefetch_related(Prefetch("results", summaries, to_attr="latest_results"))


def latest_result(audit: Audit) -> ResultSnapshot | None:
    """The prefetched latest result where the query fetched it, else read it now."""
    prefetched: list[ResultSnapshot] | None = getattr(audit, "latest_results", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return audit.latest_result
