"""The glossary of premium-audit terms in both languages, kept as data: every term has its
English and its Spanish, the glossary page shows the reader's language, and the Spanish
catalogues say each glossary word the way the glossary does (the page and the text around it
never name one thing two ways)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.i18n.catalogues import catalogues, read
from trueup.accounts.models import User
from trueup.portal import words

# The terms the glossary must explain, by their keys.
REQUIRED = {
    "premium-audit",
    "payroll",
    "overtime",
    "classification",
    "experience-modification",
    "certificate-of-insurance",
    "additional-premium",
    "return-premium",
    "subcontractor",
}


def test_every_term_has_its_words_and_meaning_in_every_language() -> None:
    found = words.glossaries()
    assert set(found) == {code for code, _ in settings.LANGUAGES}
    english = found["en"]
    assert {t.key for t in english} >= REQUIRED
    for code, terms in found.items():
        assert [t.key for t in terms] == [t.key for t in english], code
        for term, in_english in zip(terms, english, strict=True):
            assert term.term.strip() and term.meaning.strip(), (code, term.key)
            if code != "en":
                assert term.term != in_english.term, f"{term.key}: {code} repeats the English"
                assert term.meaning != in_english.meaning, f"{term.key}: {code} repeats the English"


def test_the_spanish_glossary_uses_the_shared_words() -> None:
    spanish = {t.key: t.term for t in words.glossary("es")}
    assert spanish["payroll"] == "Nómina"
    assert spanish["premium-audit"] == "Auditoría de prima"
    assert spanish["overtime"] == "Porción adicional de las horas extra"
    assert spanish["classification"] == "Clasificación (código de clase)"
    assert spanish["experience-modification"] == "Modificación por experiencia"
    assert spanish["certificate-of-insurance"] == "Certificado de seguro"
    assert spanish["additional-premium"] == "Prima adicional"
    assert spanish["return-premium"] == "Prima a devolver"
    assert spanish["subcontractor"] == "Subcontratista"


def _words(term: str) -> str:
    """A term without its bracketed aside, in lower case: "classification (class code)" →
    "classification"."""
    return re.sub(r"\s*\(.*?\)", "", term).strip().lower()


def _spanish_pattern(term: str) -> re.Pattern[str]:
    """The Spanish term, each word also in its plural (certificados de seguro)."""
    parts = [re.escape(w) + "(?:s|es)?" for w in _words(term).split()]
    return re.compile(r"\b" + r"\s+".join(parts) + r"\b")


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).lower()


@pytest.mark.parametrize(
    "path", [p for p in catalogues() if "/es/" in str(p)], ids=lambda p: p.parts[-5]
)
def test_the_spanish_catalogue_says_each_glossary_word_as_the_glossary_does(path: Path) -> None:
    english = {t.key: _words(t.term) for t in words.glossary("en")}
    spanish = {t.key: _spanish_pattern(t.term) for t in words.glossary("es")}
    _, entries = read(path)
    wrong = []
    for entry in entries:
        for key, word in english.items():
            if not re.search(r"\b" + re.escape(word), _plain(entry.msgid)):
                continue
            for text in entry.translations:
                if not spanish[key].search(_plain(text)):
                    wrong.append(f"{entry.msgid!r} → {text!r} (wants “{spanish[key].pattern}”)")
    assert not wrong, "glossary words translated differently:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_glossary_page_is_shown_in_the_reader_s_language(policyholder: User) -> None:
    client = Client()
    client.force_login(policyholder)
    english = client.get("/portal/glossary/").content.decode()
    assert "Audit terms explained" in english
    assert '<dt id="payroll">Payroll</dt>' in english
    User.objects.filter(pk=policyholder.pk).update(language="es")
    spanish = client.get("/portal/glossary/").content.decode()
    assert '<html lang="es">' in spanish
    assert "Términos de auditoría explicados" in spanish
    assert '<dt id="payroll">Nómina</dt>' in spanish
    assert '<dt id="return-premium">Prima a devolver</dt>' in spanish
    assert "La prima se cobra por cada $100 de nómina." in spanish
