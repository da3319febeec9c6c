# The audits' personas and example audit serve these tests too.
from tests.audits.conftest import audit, example, manager

__all__ = ["audit", "example", "manager"]
