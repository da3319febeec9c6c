"""TrueUp's one settings file: every value comes from the environment, with typed defaults.

SQLite by default; set ``DATABASE_URL`` (e.g. ``postgres://user@127.0.0.1:5432/trueup``) for
PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("TRUEUP_DEBUG", False)
# The default key only serves a local demo; production sets TRUEUP_SECRET_KEY.
SECRET_KEY = os.environ.get("TRUEUP_SECRET_KEY", "trueup-local-demo-key-not-for-production")
ALLOWED_HOSTS = [
    h for h in os.environ.get("TRUEUP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "trueup.accounts",
    "trueup.policies",
    "trueup.audits",
    "trueup.reference",
    "trueup.payroll",
    "trueup.portal",
    "trueup.billing",
    "trueup.letters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "trueup.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trueup" / "templates"],
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

AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
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
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TRUEUP_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
