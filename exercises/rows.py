"""Model rows read with hand-written SQL on the polled paths: building an ORM query costs several
times the CPU of the query itself. Values go through the same converters the ORM applies, so
the instances are the ORM's own (PostgreSQL and SQLite alike)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


def quoted(name: str) -> str:
    """A table or column name quoted for the default database."""
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quoted(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    return quoted(model._meta.get_field(field_name).column)


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of the model, in field order, under a table alias."""
    return ", ".join(f"{alias}.{quoted(f.column)}" for f in model._meta.concrete_fields)


@cache
def _converters(vendor: str, model: type[Model]) -> tuple[tuple[Any, tuple[Converter, ...]], ...]:
    """Per concrete field: its column expression and the converters the ORM applies to it."""
    out = []
    for field in model._meta.concrete_fields:
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        out.append((expression, tuple(found)))
    return tuple(out)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """The model instance of a row read with `columns(model, …)` (as the ORM would build it)."""
    converted = []
    for (expression, converters), value in zip(_converters(connection.vendor, model), values, strict=True):
        for convert in converters:
            value = convert(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in model._meta.concrete_fields], converted)


def width(model: type[Model]) -> int:
    """How many values `columns(model, …)` reads."""
    return len(model._meta.concrete_fields)


@cache
def _insert_sql(vendor: str, model: type[Model]) -> str:
    fields = model._meta.concrete_fields
    names = ", ".join(quoted(f.column) for f in fields)
    return f"INSERT INTO {table(model)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"


def insert(obj: Model) -> None:
    """INSERT a new instance as save(force_insert=True) does, for models without save signals or
    database-generated values (its primary key set in Python)."""
    meta = type(obj)._meta
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, type(obj)), values)
    obj._state.adding = False
    obj._state.db = connection.alias
