"""The statements every consumer batch runs (the inbox's claim, the outbox's delete) and
``driver_sql``'s statements go straight to the driver: on SQLite past SQLAlchemy's execution
path, in the same transaction, with SQLAlchemy's errors (the wait for a held write lock:
test_sqlite_inline). The same calls on PostgreSQL go through SQLAlchemy and must agree."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker

from minyi.platform.consuming.policy import store_down
from minyi.platform.db import create_engine
from minyi.platform.driver_sql import compile_for, insert_many
from minyi.platform.inbox import claim_many
from minyi.platform.outbox import add_to_outbox, delete_published
from minyi.platform.tables import inbox_table, outbox_table
from tests.support import infra
from tests.support.sql import statements_sent

metadata = MetaData()
inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
keys = Table(
    "keys",
    metadata,
    Column("key", BigInteger, primary_key=True),
    Column("name", String(20), nullable=False),
)


def _outbox_row(event_id: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "subject": "minyi.test",
        "payload": b"{}",
        "headers": {},
        "created_at": datetime.now(UTC),
        "attempts": 0,
    }


async def _batch_statements(url: str) -> list[str]:
    """Claims, outbox rows and their delete as a consumer's transactions run them; returns
    what went through SQLAlchemy's execution path meanwhile."""
    engine = create_engine(url)
    try:
        async with engine.begin() as c:
            await c.run_sync(metadata.create_all)
        sessions = async_sessionmaker(engine)
        sent = statements_sent(engine)
        async with sessions.begin() as s:
            assert await claim_many(s, inbox, ["e1", "e2", "e1"], "c") == {"e1", "e2"}
            assert await claim_many(s, inbox, ["e2", "e3"], "c") == {"e3"}  # same transaction
            assert await claim_many(s, inbox, ["e1"], "other") == {"e1"}  # per consumer
            assert await claim_many(s, inbox, [], "c") == set()
            await add_to_outbox(s, outbox, [_outbox_row(f"o{i}") for i in range(5)])
        async with sessions.begin() as s:
            assert await claim_many(s, inbox, ["e1", "e2", "e3", "e4"], "c") == {"e4"}
            await delete_published(s, outbox, ["o1", "o3", "nope"])
            await delete_published(s, outbox, [])
        async with sessions() as s:
            left = set((await s.execute(select(outbox.c.event_id))).scalars())
            handled = set((await s.execute(select(inbox.c.event_id, inbox.c.consumer))).all())
        assert left == {"o0", "o2", "o4"}
        assert handled == {("e1", "c"), ("e2", "c"), ("e3", "c"), ("e4", "c"), ("e1", "other")}
        # A batch whose transaction rolls back leaves no claim behind.
        with pytest.raises(RuntimeError):
            async with sessions.begin() as s:
                assert await claim_many(s, inbox, ["e5"], "c") == {"e5"}
                raise RuntimeError("the handler failed")
        async with sessions.begin() as s:
            assert await claim_many(s, inbox, ["e5"], "c") == {"e5"}
        return sent
    finally:
        await engine.dispose()


def test_a_batchs_claims_and_deletes_skip_sqlalchemys_execution_on_sqlite(tmp_path: Path) -> None:
    sent = asyncio.run(_batch_statements(f"sqlite+aiosqlite:///{tmp_path}/s.sqlite3"))
    # Only the test's own reads went through SQLAlchemy.
    assert all(s.lstrip().upper().startswith("SELECT") for s in sent), sent
    assert not any("inbox" in s and "json_each" in s for s in sent), sent
    assert len(sent) == 2, sent


@pytest.mark.postgres
def test_a_batchs_claims_and_deletes_agree_on_postgresql(postgres_admin_url: str) -> None:
    with infra.postgres_databases(postgres_admin_url, ["straight"]) as urls:
        sent = asyncio.run(_batch_statements(urls["straight"]))
    assert any("inbox" in s for s in sent)  # asyncpg's path is SQLAlchemy's, unchanged


async def test_errors_on_the_straight_path_are_sqlalchemys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/e.sqlite3")
    try:
        async with engine.begin() as c:
            await c.run_sync(metadata.create_all)
        sessions = async_sessionmaker(engine)
        async with sessions.begin() as s:
            await insert_many(s, keys, ("key", "name"), [(1, "a")])
        with pytest.raises(IntegrityError, match="UNIQUE"):
            async with sessions.begin() as s:
                await insert_many(s, keys, ("key", "name"), [(2, "b"), (1, "again")])
        async with sessions() as s:  # the failed transaction left nothing
            assert (await s.execute(select(keys.c.key))).scalars().all() == [1]
        missing = Table("missing", MetaData(), Column("key", BigInteger, primary_key=True))
        query = compile_for(select(missing.c.key), engine.dialect, ())
        with pytest.raises(OperationalError, match="no such table") as raised:
            async with engine.begin() as c:
                await query.fetch(c)
        assert store_down(raised.value)  # the consumers' policy sees what it always saw
    finally:
        await engine.dispose()


async def test_a_connection_sqlalchemy_has_not_begun_keeps_sqlalchemys_path(tmp_path: Path) -> None:
    """A write on a connection with no transaction begun goes through SQLAlchemy, which
    begins one, so that ``commit()`` commits it (straight, SQLAlchemy would know of no
    transaction and the write would be rolled back when the connection is returned)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/b.sqlite3")
    try:
        async with engine.begin() as c:
            await c.run_sync(metadata.create_all)
        insert = compile_for(keys.insert(), engine.dialect, ("key", "name"))
        async with engine.connect() as c:
            await insert.run_many(c, [(1, "kept")])
            await c.commit()
        async with engine.connect() as c:
            assert (await c.execute(select(keys.c.name))).scalars().all() == ["kept"]
    finally:
        await engine.dispose()
