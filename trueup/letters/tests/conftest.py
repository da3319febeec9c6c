from trueup.audits.tests.conftest import *  # noqa: F403
