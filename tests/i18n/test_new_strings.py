"""New English text is not shipped without its Spanish: each app with a catalogue has its
strings gathered again (``makemessages``, as ``make strings`` does) into a copy of the app, and
every message found there must already have a translation in the catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.i18n.catalogues import TRUEUP, read

APPS = sorted(p.parent for p in TRUEUP.glob("*/locale"))


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_every_string_in_the_code_and_templates_has_its_translation(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    for gathered in sorted(copy.glob("locale/*/LC_MESSAGES/*.po")):
        _, entries = read(gathered)
        missing = [
            f"{e.where}: {e.msgid!r}"
            for e in entries
            if not e.translations or not all(e.translations) or "fuzzy" in e.flags
        ]
        assert not missing, (
            f"{app.name}: new or changed text without its Spanish (run make strings, "
            "translate, then make messages):\n" + "\n".join(missing)
        )


def test_a_new_english_string_without_spanish_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above fails as it should: a template with a new string is refused."""
    app = TRUEUP / "portal"
    copy = tmp_path / "portal"
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "templates" / "new.html").write_text(
        '{% load i18n %}<p>{% translate "Your records arrived after the deadline." %}</p>',
        encoding="utf-8",
    )
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    _, entries = read(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    new = next(e for e in entries if e.msgid == "Your records arrived after the deadline.")
    assert new.translations == [""] or "fuzzy" in new.flags
