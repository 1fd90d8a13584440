"""SQLite statements run on the event loop, but waiting for another process's write lock
happens in a worker thread: the loop keeps serving meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker

from minyi.platform import sqlite_inline
from minyi.platform.db import SQLITE_WAL_CHECKPOINT_PAGES, create_engine
from minyi.platform.driver_sql import insert_many


@pytest.mark.parametrize("straight", [False, True], ids=["sqlalchemy", "driver_sql"])
async def test_a_write_waits_for_a_held_lock_off_the_loop(tmp_path: Path, straight: bool) -> None:
    """Through SQLAlchemy's execution path, and straight to the connection (``driver_sql``)."""
    db = tmp_path / "s.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    sessions = async_sessionmaker(engine)

    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process's writer
    threading.Timer(0.6, holder.execute, args=("COMMIT",)).start()

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick = asyncio.create_task(ticker())
    try:
        async with sessions.begin() as session:
            if straight:
                await insert_many(
                    session, Table("t", MetaData(), Column("x", Integer)), ["x"], [(1,)]
                )
            else:
                await session.execute(text("INSERT INTO t VALUES (1)"))
            conn = await session.connection()
            raw = (await conn.get_raw_connection()).driver_connection
    finally:
        tick.cancel()
    assert isinstance(raw, sqlite_inline.InlineConnection)
    assert raw.waits == 1
    assert ticks >= 20, f"the loop stood still while the lock was held ({ticks} ticks)"
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1
    holder.close()
    await engine.dispose()


async def test_a_lock_held_past_the_busy_timeout_fails_the_statement(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        raw = (await conn.get_raw_connection()).driver_connection
    raw.busy_timeout = 0.2
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(OperationalError, match="database is locked"):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t VALUES (1)"))
    holder.execute("ROLLBACK")
    async with engine.begin() as conn:  # the connection still works, with no wait left set
        await conn.execute(text("INSERT INTO t VALUES (2)"))
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one() == 0
    holder.close()
    await engine.dispose()


async def test_every_connection_is_set_as_the_services_need(tmp_path: Path) -> None:
    """WAL with ``synchronous=NORMAL`` (a commit does not wait for the disk), foreign keys,
    and checkpoints every ``SQLITE_WAL_CHECKPOINT_PAGES`` rather than SQLite's 1,000."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}")
    async with engine.connect() as conn:
        pragmas = {
            name: (await conn.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("journal_mode", "synchronous", "foreign_keys", "wal_autocheckpoint")
        }
    await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "wal_autocheckpoint": SQLITE_WAL_CHECKPOINT_PAGES,
    }
    assert SQLITE_WAL_CHECKPOINT_PAGES > 1000


# What SQLAlchemy's aiosqlite dialect reaches for on the driver connection beyond aiosqlite's
# public API: the private attributes ``InlineConnection`` mimics. A SQLAlchemy release that
# uses others (or stops using these) must be looked at before the pin in
# shared/pyproject.toml moves.
DIALECT_PRIVATE_USES = {"_conn", "_tx", "_connection"}


def test_the_aiosqlite_dialect_reaches_for_exactly_the_private_parts_we_mimic() -> None:
    import inspect
    import re

    import sqlalchemy
    from sqlalchemy.dialects.sqlite import aiosqlite as dialect

    assert sqlalchemy.__version__.startswith("2.1."), (
        f"SQLAlchemy {sqlalchemy.__version__}: sqlite_inline was checked against 2.1 only"
    )
    source = inspect.getsource(dialect)
    used = set(re.findall(r"self\._connection\.(_\w+)", source))
    assert used == DIALECT_PRIVATE_USES
    inline = sqlite_inline.InlineConnection(sqlite3.connect(":memory:"), busy_timeout=0)
    for name in used:
        assert hasattr(inline, name), name
    assert hasattr(inline._tx, "put_nowait")
