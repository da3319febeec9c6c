"""The personas and the audit of the workbench's tests."""

from tests.audits.conftest import *  # noqa: F403
