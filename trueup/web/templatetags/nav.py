"""What the navigation offers a user: the queues their role opens, from the queues' own rule
(``trueup.flows.queues.QUEUE_ROLES``), so the links and the pages never disagree."""

from __future__ import annotations

from typing import Any

from django import template

from trueup.flows.queues import may_open

register = template.Library()


@register.filter
def opens(user: Any, queue: str) -> bool:
    """``{% if user|opens:"review" %}``: the signed-in user may open that queue."""
    return bool(getattr(user, "is_authenticated", False)) and may_open(user, queue)
