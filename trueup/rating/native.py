"""The engine compiled to C with mypyc, and run in place of its Python modules when it was built
from these very sources.

The engine's time goes to a great many small steps (a reason for every figure, a rule looked up
for every item), not to any one of them; compiled, each costs a fraction of the interpreter's time
and every result is the same to the character (``bench/engine_digest.py --interpreted``).

``make engine`` builds it (``native.build()``) into ``compiled/`` beside these modules, with a
manifest of the engine's modules it was built from, compiled or not (the compiled code was
checked against them all). The package puts that folder first on its path only while every one
still matches the manifest: an engine edited since, or built for another Python, runs
interpreted until it is built again, never stale. ``TRUEUP_ENGINE=python`` runs it interpreted
regardless (a debugger, a profile of the Python).

Left interpreted: the package's ``__init__`` files (the rule-book and rate files are found beside
them), this module, the error family (subclassed across the project, which a compiled class does
not allow) and the JSON reading and writing (not on the rating's path). A compiled engine's frozen
dataclasses cannot be pickled or deep-copied: nothing stores them so; their JSON is what is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).parent
COMPILED = PACKAGE / "compiled"
MANIFEST = COMPILED / "manifest.json"
INTERPRETED = frozenset({"__init__.py", "native.py", "errors.py", "jsonio.py"})
# The compiled modules' shared library, inside the package: trueup.rating.native__mypyc.
GROUP = "trueup.rating.native"


def sources() -> list[Path]:
    """The engine's modules that are compiled, in a fixed order."""
    return sorted(path for path in PACKAGE.glob("*.py") if path.name not in INTERPRETED)


def fingerprint() -> dict[str, object]:
    """What a build is valid for: this Python and the text of each of the engine's modules."""
    modules = sorted(PACKAGE.rglob("*.py"))
    return {
        "python": sys.implementation.cache_tag,
        "modules": {
            path.relative_to(PACKAGE).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in modules
        },
    }


def built() -> bool:
    """Whether the compiled engine was built from the sources as they are now."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest == fingerprint())


def use(path: list[str]) -> bool:
    """Put the compiled engine first on the package's ``__path__`` when it matches the sources
    (and ``TRUEUP_ENGINE`` does not ask for Python); whether it did."""
    if os.environ.get("TRUEUP_ENGINE") == "python" or not built():
        return False
    path.insert(0, str(COMPILED))
    return True


def build() -> None:
    """Compile the engine into ``compiled/`` and write its manifest last: a build that fails
    leaves no manifest, and the engine runs interpreted."""
    # Build-time tools only, installed with the project's dev dependencies: the engine itself
    # runs on the standard library.
    from mypyc.build import mypycify
    from setuptools import setup

    shutil.rmtree(COMPILED, ignore_errors=True)
    root = PACKAGE.parents[1]
    with tempfile.TemporaryDirectory(prefix="trueup-engine-") as name:
        work = Path(name)
        config = work / "mypy.ini"
        # Not the project's checks (``make check``): a build of code they have passed.
        config.write_text("[mypy]\nignore_missing_imports = True\n", encoding="utf-8")
        cwd = Path.cwd()
        os.chdir(root)  # mypyc names the modules by their paths from here (trueup/rating/…)
        try:
            modules = mypycify(
                [
                    f"--config-file={config}",
                    f"--cache-dir={work / 'cache'}",
                    *(str(path.relative_to(root)) for path in sources()),
                ],
                group_name=GROUP,
                target_dir=str(work / "c"),
            )
            os.chdir(work)  # setuptools reads the project's settings where it runs: none here
            setup(
                name="trueup-engine",
                ext_modules=modules,
                script_args=["build_ext", f"--build-lib={work / 'lib'}", f"--build-temp={work}"],
            )
        finally:
            os.chdir(cwd)
        shutil.copytree(work / "lib" / "trueup" / "rating", COMPILED)
    MANIFEST.write_text(json.dumps(fingerprint(), indent=1), encoding="utf-8")
