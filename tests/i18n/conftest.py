"""The workbench's personas (a policyholder with access to the example audit among them)."""

from tests.audits.conftest import *  # noqa: F403
