"""TrueUp's one settings file: every value comes from the environment, with typed defaults.

SQLite by default; set ``DATABASE_URL`` (e.g. ``postgres://user@127.0.0.1:5432/trueup``) for
PostgreSQL. The README's "Running in production" names the environment a deployment sets.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("TRUEUP_DEBUG", False)
# This key is public (it is in the source), so it may only sign a local demo's sessions: with
# DEBUG off, a missing key or this one stops the app at start rather than let anyone forge a
# session or a password-reset link.
DEMO_SECRET_KEY = "trueup-local-demo-key-not-for-production"
SECRET_KEY = os.environ.get("TRUEUP_SECRET_KEY", "").strip()
if SECRET_KEY in ("", DEMO_SECRET_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "TrueUp will not start without a secret key of its own: set TRUEUP_SECRET_KEY to a "
            "long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For a local demo only, set TRUEUP_DEBUG=1 instead."
        )
    SECRET_KEY = DEMO_SECRET_KEY
ALLOWED_HOSTS = env_list("TRUEUP_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Origins (https://audit.example.com) that may post forms when a proxy in front changes the host.
CSRF_TRUSTED_ORIGINS = env_list("TRUEUP_CSRF_TRUSTED_ORIGINS")

# HTTPS. Each is off by default so the demo runs over plain HTTP on 127.0.0.1; a deployment turns
# them on (README, "Running in production"), and `trueup check --deploy` says what is missing.
SECURE_SSL_REDIRECT = env_bool("TRUEUP_SSL_REDIRECT", False)
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("TRUEUP_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TRUEUP_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("TRUEUP_HSTS_PRELOAD", False)
# Behind a proxy that ends TLS, the proxy's X-Forwarded-Proto tells Django the request was HTTPS;
# only set this where the proxy always sets (or strips) that header.
if env_bool("TRUEUP_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # The API's documentation page from the package's own static files: without the app, Ninja
    # loads Swagger UI from a CDN with an inline script, which the Content-Security-Policy blocks.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "trueup.accounts",
    "trueup.policies",
    "trueup.audits",
    "trueup.reference",
    "trueup.payroll",
    "trueup.portal",
    "trueup.billing",
    "trueup.letters",
    "trueup.notifications",
    "trueup.practices",
    "trueup.endorsements",
    "trueup.renewals",
    "trueup.premium_reports",
    "trueup.anomalies",
    "trueup.reporting",
    "trueup.core",
    "trueup.flows",
    # Pages, their templates and template tags; the API is in trueup/api.
    "trueup.web",
    # Background work: the tasks API, its database backend's table (always installed, so moving
    # between backends needs no migration) and django-rq for the RQ backend's queues and worker.
    "django_tasks",
    "django_tasks_db",
    "django_rq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before the middleware below: they carry no insured data.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost of the rest, so it marks every answer made below, lockout pages included.
    "trueup.accounts.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the switch's cookie or the browser; a signed-in user's choice wins below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trueup.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trueup.accounts.middleware.StaffSecondFactorMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Sign-in throttling (django-axes). After TRUEUP_LOGIN_FAILURE_LIMIT wrong passwords for a user
# name, or from one address, signing in with that user name or from that address is refused, even
# with the right password, until TRUEUP_LOGIN_COOLOFF_MINUTES pass without another try or an
# administrator lifts the lockout. Staff and portal users share /login/, so both are covered. The
# user name stops guessing one password from many addresses; the address stops one client trying
# many user names. Behind a proxy, set TRUEUP_BEHIND_HTTPS_PROXY so the address is the client's.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "trueup.accounts.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("TRUEUP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TRUEUP_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "trueup.web.staff.accounts.views.locked_out"
# Behind a proxy, the client's address for the access log comes from X-Forwarded-For.
if env_bool("TRUEUP_BEHIND_HTTPS_PROXY", False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = env_int("TRUEUP_PROXY_COUNT", 1)

# A second factor for staff (django-otp): a time-based one-time password from an authenticator
# app, and single-use recovery codes. Every role but the portal's must have one and use it after
# the password. On unless DEBUG is on; the local demo may turn it off with TRUEUP_STAFF_2FA=0.
TRUEUP_STAFF_2FA = env_bool("TRUEUP_STAFF_2FA", not DEBUG)
TRUEUP_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("TRUEUP_OTP_ISSUER", "TrueUp")

# Worklist lines kept rendered in each server process (a line is about 1 KB): the pages staff
# page through are answered without rendering their lines again.
TRUEUP_WORKLIST_LINES_KEPT = 20_000
# Sets of worklist filters kept drawn in each server process (about 6 KB each): drawing the
# filter form's widgets is about a fifth of a worklist page, and staff reuse a few sets.
TRUEUP_WORKLIST_FILTERS_KEPT = 1_000
# Sets of the figures pages' filters kept drawn in each server process (about 20 KB each: an
# option for each firm, agency and person), for the day they were drawn on.
TRUEUP_DASHBOARD_FILTERS_KEPT = 200

ROOT_URLCONF = "trueup.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'trueup.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The server, the worker and the scheduler write to one SQLite file (the demo): each
    # transaction takes the write lock when it begins and waits its turn for it, instead of
    # failing with "database is locked" when two would write at once; WAL lets reads go on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
elif env_bool("TRUEUP_DB_PREPARED", True):
    # Each query is prepared on its connection the second time it runs there: PostgreSQL plans
    # it once instead of on every request (planning a page's joins cost more than running them).
    # Off behind a pooler that hands one connection's statements to another (PgBouncer in
    # transaction mode before 1.21).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}

AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Times are stored in UTC; "today" (deadlines, letters' dates) is the carrier's, in its own zone,
# so it does not turn into tomorrow in a US afternoon as it would in UTC.
USE_TZ = True
TIME_ZONE = os.environ.get("TRUEUP_TIME_ZONE", "").strip() or "America/Chicago"
LANGUAGE_CODE = "en-us"
# The languages insureds and agents read TrueUp in: the portal, letters, e-mails and PDFs. Each
# name is written in its own language, as a language switch shows it.
LANGUAGES = [("en", "English"), ("es", "Español")]
# Catalogues live beside each app (trueup/<app>/locale); `make messages` compiles them.
LANGUAGE_COOKIE_NAME = "trueup_language"
# Spanish dates in words with US numbers and dollars (trueup/core/formats/es).
FORMAT_MODULE_PATH = ["trueup.core.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
STATIC_URL = "static/"
# Only for `collectstatic` in a deployment; WhiteNoise otherwise serves from the apps' folders.
STATIC_ROOT = os.environ.get("TRUEUP_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "trueup" / "static"]
# Under gunicorn, WhiteNoise serves static files without a collectstatic step.
WHITENOISE_USE_FINDERS = True
# Uploaded files (payroll registers): Django's storage API, local disk by default.
MEDIA_ROOT = Path(os.environ.get("TRUEUP_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
# Large registers are uploaded as files, not held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions in the database as Django keeps them, read with SQL written once (every page reads one).
SESSION_ENGINE = "trueup.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TRUEUP_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE


def _inline_style_hashes(*templates: Path) -> list[str]:
    """CSP hashes of the <style> blocks of templates whose styles hold no template variables.
    Letters carry their own styles (WeasyPrint prints them to PDF), and the letter preview shows
    the letter in an iframe that inherits this page's policy: the hash lets exactly that style
    through, where 'unsafe-inline' would let any injected one."""
    hashes = []
    for template in templates:
        for style in re.findall(r"<style>(.*?)</style>", template.read_text(), re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes


# Content-Security-Policy (django-csp): scripts and styles from this site's own files only, no
# inline script, no plugins, no framing. htmx is told not to inject its indicator <style>
# (base.html's htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [
            SELF,
            *_inline_style_hashes(
                BASE_DIR / "trueup" / "letters" / "templates" / "letters" / "base.html"
            ),
        ],
        # The enrolment QR code is inline SVG; Swagger UI draws its icons from data: URLs.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# E-mail: invitations, records requests and notices to auditors. The demo writes each to a file
# in sent-mail/; a deployment sets an SMTP backend and its settings through the environment.
EMAIL_BACKEND = os.environ.get(
    "TRUEUP_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
# The file backend's folder: in the demo every e-mail sent can be read here.
EMAIL_FILE_PATH = Path(os.environ.get("TRUEUP_MAIL_DIR") or BASE_DIR / "sent-mail")
DEFAULT_FROM_EMAIL = os.environ.get("TRUEUP_FROM_EMAIL", "Premium Audit <audit@trueup.example>")
# The address the portal's links in e-mails and letters start with.
TRUEUP_PORTAL_URL = os.environ.get("TRUEUP_PORTAL_URL", "http://127.0.0.1:8000")
# The carrier's code on its unit statistical reports to the rating bureaus (five digits, assigned
# by NCCI). Without it no report is generated: each policy due is listed as missing it.
TRUEUP_CARRIER_CODE = os.environ.get("TRUEUP_CARRIER_CODE", "").strip()
# Portal users choose their own passwords: long enough, not common, not their user name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Background work (the tasks API of django-tasks). TRUEUP_TASKS picks where tasks wait:
# - "database" (the default): rows in this database, run by `trueup db_worker`; nothing else
#   to install, so a laptop or the demo runs background work as it is;
# - "rq": Redis at TRUEUP_REDIS_URL, run by `trueup rqworker default` on as many machines as
#   needed (the scale-out);
# - "immediate": each task runs in the process that enqueues it (the tests).
TRUEUP_TASKS = os.environ.get("TRUEUP_TASKS", "database").strip().lower()
TRUEUP_REDIS_URL = os.environ.get("TRUEUP_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TRUEUP_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TRUEUP_TASKS must be one of {', '.join(_TASK_BACKENDS)}, not {TRUEUP_TASKS!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TRUEUP_TASKS], "QUEUES": ["default"]}}
# The RQ backend's queue. Configured whatever the backend, so a worker machine and the app
# agree on it; nothing connects to Redis unless TRUEUP_TASKS=rq.
RQ_QUEUES = {"default": {"URL": TRUEUP_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# Where the outbox task (`trueup.billing.outbox`) pushes billing instructions; empty: billing
# pulls them through the API instead, and the scheduled delivery does nothing.
TRUEUP_BILLING_URL = os.environ.get("TRUEUP_BILLING_URL", "").strip()
