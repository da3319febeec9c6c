"""Practice notes are Markdown written by the staff and read by the staff: rendered so that
nothing in a note can run in a reader's browser. Raw HTML is shown as text, links go only to
web pages, e-mail addresses or pages of TrueUp itself, and images are not drawn (a note is
words; an image from elsewhere would tell another site who read it)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.safestring import SafeString
from markdown_it import MarkdownIt

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# A scheme as browsers read one: letters first, then letters, digits, "+", "-" or ".".
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Browsers drop these before reading a scheme ("java\tscript:" is "javascript:").
IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def safe_link(url: str) -> bool:
    """A link to a web page, an e-mail address, or a relative link; nothing else."""
    bare = IGNORED_BY_BROWSERS.sub("", url)
    scheme = SCHEME.match(bare)
    if scheme is None:
        # No scheme: relative, unless a colon before any "/", "?" or "#" makes it one.
        return ":" not in re.split(r"[/?#]", bare, maxsplit=1)[0]
    return scheme[1].lower() in SAFE_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = safe_link  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        # A link in a note is not the department vouching for the page it leads to.
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


_MD = _parser()


def render(text: str) -> SafeString:
    """The note's Markdown as HTML that is safe to put in a page."""
    # Marked safe only because raw HTML is off and every link passed ``safe_link``: markdown-it
    # escapes all other text it outputs.
    return SafeString(_MD.render(text))
