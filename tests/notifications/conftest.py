"""The workbench's personas, the audit waiting for the insured's records (assigned to the
auditor, who has an e-mail address), and a quick way to leave a notification for someone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.portal.conftest import *  # noqa: F403
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.notifications.models import Kind, Notification


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: pytest.FixtureRequest) -> Path:
    """Uploads go to a temporary folder, never the project's media."""
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def notice(
    user: User,
    audit: Audit | None,
    text: str,
    kind: str = Kind.MESSAGE,
    link: str | None = None,
    read_at: datetime | str | None = None,
) -> Notification:
    """A notification written as the database holds one (no e-mail sent)."""
    return Notification.objects.create(
        user=user,
        audit=audit,
        kind=kind,
        text=text,
        link=(f"/audits/{audit.pk}/" if audit else "/") if link is None else link,
        read_at=read_at,
    )
