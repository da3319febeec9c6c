"""The workbench's personas, the example audit and its approval (``approved``)."""

from __future__ import annotations

from tests.billing.conftest import *  # noqa: F403
