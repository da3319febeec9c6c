"""The API's documentation page in a real browser (Debian's chromium) on a network where no other
site can be reached: every request to another origin is aborted, and the page still draws its
operations, with nothing refused by its Content-Security-Policy and nothing asked of another
site."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

# The live server answers from its own threads: they see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

LOADED = 30_000  # milliseconds


def test_the_docs_page_lists_the_operations_with_every_other_site_unreachable(
    browser: Browser, live_server: object
) -> None:
    base = str(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    refused: list[str] = []

    def only_this_site(route: Route) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_this_site)
    context.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page = context.new_page()
    page.goto(f"{base}/api/docs")
    # Swagger UI's bundle (1.4 MB) and the API's document take seconds to load and draw on a
    # busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TrueUp", timeout=LOADED)
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=LOADED)
    paths = set(operations.all_inner_texts())
    assert {"/api/audits", "/api/audits/{audit_id}"} <= {p.replace("\u200b", "") for p in paths}
    context.close()
    assert elsewhere == []
    assert refused == []
