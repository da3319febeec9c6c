"""The class lookup: classes suggested for a description of operations, ranked offline.

Each state's code system (the rule book's ``class_system``; ISO's for general liability) has its
classes in the class table (``ClassCode``). A description is ranked against each class's
description and keywords with TF-IDF over character n-grams (which forgive typos and word
endings) and over words, then the best candidates are re-ranked by the words of the description
each class matches, compared fuzzily (rapidfuzz). The index is built once per process and built
again when the table changes (its row count and latest change are the key).

Every suggestion says which words matched and warns where a class needs care: standard
exceptions, dual-wage pairs, and a description that fits several classes (governing class).
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import Count, Max
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from trueup.core import clock
from trueup.core.errors import InvalidInput, Problem
from trueup.rating.rulebook import default_rulebook
from trueup.reference.models import ClassCode
from trueup.reference.selectors import rates_in_use

DATA = Path(__file__).resolve().parent / "data"
SYSTEMS: dict[str, dict[str, str]] = tomllib.loads(
    (DATA / "class_systems.toml").read_text(encoding="utf-8")
)["systems"]
GL_SYSTEM = "ISO"

MAX_QUERY = 300
DEFAULT_LIMIT = 5
# Words that say nothing about the work done (English, and a few Spanish ones insureds use).
_STOP_TEXT = """
    a an and or the of to in on at for from by with we our us they their them it its is are
    was were be been do does did doing some also other others all any most mostly mainly main
    work works worked working job jobs business company companies firm services service llc inc
    people employees employee staff crew crews who that this these those as into about just
    only mostly small big new old time part full y de la el los las en con para una un que
    hacemos trabajamos trabajo install installs installed installing installation"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/'][a-z0-9]+)*")
# Ranking weights, chosen on the evaluation set (tests/reference/class_eval.csv).
CHAR_WEIGHT = 0.45
WORD_WEIGHT = 0.25
MATCH_WEIGHT = 0.30
CANDIDATES = 15
FUZZY_CUTOFF = 84  # rapidfuzz ratio for a misspelt word to count as the word
# A second class is "also fitting" (governing-class warning) when it matched words of its own
# and scores at least this share of the best suggestion.
ALSO_FITS_SHARE = 0.6
MIN_SCORE = 0.05
UNMATCHED_SHARE = 0.5


def normalized(text: str) -> str:
    """Lower case without accents: "jardinería" is searched as "jardineria"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(normalized(text)) if w not in STOP_WORDS and len(w) > 1]


def _stem(word: str) -> str:
    # Plurals and -ing forms: "roofs"/"roofing" meet "roof", "installs" meets "install".
    for ending in ("ing", "ers", "er", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class ClassEntry:
    code_system: str
    line: str
    code: str
    description: str
    basis: str
    standard_exception: bool
    dual_wage_pair: str
    industry: str
    keywords: tuple[str, ...]
    source: str

    @property
    def text(self) -> str:
        return " ; ".join((self.description, *self.keywords))


@dataclass(frozen=True)
class Suggestion:
    code: str
    description: str
    code_system: str
    basis: str
    score: float
    matched: tuple[str, ...]
    warnings: tuple[str, ...]
    standard_exception: bool
    dual_wage_pair: str
    source: str
    rate_description: str = ""  # the rate table's description in the state, when it rates it

    @property
    def rated(self) -> bool:
        return bool(self.rate_description)


@dataclass(frozen=True)
class Lookup:
    state: str
    line: str
    code_system: str
    system_name: str
    query: str
    suggestions: tuple[Suggestion, ...]
    notes: tuple[str, ...] = ()


@dataclass
class _Index:
    entries: list[ClassEntry]
    char: Any
    word: Any
    char_matrix: Any
    word_matrix: Any
    stems: list[frozenset[str]]
    vocabulary: list[str]
    idf: dict[str, float] = field(default_factory=dict)


def _build(entries: list[ClassEntry]) -> _Index:
    texts = [normalized(e.text) for e in entries]
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=_TOKEN.pattern,
        stop_words=list(STOP_WORDS),
    )
    char_matrix = char.fit_transform(texts)
    word_matrix = word.fit_transform(texts)
    stems = [frozenset(_stem(w) for w in words(e.text)) for e in entries]
    vocabulary = sorted(set().union(*stems)) if stems else []
    # How telling a word is: rare across classes counts more ("drywall" more than "repair").
    counts: dict[str, int] = {}
    for s in stems:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    total = max(len(entries), 1)
    idf = {w: 1.0 + (total / n) ** 0.5 / 4 for w, n in counts.items()}
    return _Index(entries, char, word, char_matrix, word_matrix, stems, vocabulary, idf)


_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "indexes": {}}


def _table_key() -> tuple[Any, ...]:
    seen = ClassCode.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (seen["n"], seen["last"], seen["top"])


def _entries(system: str, line: str) -> list[ClassEntry]:
    """The system's classes; a system numbered like another (``shipped_from``) also offers
    the other's classes for the codes it has none of its own."""
    systems = [system]
    fallback = SYSTEMS.get(system, {}).get("shipped_from")
    if fallback:
        systems.append(fallback)
    rows = ClassCode.objects.filter(code_system__in=systems, line=line).order_by("code")
    by_code: dict[str, ClassEntry] = {}
    for row in rows:
        entry = ClassEntry(
            code_system=row.code_system,
            line=row.line,
            code=row.code,
            description=row.description,
            basis=row.basis,
            standard_exception=row.standard_exception,
            dual_wage_pair=row.dual_wage_pair,
            industry=row.industry,
            keywords=tuple(k.strip() for k in row.keywords.split(";") if k.strip()),
            source=row.source,
        )
        if row.code_system == system or row.code not in by_code:
            by_code[row.code] = entry
    return list(by_code.values())


