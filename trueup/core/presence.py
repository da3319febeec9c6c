"""Which of a record's related tables hold any row for it, asked in one query.

A page that shows many sections of one record (an audit's portal, billing, letters, …) reads
each section with the ORM, and building and reading an ORM query costs the application about half
a millisecond of processor time even when nothing comes back, while most audits have nothing in
most of those sections. One query of ``EXISTS`` says which sections hold rows; only those are read.

A page made of several apps' sections asks every section's probes in one query first
(``probed``): each section's own ``holding`` is then answered from it, with no query of its own.
A relation found empty is set empty (``read_as_empty``); one that holds rows is read with SQL
written once (``read_now``, ``core.written``), both kept where a prefetch keeps its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

from trueup.core.written import rows_where

Row = TypeVar("Row")

# A model, the field that points at the record (a foreign key, by its name) and the record's key.
Probe = tuple[type[Model], str, int]


# What ``probed`` found, while its block runs.
_found: ContextVar[dict[Probe, bool] | None] = ContextVar("presence_found", default=None)


def holding(**probes: Probe) -> dict[str, bool]:
    """For each name, whether its model has a row whose field equals the key given."""
    found = _found.get()
    if found is not None and all(probe in found for probe in probes.values()):
        return {name: found[probe] for name, probe in probes.items()}
    return _asked(probes)


@contextmanager
def probed(probes: Iterable[Probe]) -> Iterator[dict[Probe, bool]]:
    """Ask these probes in one query; inside the block, ``holding`` answers any of them from it.
    What it found is kept only for the block: a row added later is seen by the next page."""
    asked = list(dict.fromkeys(probes))
    answers = (
        {} if not asked else _asked({f"p{number}": probe for number, probe in enumerate(asked)})
    )
    found = {probe: answers[f"p{number}"] for number, probe in enumerate(asked)}
    token = _found.set(found)
    try:
        yield found
    finally:
        _found.reset(token)


def read_as_empty(record: Model, name: str) -> None:
    """From now on ``record``'s reverse relation ``name`` (``audit.owners``) holds no rows, with
    no query: as a prefetch that found none leaves it, for a relation a probe found empty.
    ``Prefetch(name, none())`` does the same through the ORM's prefetch machinery, at about a
    quarter of a millisecond each; this sets what that machinery sets (Django 5.2)."""
    rows = getattr(record, name).none()
    rows._result_cache = []
    _keep(record, name, rows)


def read_now(record: Model, name: str, rows: QuerySet[Any] | None = None) -> None:
    """Read ``record``'s reverse relation ``name`` now, in one query (``rows``: a query of that
    relation, ``audit.findings.select_related("by")``), and keep its rows as a prefetch does:
    ``record.name.all()`` then answers them with no query, each row pointing back at ``record``.
    Without ``rows``, the relation's query is written once (``rows_of``)."""
    if rows is None:
        rows = getattr(record, name).all()
        rows._result_cache = rows_of(record, name)
    else:
        rows._fetch_all()
    _keep(record, name, rows)


def rows_of(record: Model, name: str) -> list[Any]:
    """The rows of ``record``'s reverse relation ``name``, as ``record.name.all()`` reads them,
    each pointing back at ``record``, with SQL written once (``rows_where``)."""
    field = type(record)._meta.get_field(name).field  # type: ignore[union-attr]
    rows = rows_where(field.model, field.name, record.pk)
    for row in rows:
        field.set_cached_value(row, record)
    return rows


def _keep(record: Model, name: str, rows: QuerySet[Any]) -> None:
    """Keep ``rows`` as ``record``'s relation ``name``, where a prefetch keeps them (Django 5.2:
    the tests of ``read_as_empty`` and ``read_now`` are what would catch a change)."""
    rows._prefetch_done = True  # type: ignore[attr-defined]
    relation = type(record)._meta.get_field(name)
    cache = record.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[relation.cache_name] = rows  # type: ignore[union-attr]


def related(record: Model, name: str) -> Probe:
    """The probe of one of ``record``'s reverse relations (``audit.payroll``: whether any payroll
    row points at this audit)."""
    relation = type(record)._meta.get_field(name)
    return (relation.related_model, relation.field.name, record.pk)  # type: ignore[union-attr,return-value]


def _asked(probes: dict[str, Probe]) -> dict[str, bool]:
    names = tuple(probes)
    sql = _sql(connection.vendor, tuple((model, field) for model, field, _ in probes.values()))
    with connection.cursor() as cursor:
        cursor.execute(sql, [key for _, _, key in probes.values()])
        found = cursor.fetchone()
    return {name: bool(value) for name, value in zip(names, found, strict=True)}


def rows_if(held: bool, rows: Iterable[Row]) -> list[Row]:
    """The rows (a query, not run unless ``held``), or none where the probe found nothing."""
    return list(rows) if held else []


@cache
def _sql(vendor: str, shape: tuple[tuple[type[Model], str], ...]) -> str:
    """The query for one set of probes, written once (``vendor``: the database it is quoted for)."""
    quote = connection.ops.quote_name
    tests = []
    for model, field in shape:
        table = quote(model._meta.db_table)
        column = model._meta.get_field(field).column  # type: ignore[union-attr]
        assert column is not None, f"{model.__name__}.{field} is a relation kept elsewhere"
        tests.append(f"EXISTS (SELECT 1 FROM {table} WHERE {quote(column)} = %s)")
    return "SELECT " + ", ".join(tests)
