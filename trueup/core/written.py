"""Queries the ORM writes once, then run with new values.

Building and compiling an ORM query costs the application about twice what running it does:
some 0.7 ms of processor time for a one-row ``get``. The queries every page asks the same way,
with only a key changing (the session, the signed-in user, an audit's rows of one kind), are
compiled by the ORM the first time; after that the same SQL runs with the new values, and each
row is made as the ORM makes it: the database's and the fields' converters, then, for records,
``Model.from_db``.

A query is written once only where the ORM passes the values to the database as they are given:
one it converts on its way (a date on SQLite, a record, a None) is compiled each time, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

# The ORM's own builders of records joined in (its stubs leave the function out).
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)
Converters = list[tuple[int, list[Any], Any]]


class Joined(NamedTuple):
    """Where a record's own columns are in a joined row, and the builders of its joined
    records (``RelatedPopulator``s, which keep nothing of one row for the next)."""

    start: int
    end: int
    populators: list[Any]


class _Written(NamedTuple):
    sql: str
    selected: tuple[Any, ...]  # the expressions the SQL selects, in order
    model: Any  # the model of the records it reads (None for a values query)
    # Each converted column's position and converters, found once with the compiling
    # connection: they depend on the database and the fields, not on the connection itself.
    converting: Converters
    # For records with others joined in (``select_related``): the ORM's own builders of the
    # joined records, made once from what the compiler selected.
    joined: Joined | None


# The range of the databases' largest integers (64 bits).
LOWEST, HIGHEST = -(2**63), 2**63 - 1

# Each query's SQL and what it selects, by database vendor and the query's key.
_written: dict[tuple[str, object], _Written] = {}
# The keys whose query the ORM has had to answer (a value it converts, or values given in
# another order than the SQL takes them): the tests check the pages leave none on PostgreSQL.
through_orm: set[tuple[str, object]] = set()


def rows_where(model: type[M], field: str, value: Any) -> list[M]:
    """``model``'s rows whose ``field`` is ``value``, as ``model.objects.filter(field=value)``
    reads them (its default manager, its ordering)."""

    def query(value: Any) -> QuerySet[M]:
        return model._default_manager.filter(**{field: value})

    return records_written((model, field), query, value)


def records_written(key: object, query: Callable[..., QuerySet[M]], *values: Any) -> list[M]:
    """The records ``query(*values)`` reads, a query of one model's columns (ordered, sliced,
    with columns deferred or other records joined in with ``select_related``) whose parameters
    are ``values`` in their order. ``key`` names the query: one key, one way of writing it."""
    found = _run(key, query, values)
    if not isinstance(found, _Read):
        return list(found)
    alias, joined = connection.alias, found.joined
    if joined is None:
        names = tuple(column.target.attname for column in found.selected)
        return [found.model.from_db(alias, names, row) for row in found.rows]
    # As the ORM's ModelIterable builds them: the record from its own columns, then each
    # joined record from its columns of the same row, linked both ways.
    names = tuple(column.target.attname for column in found.selected[joined.start : joined.end])
    records = []
    for row in found.rows:
        record = found.model.from_db(alias, names, row[joined.start : joined.end])
        for populator in joined.populators:
            populator.populate(row, record)
        records.append(record)
    return records


def related_written(record: Model, name: str) -> Any:
    """``record.name``, a foreign key's record, read (if not read yet) with SQL written once and
    kept on ``record`` as the ORM keeps it."""
    field: Any = type(record)._meta.get_field(name)
    key = getattr(record, field.attname)
    if key is not None and not field.is_cached(record):
        found = rows_where(field.related_model, field.target_field.name, key)
        if found:  # else the ORM's own read says what is missing
            field.set_cached_value(record, found[0])
    return getattr(record, name)


def values_written(
    key: str, query: Callable[..., QuerySet[Any, Any]], *values: Any
) -> list[tuple[Any, ...]]:
    """The rows of ``query(*values)``, a ``values_list`` query whose parameters are ``values`` in
    their order, as tuples. ``key`` names the query: one key, one way of writing it."""
    found = _run(key, query, values)
    if not isinstance(found, _Read):
        return [tuple(row) for row in found]
    return [tuple(row) for row in found.rows]


class _Read(NamedTuple):
    rows: list[Any]
    selected: tuple[Any, ...]
    model: Any
    joined: Joined | None


def _run(key: object, query: Callable[..., QuerySet[Any, Any]], values: tuple[Any, ...]) -> Any:
    """The rows read with the SQL written for ``key`` (``_Read``), or, where the ORM would convert
    a value, the ORM's query itself to read."""
    written = _written.get((connection.vendor, key))
    if any(type(value) is int and not LOWEST <= value <= HIGHEST for value in values):
        # A number no integer column holds (an address typed by hand): the ORM answers it with
        # no rows, without asking the database, which would refuse the number.
        return query(*values)
    if written is None:
        rows = query(*values)
        found = _write(rows.query.get_compiler(using=rows.db), values)
        if found is None:
            through_orm.add((connection.vendor, key))
            return rows
        written = _written[(connection.vendor, key)] = found
    with connection.cursor() as cursor:
        cursor.execute(written.sql, list(values))
        read = cursor.fetchall()
    if written.converting:
        read = [_converted(list(row), written.converting) for row in read]
    return _Read(read, written.selected, written.model, written.joined)


def _write(compiler: Any, values: tuple[Any, ...]) -> _Written | None:
    sql, params = compiler.as_sql()
    if tuple(params) != values:
        return None
    if compiler.query.annotation_select or compiler.query.extra_select:
        return None  # the ORM would reorder such a row's values: read through it
    selected = tuple(expression for expression, _, _ in compiler.select)
    model = compiler.query.model if compiler.klass_info else None
    return _Written(sql, selected, model, _converters(selected), _joined(compiler))


def _joined(compiler: Any) -> Joined | None:
    """How the records joined into a query's rows are built, if any are."""
    klass_info = compiler.klass_info
    if klass_info is None or not klass_info.get("related_klass_infos"):
        return None
    own = klass_info["select_fields"]
    populators = get_related_populators(klass_info, compiler.select, connection.alias)
    return Joined(own[0], own[-1] + 1, populators)


def _converters(selected: tuple[Any, ...]) -> Converters:
    """Each selected expression's converters from this connection (the database's, then the
    field's), as the ORM's compiler finds them."""
    found = []
    for position, expression in enumerate(selected):
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if converters:
            found.append((position, converters, expression))
    return found


def _converted(row: list[Any], converting: Converters) -> list[Any]:
    for position, converters, expression in converting:
        value = row[position]
        for converter in converters:
            value = converter(value, expression, connection)
        row[position] = value
    return row