def index_for(system: str, line: str) -> _Index:
    """The ranking index of one code system, built once and again after the table changes."""
    key = _table_key()
    with _lock:
        if _cache["key"] != key:
            _cache["key"] = key
            _cache["indexes"] = {}
        indexes: dict[tuple[str, str], _Index] = _cache["indexes"]
        found = indexes.get((system, line))
    if found is not None:
        return found
    built = _build(_entries(system, line))
    with _lock:
        if _cache["key"] == key:
            _cache["indexes"][(system, line)] = built
    return built


def system_for(state: str, line: str, on: date) -> str:
    """The code system a state's classes are in."""
    rules = default_rulebook().rules_for(state, on)
    if not rules.known:
        raise InvalidInput([Problem("state", f"{state!r} is not a state TrueUp has rules for")])
    if line == "GL":
        return GL_SYSTEM
    return rules.jurisdiction.class_system or "NCCI"


def _matched_words(
    index: _Index, query_words: list[str]
) -> tuple[dict[str, set[str]], dict[str, float]]:
    """For each word of the description, the class vocabulary's stems it stands for (itself,
    or what it is a misspelling of), and its weight."""
    meaning: dict[str, set[str]] = {}
    weight: dict[str, float] = {}
    for w in query_words:
        stem = _stem(w)
        found = {stem} if stem in index.idf else set()
        if not found and len(w) >= 5:
            close = process.extract(
                stem, index.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
            )
            found = {c[0] for c in close}
        meaning[w] = found
        weight[w] = max((index.idf[s] for s in found), default=1.0)
    return meaning, weight


