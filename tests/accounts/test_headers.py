"""What every answer carries: a Content-Security-Policy with no inline script, and
`Cache-Control: no-store` on pages, htmx fragments, letters, PDFs and API answers."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from trueup.accounts.services import api_token_create
from trueup.letters.models import Letter

pytestmark = pytest.mark.django_db

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "trueup").glob("**/templates/**/*.html"))


def directives(answer) -> dict[str, list[str]]:
    policy = answer["Content-Security-Policy"]
    found = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def not_stored(answer) -> bool:
    return "no-store" in [d.strip() for d in answer["Cache-Control"].split(",")]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_templates_are_found():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_no_template_has_an_inline_script_or_an_event_handler(template):
    text = template.read_text()
    # A <script> with a src, or one holding JSON data, runs nothing inline.
    inline = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert inline == []
    assert re.findall(r"\son[a-z]+\s*=", text, re.IGNORECASE) == []
    assert re.findall(r"hx-on|javascript:", text, re.IGNORECASE) == []


def test_pages_carry_a_policy_that_allows_no_inline_script(client, auditor):
    for answer in (client.get("/login/"), signed_in(auditor).get("/audits/")):
        policy = directives(answer)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert "'unsafe-inline'" not in answer["Content-Security-Policy"]
        assert "'unsafe-eval'" not in answer["Content-Security-Policy"]


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    page = client.get("/login/").content.decode()
    (config,) = re.findall(r"""<meta name="htmx-config" content='([^']*)'>""", page)
    assert json.loads(config)["includeIndicatorStyles"] is False


def test_the_letter_previews_style_is_let_through_by_its_hash_alone(approved, auditor):
    answer = signed_in(auditor).get(f"/audits/{approved.pk}/letters/results/preview/")
    letter = html.unescape(re.search(r'srcdoc="([^"]*)"', answer.content.decode()).group(1))
    (style,) = re.findall(r"<style>(.*?)</style>", letter, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert directives(answer)["style-src"] == ["'self'", f"'sha256-{digest}'"]


def test_pages_and_htmx_fragments_of_a_signed_in_user_are_not_stored(auditor, audit):
    client = signed_in(auditor)
    page = client.get(f"/audits/{audit.pk}/")
    fragment = client.get(f"/audits/{audit.pk}/facts/payroll/form/", headers={"HX-Request": "true"})
    assert (page.status_code, fragment.status_code) == (200, 200)
    assert not_stored(page) and not_stored(fragment)
    assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_letters_pdfs_are_not_stored(approved, auditor):
    client = signed_in(auditor)
    client.post(f"/audits/{approved.pk}/letters/results/send/")
    letter = Letter.objects.get()
    pdf = client.get(f"/audits/{approved.pk}/letters/{letter.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert not_stored(pdf)


def test_api_answers_are_not_stored(auditor, audit):
    _, key = api_token_create(user=auditor, name="billing")
    answer = Client().get(f"/api/audits/{audit.pk}", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert not_stored(answer)


def test_static_files_stay_cacheable(client):
    answer = client.get("/static/trueup/app.css")
    assert answer.status_code == 200
    assert "no-store" not in answer.get("Cache-Control", "")


def test_with_the_ssl_redirect_on_pages_go_to_https_but_the_health_check_does_not(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/login/")["Location"] == "https://testserver/login/"
    assert client.get("/healthz").content == b"ok"
    assert client.get("/login/", secure=True).status_code == 200
