"""Statements every import runs, built once per database connection instead of every time.

On an unchanged import Django spent more CPU building its statements (SQL text, column
lists, value converters) than the database spent running them. Each statement here is
built once from the same ORM query or model fields and run with each import's values, and
its rows come back as the same model instances. Model signals are not sent (no receiver
listens for the models written here), and the writes go through Django's cursor, so
query logging and error translation stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Generic, TypeVar, cast
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)
# Each column's position, the ORM's converters for it and its expression.
Converters = list[tuple[int, tuple[list[Any], Any]]]

# Stands for the looked-up id while a query is built; replaced in the parameters when run.
_STAND_IN = -7_000_001


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    model: type[M]
    sql: str
    params: tuple[Any, ...]
    init_list: list[str]
    fields_end: int
    populators: list[Any]
    converters: Converters


class RowById(Generic[M]):
    """One row by its id, from a query (``select_related`` included) compiled once.

    ``build`` takes the id and returns the query; ``get`` returns what ``build(id).get()``
    would, or raises the model's ``DoesNotExist``.
    """

    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        self._build = build
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled[M]] = WeakKeyDictionary()

    def get(self, pk: int) -> M:
        database = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(database) or self._compile(database)
        params = tuple(pk if value == _STAND_IN else value for value in compiled.params)
        with database.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        model = compiled.model
        if row is None:
            raise model.DoesNotExist(f"{model.__name__} {pk} does not exist")  # type: ignore[attr-defined]
        values = _converted(row, compiled.converters, database)
        obj = cast(
            M, model.from_db(DEFAULT_DB_ALIAS, compiled.init_list, values[: compiled.fields_end])
        )
        for populator in compiled.populators:
            populator.populate(values, obj)
        return obj

    def _compile(self, database: BaseDatabaseWrapper) -> _Compiled[M]:
        queryset = self._build(_STAND_IN).order_by()
        query = queryset.query
        compiler = query.get_compiler(connection=database)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None and not compiler.annotation_col_map
        fields = klass_info["select_fields"]
        assert fields[0] == 0, "the model's own columns come first"
        compiled = _Compiled(
            model=queryset.model,
            sql=sql,
            params=tuple(params),
            init_list=[column[0].target.attname for column in select[: fields[-1] + 1]],
            fields_end=fields[-1] + 1,
            populators=get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),
            converters=list(compiler.get_converters([column[0] for column in select]).items()),
        )
        self._compiled[database] = compiled
        return compiled


class ValueRows:
    """The rows of a ``values_list`` query, compiled once per connection with its converters.

    ``build`` takes stand-ins for the values that change from one call to the next (ids,
    days, instants; ``stand_ins`` gives them) and returns the query; ``fetch`` takes the
    real values in the same order and returns what ``list(build(*values))`` would.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], stand_ins: tuple[Any, ...]) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _CompiledRows] = WeakKeyDictionary()

    def fetch(self, *values: Any) -> list[tuple[Any, ...]]:
        database = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(database) or self._compile(database)
        adapted = [_adapted(database, value) for value in values]
        params = [adapted[i] if i is not None else p for i, p in compiled.params]
        with database.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        return [tuple(_converted(row, compiled.converters, database)) for row in rows]

    def _compile(self, database: BaseDatabaseWrapper) -> _CompiledRows:
        compiler = self._build(*self._stand_ins).query.get_compiler(connection=database)
        sql, params = compiler.as_sql()
        stand_ins = [_adapted(database, value) for value in self._stand_ins]
        compiled = _CompiledRows(
            sql=sql,
            # Each parameter: which value of ``fetch`` replaces it, or None for a constant.
            params=[(stand_ins.index(p) if p in stand_ins else None, p) for p in params],
            converters=list(compiler.get_converters([c[0] for c in compiler.select]).items()),
        )
        self._compiled[database] = compiled
        return compiled


@dataclass(frozen=True)
class _CompiledRows:
    sql: str
    params: list[tuple[int | None, Any]]
    converters: Converters


def _converted(
    row: Sequence[Any], converters: Converters, database: BaseDatabaseWrapper
) -> list[Any]:
    """Return a row's values as the ORM gives them: each column through its converters."""
    values = list(row)
    for position, (column_converters, expression) in converters:
        for converter in column_converters:
            values[position] = converter(values[position], expression, database)
    return values


def _adapted(database: BaseDatabaseWrapper, value: Any) -> Any:
    """Return a value as a query's compilation leaves it among its parameters."""
    if isinstance(value, datetime):
        return database.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return database.ops.adapt_datefield_value(value)
    return value


def insert_row(obj: Model) -> None:
    """INSERT a new model instance as ``obj.save()`` would, and set its id."""
    database = connections[DEFAULT_DB_ALIAS]
    model = type(obj)
    fields = _inserted_fields(model)
    values = [f.get_db_prep_save(f.pre_save(obj, True), database) for f in fields]
    returning = database.features.can_return_columns_from_insert
    with database.cursor() as cursor:
        cursor.execute(_insert_sql(database.vendor, model, returning), values)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def save_fields(obj: Model, names: Sequence[str]) -> None:
    """UPDATE the named fields of a stored row, as ``obj.save(update_fields=names)`` would."""
    database = connections[DEFAULT_DB_ALIAS]
    model = type(obj)
    fields = [model._meta.get_field(name) for name in names]
    values = [f.get_db_prep_save(f.pre_save(obj, False), database) for f in fields]  # type: ignore[union-attr]
    with database.cursor() as cursor:
        cursor.execute(_update_sql(database.vendor, model, tuple(names)), [*values, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


@cache
def _inserted_fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@cache
def _insert_sql(vendor: str, model: type[Model], returning: bool) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(f.column) for f in _inserted_fields(model))
    values = ", ".join(["%s"] * len(_inserted_fields(model)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"
    pk = model._meta.pk
    assert pk is not None
    return f"{sql} RETURNING {quote(pk.column)}" if returning else sql


@cache
def _update_sql(vendor: str, model: type[Model], names: tuple[str, ...]) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = [model._meta.get_field(name).column for name in names]  # type: ignore[union-attr]
    assignments = ", ".join(f"{quote(str(column))} = %s" for column in columns)
    pk = model._meta.pk
    assert pk is not None
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
