"""Every translation catalogue (each app's ``locale``, whichever apps have one) is complete: no
message left in English, none marked fuzzy, every placeholder carried over unchanged, and the
compiled .mo that Django reads made from the .po as it is now."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.i18n.catalogues import ROOT, TRUEUP, catalogues, placeholders, read

CATALOGUES = catalogues()
NAMES = [str(p.relative_to(ROOT)) for p in CATALOGUES]


def test_the_portal_and_its_pages_have_a_spanish_catalogue() -> None:
    assert "trueup/portal/locale/es/LC_MESSAGES/django.po" in NAMES
    assert "trueup/web/locale/es/LC_MESSAGES/django.po" in NAMES


@pytest.mark.parametrize("path", CATALOGUES, ids=NAMES)
def test_every_message_is_translated_and_none_is_fuzzy(path: Path) -> None:
    header, entries = read(path)
    assert "fuzzy" not in header.flags, f"{path}: the header is marked fuzzy"
    assert entries, f"{path}: no messages"
    untranslated = [e.msgid for e in entries if not all(e.translations) or not e.translations]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{path}: not translated: {untranslated}"
    assert not fuzzy, f"{path}: marked fuzzy (check the translation, then remove the mark): {fuzzy}"


@pytest.mark.parametrize("path", CATALOGUES, ids=NAMES)
def test_every_translation_carries_the_same_placeholders(path: Path) -> None:
    _, entries = read(path)
    wrong = [
        f"{e.where}: {e.english(form)!r} → {text!r}"
        for e in entries
        for form, text in sorted(e.msgstr.items())
        if placeholders(text) != placeholders(e.english(form))
    ]
    assert not wrong, f"{path}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", CATALOGUES, ids=NAMES)
def test_gettext_accepts_the_catalogue(path: Path) -> None:
    assert shutil.which("msgfmt"), "msgfmt is missing: install gettext (make messages)"
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("path", CATALOGUES, ids=NAMES)
def test_the_compiled_catalogue_is_made_from_the_catalogue_as_it_is_now(
    path: Path, tmp_path: Path
) -> None:
    compiled = path.with_suffix(".mo")
    assert compiled.is_file(), f"{compiled} is missing: run make messages"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(path)], check=True)
    with compiled.open("rb") as now, fresh.open("rb") as made:
        in_use = gettext.GNUTranslations(now)._catalog  # type: ignore[attr-defined]
        expected = gettext.GNUTranslations(made)._catalog  # type: ignore[attr-defined]
    assert in_use == expected, f"{compiled} is older than its .po: run make messages"


def test_every_app_that_marks_text_for_translation_has_a_catalogue() -> None:
    """A template or module that marks text is collected by its app's catalogue (``make
    strings`` runs in each app with a locale directory)."""
    marks = ("{% translate", "{% blocktranslate", "{% trans ", "{% blocktrans ", "gettext")
    apps = set()
    for source in TRUEUP.rglob("*"):
        readable = source.suffix in (".py", ".html", ".txt") and "locale" not in source.parts
        if readable and any(mark in source.read_text(encoding="utf-8") for mark in marks):
            apps.add(source.relative_to(TRUEUP).parts[0])
    apps.discard("settings.py")
    without = sorted(app for app in apps if not (TRUEUP / app / "locale").is_dir())
    assert not without, f"text marked for translation in apps without a catalogue: {without}"


def test_a_message_in_several_catalogues_is_said_the_same_way_in_each() -> None:
    # Django merges the apps' catalogues and the first app's translation of a message wins
    # everywhere: two different translations would make one app's pages say the other's words.
    found: dict[tuple[str, str, str], dict[str, tuple[str, ...]]] = {}
    for path, name in zip(CATALOGUES, NAMES, strict=True):
        language = path.parents[1].name
        for e in read(path)[1]:
            found.setdefault((language, e.msgctxt, e.msgid), {})[name] = tuple(e.translations)
    differ = [
        f"{language} {msgid!r}: " + "; ".join(f"{name}: {said}" for name, said in by.items())
        for (language, _, msgid), by in sorted(found.items())
        if len(set(by.values())) > 1
    ]
    assert not differ, "translated differently:\n" + "\n".join(differ)
