"""The audits' personas and example audit, for the tests that cross every app."""

from tests.audits.conftest import audit, auditor, example, reviewer

__all__ = ["audit", "auditor", "example", "reviewer"]
