"""SQLite for SQLAlchemy's asyncio engine without aiosqlite's worker thread.

aiosqlite hands every statement to a thread and wakes the event loop for each answer:
≈ 195 µs of CPU per statement on this machine, against ≈ 43 µs for the same statement
through SQLAlchemy's synchronous engine (docs/BENCHMARKS.md). A statement on a local WAL
file takes microseconds, and a commit with ``synchronous=NORMAL`` does not wait for the
disk, so running it on the loop itself is cheaper than handing it over. The cost: the loop
waits while another process holds the write lock (only the command-line tools share a
service's file), bounded by ``busy_timeout``.

These classes speak the part of aiosqlite's interface that SQLAlchemy's aiosqlite dialect
uses, so the dialect (its SQL, types and errors) stays exactly as it is; only the
connection is made here (``create_async_engine(..., async_creator=...)``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's request queue, which the dialect's isolation-level setter
    feeds directly: the function runs at once."""

    def put_nowait(self, item: tuple[Any, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # the dialect checks it
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Terminate (the dialect's forced close): nothing runs elsewhere to stop."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(database: str) -> Any:
    """An ``async_creator`` for ``create_async_engine`` opening ``database`` inline."""

    async def connect() -> InlineConnection:
        # check_same_thread off as aiosqlite sets it: the pool may close a connection
        # from the thread that runs garbage collection.
        return InlineConnection(sqlite3.connect(database, check_same_thread=False))

    return connect
