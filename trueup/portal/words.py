"""Words an insured understands: the glossary of premium-audit terms (``glossary.toml``) and the
engine's reasons put in plain words (``plain_words.toml``), both kept as data."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    key: str  # the term's anchor on the glossary page
    term: str
    meaning: str


@functools.cache
def glossary() -> tuple[Term, ...]:
    data = tomllib.loads((HERE / "glossary.toml").read_text(encoding="utf-8"))
    return tuple(Term(t["key"], t["term"], t["meaning"]) for t in data["term"])


@functools.cache
def _rewrites() -> tuple[tuple[re.Pattern[str], str], ...]:
    data = tomllib.loads((HERE / "plain_words.toml").read_text(encoding="utf-8"))
    return tuple((re.compile(r["find"]), r["plain"]) for r in data["rewrite"])


def plain(reason: str) -> str:
    """One of the engine's reasons with each auditor's phrase put in plain words."""
    for pattern, words in _rewrites():
        reason = pattern.sub(words, reason)
    return reason
