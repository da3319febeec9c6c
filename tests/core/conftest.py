"""The core tests borrow the audits tests' personas and example audit."""

from tests.audits.conftest import *  # noqa: F403
