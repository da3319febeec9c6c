"""The one clock: "today" is the carrier's today, in its time zone (``TIME_ZONE``, from
``TRUEUP_TIME_ZONE``), not the server's nor UTC's, so a deadline does not move a day early in a
US afternoon. Times are stored in UTC (``USE_TZ``); only the day they fall on is local."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def today() -> date:
    """The carrier's date now."""
    return timezone.localdate()


def now() -> datetime:
    """The moment now, aware (in UTC), as stored."""
    return timezone.now()
