# The audits' personas and example audit serve these tests too.
import pytest

from tests.audits.conftest import agent_user, audit, auditor, example, manager, policyholder
from trueup.reference.services import class_table_ship

__all__ = ["agent_user", "audit", "auditor", "example", "manager", "policyholder"]


@pytest.fixture
def shipped_classes(db: None) -> None:
    """The shipped class table, as the migrations load it: a test run with a flushing
    (transactional) test before this one has lost the migrations' rows."""
    class_table_ship()
