"""``column IN (a list)`` with the list bound as ONE parameter: one statement text however
long the list.

An expanding ``IN`` renders a statement per list length. Each is prepared anew, and the
driver keeps up to 128 prepared statements per connection (Python's ``sqlite3``; a
statement with 2,800 parameters holds hundreds of kilobytes: routing's consumer, replayed
in-process, grew by 1.6 MB per thousand suggestions). Here SQLite reads the list from a JSON
array (``json_each``) and PostgreSQL from an array parameter (``= ANY``); both use the
column's index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Boolean, String, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine


class ValueList(TypeDecorator[Sequence[Any]]):
    """A list of strings or integers: an array on PostgreSQL, JSON text elsewhere."""

    impl = String
    cache_ok = True

    def __init__(self, item: TypeEngine[Any]) -> None:
        super().__init__()
        self.item = item

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(self.item))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        return json.dumps(list(value), ensure_ascii=False)


_TraverseInternals = list[tuple[str, InternalTraversal]]


class _InList(ColumnElement[bool]):
    inherit_cache = True
    _traverse_internals: _TraverseInternals = [  # noqa: RUF012 (SQLAlchemy reads the class's)
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()
    # A comparison already: SQLite's WHERE must not add ``= 1`` (its planner then scans
    # the table instead of searching the index, checked with EXPLAIN QUERY PLAN).
    _is_implicitly_boolean = True

    def __init__(self, column: ColumnElement[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


def in_list(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """``column IN`` the list given as parameter ``name`` (strings or integers); an empty
    list matches nothing."""
    return _InList(column, bindparam(name, type_=ValueList(column.type)))


@compiles(_InList)
def _json_each(element: _InList, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


@compiles(_InList, "postgresql")
def _any(element: _InList, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY({compiler.process(element.values, **kw)})"
