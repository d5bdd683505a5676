"""Quoted table and column names, for the few statements written by hand on hot paths."""

from __future__ import annotations

from django.db import connection
from django.db.models import Field, Model


def table_name(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column_name(model: type[Model], field_name: str) -> str:
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field) and field.column
    return connection.ops.quote_name(field.column)
