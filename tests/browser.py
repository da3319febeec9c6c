"""What the browser tests share: Debian's chromium driven by Playwright (never a downloaded
browser), and axe-core from npm to check a page's accessibility."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def launch_browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: install axe-core from npm (make axe)")
    # Playwright runs an event loop in this thread; the test's own ORM calls are synchronous
    # and safe here, so Django's guard against ORM use inside an event loop is lifted.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def assert_accessible(page: Page, name: str, include: list[str] | None = None) -> None:
    """axe-core finds no serious or critical violation on the page as it is now, or only within
    the elements ``include`` selects."""
    # Evaluated through the browser's debugging protocol, which the page's Content-Security-
    # Policy does not govern: an injected <script> would be refused, and bypassing the policy for
    # the whole context would hide what it refuses from the tests.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async (include) => await axe.run(
            include ? {include: include.map((selector) => [selector])} : document,
            {resultTypes: ['violations']})""",
        include,
    )
    bad = [v for v in found["violations"] if v["impact"] in ("serious", "critical")]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} → "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in bad
    ]
    assert not bad, f"{name}: accessibility violations:\n" + "\n".join(lines)