def suggest(
    query: str,
    *,
    state: str,
    line: str = "WC",
    on: date | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Lookup:
    """The classes of the state's code system that best fit a description of operations, best
    first, each with the words that matched and the cautions that apply."""
    on = on or clock.today()
    state = state.strip().upper()
    line = line.strip().upper()
    problems = []
    if line not in ("WC", "GL"):
        problems.append(Problem("line", "must be WC or GL"))
    if not query.strip():
        problems.append(Problem("q", "describe the work done, e.g. 'we hang drywall'"))
    elif len(query) > MAX_QUERY:
        problems.append(Problem("q", f"at most {MAX_QUERY} characters"))
    if problems:
        raise InvalidInput(problems)
    system = system_for(state, line, on)
    index = index_for(system, line)
    name = SYSTEMS.get(system, {}).get("name", system)
    if not index.entries:
        return Lookup(state, line, system, name, query, (), ("No classes are loaded yet.",))
    # The words that tell the work apart: "company" or "we do" pull no class up.
    text = " ".join(words(query)) or normalized(query)
    char_scores = (index.char_matrix @ index.char.transform([text]).T).toarray().ravel()
    word_scores = (index.word_matrix @ index.word.transform([text]).T).toarray().ravel()
    query_words = list(dict.fromkeys(words(query)))
    meaning, weight = _matched_words(index, query_words)
    total_weight = sum(weight.values()) or 1.0
    base = CHAR_WEIGHT * char_scores + WORD_WEIGHT * word_scores
    order = base.argsort()[::-1][: max(CANDIDATES, limit)]
    scored: list[tuple[float, int, tuple[str, ...]]] = []
    for i in order:
        stems = index.stems[i]
        hit = tuple(w for w in query_words if meaning[w] & stems)
        coverage = sum(weight[w] for w in hit) / total_weight
        scored.append((float(base[i]) + MATCH_WEIGHT * coverage, int(i), hit))
    # Equal scores: the class that is not a standard exception first (it is the usual answer).
    scored.sort(key=lambda s: (-s[0], index.entries[s[1]].standard_exception, s[1]))
    # A class none of whose words were used is offered only when it scores near the best.
    best = scored[0][0] if scored else 0.0
    top = [s for s in scored if s[0] > MIN_SCORE and (s[2] or s[0] >= UNMATCHED_SHARE * best)]
    top = top[:limit]
    rates = rates_in_use()
    suggestions = []
    for score, i, hit in top:
        entry = index.entries[i]
        rate = rates.lookup(state, line, entry.code, on)
        suggestions.append(
            Suggestion(
                code=entry.code,
                description=entry.description,
                code_system=entry.code_system,
                basis=entry.basis,
                score=round(score, 4),
                matched=hit,
                warnings=tuple(_warnings(entry, state, on, top, index)),
                standard_exception=entry.standard_exception,
                dual_wage_pair=entry.dual_wage_pair,
                source=entry.source,
                rate_description=(rate.description or entry.description) if rate else "",
            )
        )
    notes = []
    if SYSTEMS.get(system, {}).get("shipped_from") and any(
        s.code_system != system for s in suggestions
    ):
        notes.append(
            f"{name}: no class table of the bureau's own is loaded; the descriptions shown are "
            f"for the {SYSTEMS[system]['shipped_from']}-numbered classes. Check the code in the "
            "bureau's manual."
        )
    return Lookup(state, line, system, name, query, tuple(suggestions), tuple(notes))


def _warnings(
    entry: ClassEntry,
    state: str,
    on: date,
    top: list[tuple[float, int, tuple[str, ...]]],
    index: _Index,
) -> list[str]:
    said = []
    if entry.standard_exception:
        said.append(
            f"{entry.code} is a standard exception: only for employees who do no other work "
            "for the business. Anyone who also does the business's other work goes to its "
            "governing class."
        )
    if entry.dual_wage_pair:
        said.append(_dual_wage(entry, state, on))
    if not entry.standard_exception and top:
        best = top[0][0]
        own = next((set(hit) for _, i, hit in top if index.entries[i].code == entry.code), set())
        others = []
        for score, i, hit in top:
            other = index.entries[i]
            # Another operation: a class that matched words of the description this one did not
            # (two classes matching the same words are alternatives, not two operations).
            if (
                other.code == entry.code
                or other.standard_exception
                or other.code == entry.dual_wage_pair
                or set(hit) <= own
                or score < ALSO_FITS_SHARE * best
            ):
                continue
            others.append(other.code)
        if others:
            said.append(
                f"The description also fits {', '.join(others)}: a business takes one governing "
                "class (the one with the most payroll). Another class is used only for a separate "
                "operation; without payroll records by class, the payroll goes to the highest "
                "rated class."
            )
    return said


def _dual_wage(entry: ClassEntry, state: str, on: date) -> str:
    rule = default_rulebook().rules_for(state, on).get("dual_wage")
    for pair in rule.items("pairs") if rule is not None else []:
        if entry.code in (pair["low"], pair["high"]):
            return (
                f"Dual-wage pair {pair['low']}/{pair['high']} ({pair['trade']}): workers paid "
                f"${pair['threshold']} an hour or more go to {pair['high']}, the others to "
                f"{pair['low']}. Without records of each worker's hourly wage, the payroll goes "
                f"to {pair['low']}."
            )
    return (
        f"Dual-wage pair with {entry.dual_wage_pair}: which class applies depends on each "
        "worker's hourly wage against the state's threshold."
    )


def describe(code_system: str, codes: list[str]) -> dict[str, str]:
    """The plain descriptions of some codes of a system (for showing beside codes)."""
    systems = [code_system]
    fallback = SYSTEMS.get(code_system, {}).get("shipped_from")
    if fallback:
        systems.append(fallback)
    found: dict[str, str] = {}
    rows = ClassCode.objects.filter(code_system__in=systems, code__in=codes)
    for row in sorted(rows, key=lambda r: r.code_system != code_system):
        found.setdefault(row.code, row.description)
    return found


def plain_description(state: str, line: str, code: str, on: date) -> str:
    """A class's description from the class table of the state's code system ("" when the
    state or the code is unknown): words beside a code where the rate table has none."""
    try:
        system = system_for(state, line, on)
    except InvalidInput:
        return ""
    return describe(system, [code]).get(code, "")
