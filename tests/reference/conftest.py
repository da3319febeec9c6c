# The audits' personas and example audit serve these tests too.
from tests.audits.conftest import agent_user, audit, auditor, example, manager, policyholder

__all__ = ["agent_user", "audit", "auditor", "example", "manager", "policyholder"]
