"""Sessions in the database, as Django keeps them, each read with SQL written once: the session
is read on every signed-in page (``core.written``)."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from trueup.core.written import rows_where


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The session by its key, unless it has expired (Django's own asks the database to
        compare the expiry; the row is the same)."""
        found = rows_where(self.model, "session_key", self.session_key)
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
