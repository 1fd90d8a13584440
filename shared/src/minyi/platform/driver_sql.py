"""Bulk writes and hot statements as the driver takes them: SQL compiled once per dialect,
rows as tuples in the SQL's parameter order (reporting's fold; the outbox, audit rows,
intake's suggestions and routing's band keys through ``insert_many``).

``session.execute(statement, rows)`` builds a parameter dict per row and runs every value
through SQLAlchemy's bind processing (``construct_params``), and looks the statement up in
its compiled cache: for the counters' upserts (28 values a row), the views' updates, the
band keys (dozens of rows per suggestion) and the outbox that cost more CPU than SQLite's
own work. Here the per-row work is the tuple; the values that need converting (datetimes,
JSON, booleans) go through their column type's own bind processor, so what is stored is
what SQLAlchemy would store.

On SQLite the statement then goes straight to the connection under the session
(``sqlite_inline``, on the same transaction): SQLAlchemy's execution path around it (its
events, the greenlet switch, the result's wrapping) cost 50–120 µs a statement, more than
SQLite's own work for a small batch's inbox, views or band keys (issue 21, tenth round).
Errors are raised as SQLAlchemy raises them; a held write lock is waited for off the loop
as for any statement.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from minyi.platform.db import UtcDateTime, dialect_insert
from minyi.platform.sqlite_inline import InlineConnection

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class DriverStatement:
    """A statement's SQL for one dialect, and how values given in ``names`` order become the
    driver's parameters."""

    sql: str
    # The names of the values, in the order the caller gives them.
    names: tuple[str, ...]
    # Reorders values into the SQL's parameter order (None: already in it).
    order: Callable[[Sequence[Any]], tuple[Any, ...]] | None
    # The values to convert first: (position in ``names``, the type's bind processor).
    converting: tuple[tuple[int, Processor], ...]

    async def fetch(self, connection: AsyncConnection, values: Sequence[Any] = ()) -> list[Any]:
        """The rows one execution with ``values`` returns, as the driver gives them (the
        caller converts what needs it)."""
        params = self._for_driver(values) if values else ()
        inline = _inline(connection)
        if inline is not None:
            async with inline.cursor() as cursor:
                try:
                    await cursor.execute(self.sql, params)
                except sqlite3.Error as exc:
                    raise _wrapped(exc, self.sql, params) from exc
                return await cursor.fetchall()
        return list((await connection.exec_driver_sql(self.sql, params)).all())

    async def run_many(self, connection: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> None:
        """One executemany of ``rows`` (each a tuple of values in ``names`` order)."""
        if not rows:
            return
        if self.converting or self.order is not None:
            rows = [self._for_driver(row) for row in rows]
        inline = _inline(connection)
        if inline is not None:
            async with inline.cursor() as cursor:
                try:
                    await cursor.executemany(self.sql, rows)
                except sqlite3.Error as exc:
                    raise _wrapped(exc, self.sql, rows) from exc
            return
        await connection.exec_driver_sql(self.sql, list(rows))

    def _for_driver(self, values: Sequence[Any]) -> tuple[Any, ...]:
        if self.converting:
            converted = list(values)
            for i, process in self.converting:
                # None too: JSON writes it as the JSON null, as SQLAlchemy does.
                converted[i] = process(converted[i])
            values = converted
        return self.order(values) if self.order is not None else tuple(values)


def _inline(connection: AsyncConnection) -> InlineConnection | None:
    """The SQLite connection under ``connection`` when it runs on the loop (``sqlite_inline``)
    in a transaction SQLAlchemy began (a session's, ``engine.begin()``: it commits what the
    statement wrote); None for another driver, or a connection SQLAlchemy must first begin
    or say something about."""
    sync = connection.sync_connection
    if sync is None or sync.closed or sync.invalidated or not sync.in_transaction():
        return None
    driver = sync.connection.driver_connection
    return driver if isinstance(driver, InlineConnection) else None


def _wrapped(exc: sqlite3.Error, sql: str, params: Any) -> StatementError:
    """The error SQLAlchemy raises for ``exc`` (``OperationalError``, ``IntegrityError``…):
    callers and the consumers' policy (``store_down``) see the same on both paths."""
    return DBAPIError.instance(sql, params, exc, sqlite3.Error)


T = TypeVar("T")


def per_dialect(build: Callable[[Dialect], T]) -> Callable[[Dialect], T]:
    """``build`` run once per dialect name, its result kept: a hot statement is compiled for
    SQLite and for PostgreSQL once per process, not per transaction (building one anew cost
    more CPU than running it). Keyed by the name, not the dialect: every engine has its own
    dialect object, and a cache keyed by them would grow with each engine a process makes."""
    built: dict[str, T] = {}

    @functools.wraps(build)
    def get(dialect: Dialect) -> T:
        found = built.get(dialect.name)
        if found is None:
            found = built[dialect.name] = build(dialect)
        return found

    return get


def compile_for(
    statement: ClauseElement,
    dialect: Dialect,
    names: Sequence[str],
    types: Mapping[str, TypeEngine[Any]] | None = None,
) -> DriverStatement:
    """``statement`` (whose bound parameters are exactly ``names``) for ``dialect``; a value
    named in ``types`` is converted as that type converts it (the others need nothing)."""
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not a SQL statement: {statement!r}")
    positions = tuple(compiled.positiontup or ())
    if sorted(positions) != sorted(names):
        raise ValueError(f"parameters {positions} are not {tuple(names)}")
    # Two orders differ only with two parameters or more: itemgetter then gives a tuple.
    order = None if positions == tuple(names) else itemgetter(*map(names.index, positions))
    converting = []
    for i, name in enumerate(names):
        kind = (types or {}).get(name)
        process = kind.dialect_impl(dialect).bind_processor(dialect) if kind is not None else None
        if process is not None:
            converting.append((i, process))
    return DriverStatement(compiled.string, tuple(names), order, tuple(converting))


def column_types(table: Table) -> dict[str, TypeEngine[Any]]:
    return {c.name: c.type for c in table.columns}


# Rows per statement of ``insert_returning``: well under both databases' parameter limits.
INSERT_CHUNK = 256
_INSERTS: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], int], DriverStatement] = {}


