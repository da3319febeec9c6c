"""Who may use the workbench, and which audit they may open: shared by every staff page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from trueup.accounts.models import PORTAL_ROLES, Role, User
from trueup.audits.models import Audit
from trueup.audits.selectors import audits_visible_to

STAFF_ROLES = frozenset(Role.values) - PORTAL_ROLES


def staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in STAFF_ROLES:
        raise PermissionDenied("the workbench is for the audit department's staff")
    return user


def visible_audit(user: User, pk: int, *related: str) -> Audit:
    """The audit if this user may see it; 404 otherwise, so others' audits are not revealed.
    ``related``: more relations the caller reads, fetched in the same query."""
    return get_object_or_404(
        audits_visible_to(user).select_related(
            "period__policy__insured__agency", "assignee", "vendor", "prepared_by", *related
        ),
        pk=pk,
    )
