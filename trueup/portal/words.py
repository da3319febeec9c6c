"""Words an insured understands: the glossary of premium-audit terms (``glossary.toml``) and the
engine's reasons put in plain words (``plain_words.toml``), both kept as data."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    key: str  # the term's anchor on the glossary page, the same in every language
    term: str
    meaning: str


# The glossary's own language; every other is a table under each term ([term.es]).
GLOSSARY_LANGUAGE = "en"


@functools.cache
def glossaries() -> dict[str, tuple[Term, ...]]:
    """Every language's glossary, in the page's order. A term missing a language is an error
    here, not a gap on the page."""
    data = tomllib.loads((HERE / "glossary.toml").read_text(encoding="utf-8"))
    found: dict[str, list[Term]] = {code: [] for code, _ in settings.LANGUAGES}
    for t in data["term"]:
        for code in found:
            words = t if code == GLOSSARY_LANGUAGE else t.get(code)
            if not words or not words.get("term") or not words.get("meaning"):
                raise ValueError(f"glossary.toml: the term {t['key']!r} has no {code!r} words")
            found[code].append(Term(t["key"], words["term"], words["meaning"]))
    return {code: tuple(terms) for code, terms in found.items()}


def glossary(language: str = GLOSSARY_LANGUAGE) -> tuple[Term, ...]:
    """The glossary in ``language`` (a language TrueUp is not written in reads English)."""
    found = glossaries()
    return found.get(language[:2], found[GLOSSARY_LANGUAGE])


@functools.cache
def _rewrites() -> tuple[tuple[re.Pattern[str], str], ...]:
    data = tomllib.loads((HERE / "plain_words.toml").read_text(encoding="utf-8"))
    return tuple((re.compile(r["find"]), r["plain"]) for r in data["rewrite"])


def plain(reason: str) -> str:
    """One of the engine's reasons with each auditor's phrase put in plain words."""
    for pattern, words in _rewrites():
        reason = pattern.sub(words, reason)
    return reason
