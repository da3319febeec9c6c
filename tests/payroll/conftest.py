"""The audits' personas and example audit; uploaded files go to a temporary folder."""

from pathlib import Path
from typing import Any

import pytest

from tests.audits.conftest import (
    audit,
    auditor,
    example,
    manager,
    policyholder,
    reviewer,
    underwriter,
    vendor_auditor,
)

__all__ = [
    "audit",
    "auditor",
    "example",
    "manager",
    "policyholder",
    "reviewer",
    "underwriter",
    "vendor_auditor",
]


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
