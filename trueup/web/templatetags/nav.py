"""What the navigation offers a user: the queues their role opens (``QUEUE_ROLES`` in
``trueup/flows/queues.py``), the dashboard (``trueup/reporting/access.py``) and the renewal
recommendations (``trueup/renewals/services.py``), each from the
rule its pages check, so the links and the pages never disagree."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from trueup.flows.queues import may_open
from trueup.renewals.services import may_decide
from trueup.reporting.access import may_see_metrics

register = template.Library()


@register.filter
def opens(user: Any, queue: str) -> bool:
    """``{% if user|opens:"review" %}``: the signed-in user may open that queue."""
    return bool(getattr(user, "is_authenticated", False)) and may_open(user, queue)


@register.filter
def sees_metrics(user: Any) -> bool:
    """``{% if user|sees_metrics %}``: the dashboard, metrics and reports are open to the user."""
    return may_see_metrics(user)


@register.filter
def sees_renewals(user: Any) -> bool:
    """``{% if user|sees_renewals %}``: the user decides renewal recommendations."""
    return bool(getattr(user, "is_authenticated", False)) and may_decide(user)


# The staff's links around the notifications link, drawn once for each set of links a user is
# offered (and each address prefix) and kept: they are in every staff page's header, and their
# dozen addresses cost the template engine about a millisecond a page to look up.
BETWEEN = "\n          "


@register.simple_tag
def staff_links(user: Any, part: str) -> SafeString:
    """``{% staff_links user "top" %}``: the links before the notifications link; "bottom": those
    after it. Which ones show is asked of the same rules as the filters above, each page."""
    if part == "top":
        offered = (
            sees_metrics(user),
            *(opens(user, queue) for queue in ("mine", "review", "billing", "underwriting")),
            sees_renewals(user),
        )
        return _top(get_script_prefix(), *offered)
    return _bottom(get_script_prefix(), bool(user.manages_api_keys), bool(user.is_staff))


@lru_cache(maxsize=256)
def _top(
    prefix: str,
    metrics: bool,
    mine: bool,
    review: bool,
    billing: bool,
    underwriting: bool,
    renewals: bool,
) -> SafeString:
    worklist = reverse("audits:worklist")
    lines = [
        format_html('<a href="{}">Worklist</a>', worklist),
        format_html('<a href="{}?assignee=me">My audits</a>', worklist),
        format_html(
            '<a href="{}">Dashboard</a>' + BETWEEN + '<a href="{}">Bureau reports</a>',
            reverse("reporting:dashboard"),
            reverse("reporting:statistical"),
        )
        if metrics
        else "",
        _link(mine, "queues:mine", "My work"),
        _link(review, "queues:review", "Review queue"),
        _link(billing, "queues:billing", "Billing queue"),
        _link(underwriting, "queues:underwriting", "Referrals"),
        _link(renewals, "renewals:list", "Renewals"),
    ]
    return SafeString(BETWEEN.join(lines))


@lru_cache(maxsize=16)
def _bottom(prefix: str, api_keys: bool, admin: bool) -> SafeString:
    lines = [
        _link(True, "practices:list", "Practice notes"),
        '<a href="/api/docs">API</a>',
        _link(api_keys, "accounts:api_keys", "API keys"),
        _link(admin, "admin:index", "Admin"),
        _link(True, "accounts:second_factor", "Second factor"),
    ]
    return SafeString(BETWEEN.join(lines))


def _link(shown: bool, name: str, words: str) -> str:
    return format_html('<a href="{}">{}</a>', reverse(name), words) if shown else ""
