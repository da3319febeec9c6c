"""What the navigation offers a user: the queues their role opens (``QUEUE_ROLES`` in
``trueup/flows/queues.py``), the dashboard (``trueup/reporting/access.py``) and the renewal
recommendations (``trueup/renewals/services.py``), each from the
rule its pages check, so the links and the pages never disagree."""

from __future__ import annotations

from typing import Any

from django import template

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
