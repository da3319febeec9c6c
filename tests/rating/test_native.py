"""The compiled engine (``trueup/rating/native.py``): run in place of the engine's Python modules
only while it was built from them as they are, for this Python, and not when Python is asked for.
That it gives the same results is ``bench/engine_digest.py --interpreted``; ``make test`` runs the
engine's tests on both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import trueup.rating
from trueup.rating import engine, native


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package of two engine modules, its own ``__init__`` and errors left interpreted, and a
    build of it as ``make engine`` leaves one."""
    for name, text in (
        ("__init__.py", ""),
        ("errors.py", "class Refused(Exception): ...\n"),
        ("money.py", "ONE = 1\n"),
        ("premium.py", "from money import ONE\n"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    compiled = tmp_path / "compiled"
    compiled.mkdir()
    monkeypatch.setattr(native, "PACKAGE", tmp_path)
    monkeypatch.setattr(native, "COMPILED", compiled)
    monkeypatch.setattr(native, "MANIFEST", compiled / "manifest.json")
    monkeypatch.delenv("TRUEUP_ENGINE", raising=False)
    native.MANIFEST.write_text(json.dumps(native.fingerprint()), encoding="utf-8")
    return tmp_path


def test_a_build_of_the_modules_as_they_are_is_put_first_on_the_package_path(
    package: Path,
) -> None:
    path = [str(package)]
    assert native.built()
    assert native.use(path) is True
    assert path == [str(package / "compiled"), str(package)]


def test_the_build_compiles_every_module_but_those_left_interpreted_and_records_them_all(
    package: Path,
) -> None:
    assert [path.name for path in native.sources()] == ["money.py", "premium.py"]
    manifest = json.loads(native.MANIFEST.read_text(encoding="utf-8"))
    assert sorted(manifest["modules"]) == ["__init__.py", "errors.py", "money.py", "premium.py"]
    assert manifest["python"] == sys.implementation.cache_tag


def test_a_module_edited_since_the_build_leaves_the_engine_interpreted(package: Path) -> None:
    (package / "money.py").write_text("ONE = 1  # edited\n", encoding="utf-8")
    path = [str(package)]
    assert not native.built()
    assert native.use(path) is False
    assert path == [str(package)]


def test_a_module_added_since_the_build_leaves_the_engine_interpreted(package: Path) -> None:
    (package / "minimum.py").write_text("", encoding="utf-8")
    assert not native.built()


def test_an_edit_to_a_module_left_interpreted_also_leaves_the_engine_interpreted(
    package: Path,
) -> None:
    """The compiled modules were checked against the types of the others."""
    (package / "errors.py").write_text("class Refused(ValueError): ...\n", encoding="utf-8")
    assert not native.built()


def test_an_edit_in_a_subpackage_leaves_the_engine_interpreted(package: Path) -> None:
    (package / "rulebook").mkdir()
    (package / "rulebook" / "__init__.py").write_text("", encoding="utf-8")
    assert not native.built()


def test_a_build_for_another_python_leaves_the_engine_interpreted(package: Path) -> None:
    manifest = json.loads(native.MANIFEST.read_text(encoding="utf-8"))
    manifest["python"] = "cpython-312"
    native.MANIFEST.write_text(json.dumps(manifest), encoding="utf-8")
    assert not native.built()


def test_no_build_or_a_broken_manifest_leaves_the_engine_interpreted(package: Path) -> None:
    native.MANIFEST.write_text("{not json", encoding="utf-8")
    assert not native.built()
    native.MANIFEST.unlink()
    assert not native.built()
    assert native.use([str(package)]) is False


def test_python_asked_for_leaves_a_matching_build_unused(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUEUP_ENGINE", "python")
    path = [str(package)]
    assert native.built()
    assert native.use(path) is False
    assert path == [str(package)]


def test_the_engine_runs_compiled_exactly_when_its_build_matches_its_modules() -> None:
    wanted = native.built() and os.environ.get("TRUEUP_ENGINE") != "python"
    assert trueup.rating.COMPILED is wanted
    suffix = Path(engine.__file__ or "").suffix
    assert suffix == (".so" if wanted else ".py")


def test_a_process_asking_for_python_imports_the_engines_python_modules() -> None:
    code = "import trueup.rating.engine as e, trueup.rating as r; print(r.COMPILED, e.__file__)"
    env = {**os.environ, "TRUEUP_ENGINE": "python"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out[0] == "False"
    assert out[1].endswith("trueup/rating/engine.py")
