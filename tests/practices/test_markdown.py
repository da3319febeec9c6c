"""A note's Markdown is shown as formatting, never as code that runs: raw HTML is text, and
links lead only to web pages, e-mail addresses or TrueUp's own pages."""

from __future__ import annotations

import pytest

from trueup.practices.markdown import render


def test_formatting_is_rendered() -> None:
    assert render("**Minutes** and _elections_, `8810`") == (
        "<p><strong>Minutes</strong> and <em>elections</em>, <code>8810</code></p>\n"
    )


def test_a_script_tag_is_shown_as_text() -> None:
    assert render("<script>alert(1)</script>") == ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")


def test_an_onerror_attribute_is_shown_as_text() -> None:
    assert render('<img src="x" onerror="alert(1)">') == (
        "<p>&lt;img src=&quot;x&quot; onerror=&quot;alert(1)&quot;&gt;</p>\n"
    )


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "&#106;avascript:alert(1)",
        "java&#09;script:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<b>hi</b>",
        "file:///etc/passwd",
    ],
)
def test_a_link_to_anything_but_a_page_or_an_address_is_not_a_link(link: str) -> None:
    html = render(f"[open]({link})")
    assert "<a " not in html
    assert "href" not in html


def test_an_autolink_with_a_script_is_not_a_link() -> None:
    assert render("<javascript:alert(1)>") == "<p>&lt;javascript:alert(1)&gt;</p>\n"


@pytest.mark.parametrize(
    "link",
    ["https://www.icrb.net/references/", "http://example.com/a?b=1", "mailto:a@example.com"],
)
def test_links_to_web_pages_and_addresses_are_kept(link: str) -> None:
    assert render(f"[source]({link})") == (
        f'<p><a href="{link.replace("&", "&amp;")}" rel="nofollow noopener noreferrer">'
        "source</a></p>\n"
    )


def test_a_relative_link_is_kept() -> None:
    assert render("[audit](/audits/3/)") == (
        '<p><a href="/audits/3/" rel="nofollow noopener noreferrer">audit</a></p>\n'
    )


def test_a_title_cannot_add_an_attribute() -> None:
    html = render('[x](https://example.com "a\\" onclick=\\"alert(1)")')
    assert 'title="a&quot; onclick=&quot;alert(1)"' in html
    assert " onclick=" not in html.replace('title="a&quot; onclick', "")


def test_an_image_is_not_drawn() -> None:
    assert "<img" not in render("![pixel](https://tracker.example/p.png)")
