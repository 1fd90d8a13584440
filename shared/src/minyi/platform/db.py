"""Async SQLAlchemy engine and sessions for one service's own database."""

from __future__ import annotations

import functools
import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Table, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator

from minyi.platform import sqlite_inline

# How long a SQLite statement waits for another process's write lock (in a worker thread,
# not on the event loop: sqlite_inline).
SQLITE_BUSY_TIMEOUT = 10.0
SQLITE_WAL_CHECKPOINT_PAGES = 8000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        # One connection serialises writers cleanly and measured fastest (docs/NATS.md, trap 14);
        # its statements run on the event loop, not in aiosqlite's thread (sqlite_inline).
        engine = create_async_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            async_creator=sqlite_inline.connector(
                make_url(url).database or ":memory:", busy_timeout=SQLITE_BUSY_TIMEOUT
            ),
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # A checkpoint runs in the commit that crosses the limit, on the event loop, and
            # ends with an fsync: every 8,000 pages (32 MB of WAL) rather than SQLite's
            # 1,000 drained an overloaded pipeline 8–11 % faster (paired runs, issue 21).
            cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
            cur.close()

        return engine
    # A fixed pool: overflow connections churned under load (docs/NATS.md, trap 14).
    return create_async_engine(url, pool_size=10, max_overflow=0, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def insert_or_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True if a row was added."""
    stmt = _insert_ignoring(session.get_bind().dialect.name, table)
    result = await session.execute(stmt, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


@functools.cache
def _insert_ignoring(dialect: str, table: Table) -> Any:
    # One statement per table with the values as parameters: SQLAlchemy finds it in its
    # compiled cache without walking the values (a hot path: every inbox claim).
    return dialect_insert(dialect)(table).on_conflict_do_nothing()


async def serialize_on(db: AsyncSession | AsyncConnection, key: str) -> None:
    """Until this transaction ends, another transaction calling this with ``key`` waits:
    a check-then-insert stays race-free when transactions run at once (PostgreSQL: a
    transaction-scoped advisory lock on the key's CRC-32 — a collision only makes two
    unrelated transactions take turns; SQLite has one writer, so nothing to do)."""
    dialect = db.dialect if isinstance(db, AsyncConnection) else db.get_bind().dialect
    if dialect.name == "postgresql":
        await db.execute(_ADVISORY_LOCK, {"k": zlib.crc32(key.encode())})


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:k)")


def dialect_insert(dialect: str) -> Any:
    """The ``insert`` with ``ON CONFLICT`` support for ``dialect`` (PostgreSQL or SQLite)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Minyi stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
