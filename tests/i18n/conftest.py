"""The workbench's personas (a policyholder with access to the example audit among them), and
each test in the default language."""

from collections.abc import Iterator

import pytest
from django.utils import translation

from tests.audits.conftest import *  # noqa: F403


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts and ends in the default language: a request in Spanish leaves Spanish
    active in the thread (as Django leaves the language of the last request), and a service
    called directly afterwards would otherwise write in it."""
    translation.deactivate()
    yield
    translation.deactivate()
