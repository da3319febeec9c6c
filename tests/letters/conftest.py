from tests.audits.conftest import *  # noqa: F403
