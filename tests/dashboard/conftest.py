"""The personas and the audit of the workbench's tests, and the small book of the metrics' tests."""

from tests.audits.conftest import *  # noqa: F403
from tests.reporting.conftest import book  # noqa: F401  (the small book of the metrics' tests)
