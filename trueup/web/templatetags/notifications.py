"""The count of unread notifications in every staff page's header."""

from __future__ import annotations

from typing import Any

from django import template

from trueup.accounts.models import User
from trueup.notifications.services import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """The signed-in staff user's unread notifications (one COUNT query); none for anyone else."""
    if not isinstance(user, User) or user.is_portal_user:
        return 0
    return unread_count(user)
