"""The API's documentation page asks nothing of another site: every script, stylesheet and icon
it names is this site's own and answers, and its Content-Security-Policy lets them (and only
this site's) through. The browser test with other sites unreachable is test_api_docs_browser_14."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class Assets(HTMLParser):
    """The URLs a page loads: scripts, stylesheets and icons, and images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.settings_json = ""
        self._in_settings = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in ("script", "img") and named.get("src"):
            self.urls.append(str(named["src"]))
        if tag == "link" and named.get("href"):
            self.urls.append(str(named["href"]))
        self._in_settings = tag == "script" and named.get("id") == "swagger-settings"

    def handle_data(self, data: str) -> None:
        if self._in_settings:
            self.settings_json += data

    def handle_endtag(self, tag: str) -> None:
        self._in_settings = False


def docs_page() -> tuple[Assets, dict[str, str]]:
    answer = Client().get("/api/docs")
    assert answer.status_code == 200
    assets = Assets()
    assets.feed(answer.content.decode())
    directives = (d.strip().partition(" ") for d in answer["Content-Security-Policy"].split(";"))
    policy = {name: sources for name, _, sources in directives}
    return assets, policy


def test_the_docs_page_names_only_this_sites_own_assets_and_each_answers() -> None:
    assets, _ = docs_page()
    assert assets.urls == [
        "/static/ninja/swagger-ui.css",
        "/static/ninja/favicon.svg",
        "/static/ninja/favicon.png",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    client = Client()
    for url in assets.urls:
        assert client.get(url).status_code == 200, url


def test_swagger_ui_reads_this_sites_openapi_document_and_no_online_validator() -> None:
    assets, _ = docs_page()
    settings = json.loads(assets.settings_json)
    assert settings == {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,
        "url": "/api/openapi.json",
    }
    document = Client().get(settings["url"])
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "TrueUp"


def test_the_docs_pages_policy_lets_this_sites_scripts_and_styles_through_and_no_others() -> None:
    _, policy = docs_page()
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].split()[0] == "'self'"
    assert all(source.startswith("'") for source in policy["style-src"].split())
    assert policy["img-src"] == "'self' data:"
    assert policy["connect-src"] == "'self'"
