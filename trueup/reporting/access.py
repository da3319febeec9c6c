"""Who may see the department's metrics: the dashboard, the reports, their exports and
``GET /api/metrics``. They count every audit of the book, so only the roles that answer for the
department's work see them: audit managers, reviewers and administrators."""

from __future__ import annotations

from typing import Any

from trueup.accounts.models import Role

METRICS_ROLES = frozenset({Role.MANAGER, Role.REVIEWER, Role.ADMIN})


def may_see_metrics(user: Any) -> bool:
    """Signed-in staff of the department's own (not a vendor firm's) in one of METRICS_ROLES."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in METRICS_ROLES
        and getattr(user, "vendor_id", None) is None
        and user.is_active
    )


def may_report_statistics(user: Any) -> bool:
    """Who works the unit statistical reports to the rating bureaus (their pages, downloads and
    ``/api/stat-reports``): the same department roles as the metrics, for the same reason."""
    return may_see_metrics(user)
