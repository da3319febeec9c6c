"""``trueup rate`` on any JSON at all, and on the examples broken in every way hypothesis can find:
it exits 0 or 2 and never raises, and when it exits 2 every problem it prints has a JSON path.

Documents are fed through standard input (``trueup rate -``). Standard output is strict UTF-8, as a
terminal or a pipe is, so text that cannot be written would fail here too.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trueup.cli import main

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The field names a worksheet uses, so that arbitrary documents reach past the root object.
FIELDS = sorted(
    {
        key
        for path in EXAMPLES
        for key in re.findall(r'"([a-z_0-9]+)":', path.read_text(encoding="utf-8"))
    }
)
# A JSON path: $, then .name, [index] or ["any key"] steps; then the reason, on the same line.
PROBLEM = re.compile(r'  \$(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]|\["([^"\\]|\\.)*"\])*: \S.*')


class Raw(str):
    """JSON text put into the document as it stands: numbers json.dumps cannot write (1e5 with
    an exponent, a 5,000-digit integer) and nesting deeper than json.dumps can recurse."""


RAW_TEXTS = st.sampled_from(
    [
        "1e5",
        "-1E+999999999",
        "1e9999999999999999999999999",
        "-1.5e-9999999999999999999999999",
        "1e-400",
        "-0.0",
        "1" * 5000,
        "[" * 1000 + "]" * 1000,
        "[" * 33 + "1" + "]" * 33,
        '{"a":' * 500 + "1" + "}" * 500,
        "{[" * 40,
    ]
)
NUMBER_TEXTS = st.one_of(
    st.integers(0, 40).map(lambda n: "1" + "0" * n),
    st.integers(0, 40).map(lambda n: "-1" + "0" * n),
    st.integers(0, 40).map(lambda n: "0." + "0" * n + "1"),
    st.sampled_from(["999999999999.99", "-0.01", "0", "1e5", "NaN", "Infinity", " 12 ", "1,000"]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(0, 40).map(lambda n: 10**n),
    st.floats(),
    st.text(max_size=8),
    st.dates().map(date.isoformat),
    NUMBER_TEXTS,
    st.sampled_from(
        ["2025-02-30", "0001-01-01", "9999-12-31", "A\ud800", "\n", "IN", "5645", "WC"]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)
BAD_VALUES = st.one_of(JSON, RAW_TEXTS.map(Raw))


def run(document: Any, explain: bool) -> tuple[int, str, str]:
    """Write ``document`` as JSON (with Raw values spliced in) and rate it through the CLI."""
    raws: list[str] = []

    def placeholder(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(str(value))
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(value, dict):
            return {key: placeholder(item) for key, item in value.items()}
        if isinstance(value, list):
            return [placeholder(item) for item in value]
        return value

    text = json.dumps(placeholder(document), ensure_ascii=False)
    for index, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{index}@@"', raw)
    written = io.BytesIO()
    out = io.TextIOWrapper(written, encoding="utf-8")  # strict, as a terminal or a pipe is
    err = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(text)), redirect_stdout(out), redirect_stderr(err):
        status = main(["rate", *(["--explain"] if explain else []), "-"])
        out.flush()
    return status, written.getvalue().decode("utf-8"), err.getvalue()


def assert_rated_or_refused_by_path(status: int, out: str, err: str) -> None:
    assert status in (0, 2)
    if status == 0:
        assert out and not err
        return
    assert out == ""
    first, *problems = err.splitlines()
    assert re.fullmatch(r"trueup: -: [0-9]+ problem\(s\):", first), err
    assert problems, err
    for line in problems:
        assert PROBLEM.fullmatch(line), f"no JSON path in {line!r}"


@SETTINGS
@given(document=JSON, explain=st.booleans())
def test_any_json_document_is_rated_or_refused_by_json_path(document: Any, explain: bool):
    assert_rated_or_refused_by_path(*run(document, explain))


def places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a value can be replaced: every member of every object and list, the root excepted."""
    found = [at] if at else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += places(item, (*at, index))
    return found


def replace_at(document: Any, at: tuple[Any, ...], value: Any) -> None:
    holder = document
    for key in at[:-1]:
        holder = holder[key]
    holder[at[-1]] = value


@st.composite
def broken_examples(draw: st.DrawFn) -> Any:
    """An example worksheet with one to three values replaced: huge, tiny or negative numbers,
    strings, nulls, deep nesting, values of the wrong type; or a field dropped or added."""
    document = json.loads(draw(st.sampled_from(EXAMPLES)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(places(document)))
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
        holder = document
        for key in at[:-1]:
            holder = holder[key]
        if action == "drop" and isinstance(holder, dict):
            del holder[at[-1]]
        elif action == "add" and isinstance(holder, dict):
            holder[draw(st.sampled_from(FIELDS))] = draw(BAD_VALUES)
        else:
            replace_at(document, at, draw(BAD_VALUES))
    return document


@SETTINGS
@given(document=broken_examples(), explain=st.booleans())
def test_a_broken_example_is_rated_or_refused_by_json_path(document: Any, explain: bool):
    assert_rated_or_refused_by_path(*run(document, explain))


def test_the_examples_themselves_are_rated():
    for path in EXAMPLES:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert run(document, explain=False)[0] == 0, path.name
