"""Writes for accounts."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from trueup.accounts.models import PORTAL_ROLES, ApiToken, User


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with the key, which is not stored anywhere."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key))
    return token, key


def api_token_user(key: str) -> User | None:
    """The active staff user a key belongs to, or None. Portal users (policyholders and agents)
    use the portal's pages, never the API: a key made for one is refused."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked=False, user__is_active=True)
        .exclude(user__role__in=sorted(PORTAL_ROLES))
        .first()
    )
    return token.user if token else None
