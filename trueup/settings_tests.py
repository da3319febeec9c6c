"""The settings the test suite and mypy's Django plugin load: the real settings, with a key of
their own. Both run with DEBUG off, as a deployment does, and without a deployment's environment;
the settings refuse to start without a key there (see settings.py)."""

from __future__ import annotations

import os

# Tasks run where they are enqueued, unless a test picks a backend (tests/background).
os.environ.setdefault("TRUEUP_TASKS", "immediate")
os.environ.setdefault("TRUEUP_SECRET_KEY", "tests-and-type-checks-only-" + "k" * 40)

from trueup.settings import *  # noqa: F403

# The suite runs in the default carrier's zone whatever the machine's environment says, so the
# days it expects (a waiver's last day, a deadline) are the same everywhere.
TIME_ZONE = "America/Chicago"
