"""Who may use the workbench, and which audit they may open: shared by every staff page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from trueup.accounts.models import PORTAL_ROLES, Role, User
from trueup.audits.models import Audit
from trueup.audits.selectors import audits_visible_to
from trueup.core.written import records_written

STAFF_ROLES = frozenset(Role.values) - PORTAL_ROLES


def staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in STAFF_ROLES:
        raise PermissionDenied("the workbench is for the audit department's staff")
    return user


# What a staff page that opens an audit reads with it.
PAGE_JOINS = ("period__policy__insured__agency", "assignee", "vendor", "prepared_by")


def visible_audit(user: User, pk: int, *related: str) -> Audit:
    """The audit if this user may see it; 404 otherwise, so others' audits are not revealed.
    ``related``: more relations the caller reads, fetched in the same query."""
    return audit_for(user, pk, (*PAGE_JOINS, *related))


def audit_for(user: User, pk: int, joined: tuple[str, ...]) -> Audit:
    """The audit with the relations ``joined`` (``select_related``) if this user may see it;
    404 otherwise."""
    if not user.is_active or user.is_portal_user:
        return get_object_or_404(audits_visible_to(user), pk=pk)  # none: a 404
    # Every page and API read of an audit asks this: its SQL is written once for each way of
    # asking (a vendor's auditor sees their firm's audits only; the department sees all).
    vendor = user.vendor_id
    values = (pk,) if vendor is None else (vendor, pk)

    def query(*values: int) -> QuerySet[Audit]:
        return audits_visible_to(user).select_related(*joined).filter(pk=values[-1])

    found = records_written(("visible audit", vendor is None, joined), query, *values)
    if not found:
        raise Http404(f"No {Audit._meta.object_name} matches the given query.")
    return found[0]
