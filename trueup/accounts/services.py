"""Writes for accounts: API tokens, the staff's second factor, and lifting a sign-in lockout."""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import qrcode
import qrcode.image.svg
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trueup.accounts.models import PORTAL_ROLES, AccountEvent, ApiToken, User
from trueup.core.errors import InvalidInput, Problem, Refused
from trueup.core.written import related_written, rows_where


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# A key's last use is written at most this often: not a database write on every call.
LAST_USED_STEP = timedelta(minutes=1)


def may_manage_api_keys(user: User) -> bool:
    return user.manages_api_keys


def api_key_owners() -> QuerySet[User]:
    """The users a key may act as: active staff (a portal user's key would be refused)."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role__in=sorted(PORTAL_ROLES))
        .order_by("username")
    )


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with the key, which is not stored anywhere."""
    name = name.strip()
    if not name:
        raise InvalidInput([Problem("name", "name the system that will use the key")])
    if not api_key_owners().filter(pk=user.pk).exists():
        raise InvalidInput(
            [Problem("user", f"{user.username} is not active staff: a key for them would not work")]
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """The key stops working at once; the row stays, with who revoked it and when."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked:
        raise Refused(f"API key {locked.pk} ({locked.name}) was already revoked")
    locked.revoked = True
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return locked


def api_token_user(key: str) -> User | None:
    """The active staff user a key belongs to, or None. Portal users (policyholders and agents)
    use the portal's pages, never the API: a key made for one is refused."""
    # Read by its key, then its user, each with SQL written once: every API call asks.
    found = rows_where(ApiToken, "key_hash", hash_key(key))
    if not found or found[0].revoked:
        return None
    token = found[0]
    user: User = related_written(token, "user")
    if not user.is_active or user.role in PORTAL_ROLES:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


# The staff's second factor ---------------------------------------------------------------------

# The name each user's devices carry; a user has at most one of each kind.
AUTHENTICATOR = "Authenticator app"
RECOVERY_CODES = "Recovery codes"


def needs_second_factor(user: User) -> bool:
    """Staff need one; so does anyone who can open the Django admin, whatever their role.
    Policyholders and agents sign in with a password only."""
    return user.is_staff or user.is_superuser or not user.is_portal_user


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return cast("TOTPDevice | None", TOTPDevice.objects.filter(user=user, confirmed=True).first())


def enrolment_device(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret each time the page is opened, until it
    is confirmed with a code (a reload must not change the QR code the phone has scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return cast(TOTPDevice, device)


def enrolment_secret(device: TOTPDevice) -> str:
    """The secret in base32, as authenticator apps ask for it when typed, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrolment_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, to place in the page as it is."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return cast(str, image.to_string(encoding="unicode"))


def wait_until(device: Any) -> datetime | None:
    """After wrong codes a device checks none until this time (django-otp doubles the wait after
    each wrong one); None when it checks now."""
    allowed, why = device.verify_is_allowed()
    return None if allowed else cast("datetime | None", (why or {}).get("locked_until"))


def _code(text: str) -> str:
    """A code as typed: spaces and dashes (as the codes are shown) do not count, nor case."""
    return "".join(text.split()).replace("-", "").lower()


@transaction.atomic
def enrolment_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows now. On success the user's earlier
    authenticators and recovery codes are replaced and the new recovery codes are returned (to
    show once); a wrong code returns None."""
    if not device.verify_token(_code(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_make(device.user)
    AccountEvent.objects.create(
        user=device.user, kind=AccountEvent.Kind.SECOND_FACTOR_SET_UP, by=device.user
    )
    return codes


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TRUEUP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a user; the old ones stop working."""
    codes = _recovery_codes_make(user)
    AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.RECOVERY_CODES_RENEWED, by=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


@dataclass(frozen=True)
class Verification:
    """The answer to a code: the device that accepted it, or why none did."""

    device: Any = None  # a django-otp Device
    recovery_code: bool = False
    wait_until: datetime | None = None  # too many wrong codes: no code is checked before this


def second_factor_verify(*, user: User, code: str) -> Verification:
    """Check a code from the authenticator (six digits) or a recovery code (used up by this).
    Each device slows down wrong guesses on its own, doubling the wait after each one."""
    code = _code(code)
    recovery = not (code.isdigit() and len(code) == 6)
    model: Any = StaticDevice if recovery else TOTPDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return Verification()
    wait = wait_until(device)
    if wait is not None:
        return Verification(wait_until=wait)
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        return Verification()
    if recovery:
        AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.RECOVERY_CODE_USED, by=user)
    return Verification(device=verified, recovery_code=recovery)


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> None:
    """An administrator's reset, for a user who lost their phone and codes: their authenticator
    and recovery codes are removed, and they set up a new one at their next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.SECOND_FACTOR_RESET, by=by)


@transaction.atomic
def lockout_lift(*, user: User, by: User) -> None:
    """An administrator lets a locked-out user sign in again before the cool-off ends."""
    axes_reset(username=user.get_username())
    AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.LOCKOUT_LIFTED, by=by)