def insert_returning(
    dialect: Dialect, table: Table, columns: tuple[str, ...], returning: tuple[str, ...], n: int
) -> DriverStatement:
    """INSERT of ``n`` rows (``columns`` each, row after row) … ON CONFLICT DO NOTHING
    RETURNING ``returning`` of the rows added, as one statement: an executemany returns no
    rows. Built once per number of rows: give ``padded`` rows, so that a few sizes serve
    every batch (each size is a statement the driver prepares and keeps)."""
    key = (dialect.name, table.name, columns, returning, n)
    found = _INSERTS.get(key)
    if found is None:
        names = [f"{c}_{i}" for i in range(n) for c in columns]
        rows = [
            {c: bindparam(f"{c}_{i}", type_=table.c[c].type) for c in columns} for i in range(n)
        ]
        statement = (
            dialect_insert(dialect.name)(table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(*(table.c[c] for c in returning))
        )
        types = {f"{c}_{i}": table.c[c].type for i in range(n) for c in columns}
        if len(_INSERTS) > 1024:
            _INSERTS.clear()  # batch sizes vary: keep the cache bounded
        found = _INSERTS[key] = compile_for(statement, dialect, names, types)
    return found


def padded(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` (at most ``INSERT_CHUNK``) with the last repeated up to the next power of two,
    for ``insert_returning``: the repeat is a conflict ON CONFLICT DO NOTHING skips, and
    RETURNING does not give it."""
    size = 1 << max(len(rows) - 1, 0).bit_length()
    return [*rows, *[rows[-1]] * (size - len(rows))] if rows else []


@functools.cache
def _utc_processor(dialect: Dialect) -> Processor:
    process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def utc_for_driver(value: datetime, dialect: Dialect) -> Any:
    """An aware datetime as ``UtcDateTime`` hands it to ``dialect``'s driver (its own bind
    processor), for ``insert_many``: converted once where many rows share it."""
    return _utc_processor(dialect)(value)


_INSERT_MANY: dict[tuple[str, str, tuple[str, ...], bool], DriverStatement] = {}


async def insert_many(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``, values as the driver takes them:
    ``utc_for_driver`` for datetimes) into ``table`` with one executemany straight to the
    driver; ``skip_conflicts``: ON CONFLICT DO NOTHING. For tables written dozens of rows
    per event: SQLAlchemy's per-row parameter handling cost more than the insert itself
    (routing's band keys, ≈ 7 µs a row)."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    key = (dialect.name, table.name, tuple(columns), skip_conflicts)
    statement = _INSERT_MANY.get(key)
    if statement is None:
        values = dialect_insert(dialect.name)(table).values({c: bindparam(c) for c in columns})
        if skip_conflicts:
            values = values.on_conflict_do_nothing()
        statement = _INSERT_MANY[key] = compile_for(values, dialect, columns)
    await statement.run_many(connection, rows)
