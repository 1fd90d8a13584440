"""SQLite for SQLAlchemy's asyncio engine without aiosqlite's worker thread.

aiosqlite hands every statement to a thread and wakes the event loop for each answer:
≈ 195 µs of CPU per statement on this machine, against ≈ 43 µs for the same statement
through SQLAlchemy's synchronous engine (docs/BENCHMARKS.md). A statement on a local WAL
file takes microseconds, and a commit with ``synchronous=NORMAL`` does not wait for the
disk, so running it on the loop itself is cheaper than handing it over. Only waiting is
not done on the loop: the connection's own busy timeout is zero, and a statement that finds
the write lock held by another process (a command-line tool, a backup) is retried in a
worker thread with the real ``busy_timeout``, so the loop keeps serving meanwhile.

These classes speak the part of aiosqlite's interface that SQLAlchemy's aiosqlite dialect
uses, so the dialect (its SQL, types and errors) stays exactly as it is; only the
connection is made here (``create_async_engine(..., async_creator=...)``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor, owner: InlineConnection) -> None:
        self._cursor = cursor
        self._owner = owner

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
            await self._owner.run(lambda: self._cursor.execute(sql))
        else:
            await self._owner.run(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = parameters if isinstance(parameters, Sequence) else list(parameters)
        await self._owner.run(lambda: self._cursor.executemany(sql, rows))
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
    def __init__(self, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # the dialect checks it
        self._tx = _RunNow()
        self.busy_timeout = busy_timeout
        self.waits = 0  # statements that found the lock held and waited in a thread

    async def run(self, statement: Callable[[], T]) -> T:
        """Run ``statement`` on the loop; if another process holds the write lock, wait
        for it in a worker thread instead (nothing was applied by the refused attempt)."""
        try:
            return statement()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or self.busy_timeout <= 0:
                raise
        self.waits += 1
        return await asyncio.to_thread(self._waiting, statement)

    def _waiting(self, statement: Callable[[], T]) -> T:
        self._conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        try:
            return statement()
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor(), self)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await self.run(self._conn.commit)

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


def connector(database: str, busy_timeout: float) -> Any:
    """An ``async_creator`` for ``create_async_engine`` opening ``database`` inline; a
    statement waits up to ``busy_timeout`` seconds for another process's write lock."""

    async def connect() -> InlineConnection:
        # check_same_thread off as aiosqlite sets it: the pool may close a connection
        # from the thread that runs garbage collection (and a locked statement waits in
        # a worker thread).
        conn = sqlite3.connect(database, timeout=0, check_same_thread=False)
        return InlineConnection(conn, busy_timeout)

    return connect
