"""The workbench's personas and the first example's audit (tests/audits/conftest.py)."""

from tests.audits.conftest import *  # noqa: F403
