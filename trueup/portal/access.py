"""Who may see what in the portal: a policyholder (and their delegates) their own insured's
policies and audits; an agent their agency's. Everything else answers 404, so other insureds'
audits are never revealed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from trueup.accounts.models import Role, User
from trueup.audits.models import Audit
from trueup.core import clock, ruledata
from trueup.policies.models import Insured
from trueup.portal.models import AccessKind, PortalAccess


def portal_rules(on: date | None = None) -> dict[str, Any]:
    """The portal's settings (``portal.toml``) in force on the day (today by default)."""
    return ruledata.load(Path(__file__).parent / "portal.toml").on(on or clock.today())


def portal_user(request: HttpRequest) -> User:
    """The signed-in policyholder or agent; staff use the workbench, not the portal."""
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_portal_user:
        raise PermissionDenied("the portal is for policyholders and their agents")
    return user


def active_access(user: User) -> QuerySet[PortalAccess]:
    return PortalAccess.objects.filter(user=user, revoked_at__isnull=True)


def insureds_for(user: User) -> QuerySet[Insured]:
    """The insureds whose policies this portal user may see."""
    if not user.is_active:
        return Insured.objects.none()
    if user.role == Role.INSURED:
        return Insured.objects.filter(
            portal_access__user=user, portal_access__revoked_at__isnull=True
        ).distinct()
    if user.role == Role.AGENT and user.agency_id is not None:
        return Insured.objects.filter(agency_id=user.agency_id)
    return Insured.objects.none()


def portal_audits(user: User) -> QuerySet[Audit]:
    return Audit.objects.filter(period__policy__insured__in=insureds_for(user).values("pk"))


def portal_audit(user: User, pk: int) -> Audit:
    """The audit if this portal user may see it; 404 otherwise."""
    return get_object_or_404(
        portal_audits(user).select_related("period__policy__insured__agency", "assignee"), pk=pk
    )


def is_owner(user: User, insured: Insured) -> bool:
    """The policyholder themself (not a delegate, not an agent): may delegate and revoke."""
    return active_access(user).filter(insured=insured, kind=AccessKind.OWNER).exists()


def may_report(user: User) -> bool:
    """Whether this user fills in the self-audit and uploads records: the policyholder and their
    delegates do; an agent follows the audit, writes messages and asks for the worksheet."""
    return user.role == Role.INSURED
