"""Signing in by user name and password, as Django's ``ModelBackend`` does; the signed-in user is
read on every page with SQL written once (``core.written``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends

from trueup.accounts.models import User
from trueup.core.written import rows_where


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        found = rows_where(User, "pk", user_id)
        if found and self.user_can_authenticate(found[0]):
            return found[0]
        return None
