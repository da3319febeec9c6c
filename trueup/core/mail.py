"""E-mail as background work sees it."""

from __future__ import annotations

import smtplib

# What a mail server that is down, refuses or cannot be reached raises: the e-mail waits (or the
# history says it failed); the business change that asked for it stands.
MAIL_FAILED: tuple[type[Exception], ...] = (OSError, smtplib.SMTPException)
