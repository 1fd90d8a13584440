"""``driver_sql.insert_many`` writes rows straight to the driver: what it stores must read back, and
compare in queries, exactly like a row written through SQLAlchemy's types."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import async_sessionmaker

from minyi.platform.db import UtcDateTime, create_engine
from minyi.platform.driver_sql import insert_many, per_dialect, utc_for_driver
from tests.support import infra

metadata = MetaData()
rows_table = Table(
    "rows_table",
    metadata,
    Column("key", BigInteger, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)
T0 = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC)


async def _round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with engine.begin() as connection:
            # Through SQLAlchemy: the reference.
            await connection.execute(insert(rows_table), [{"key": 1, "name": "a", "at": T0}])
        sessions = async_sessionmaker(engine)
        async with sessions.begin() as session:
            dialect = session.get_bind().dialect
            east8 = T0.astimezone(timezone(timedelta(hours=8)))  # the same instant
            rows = [
                (2, "b", utc_for_driver(east8, dialect)),
                (3, "c", utc_for_driver(T0 + timedelta(seconds=1), dialect)),
                (2**40, "d", utc_for_driver(T0 - timedelta(days=1), dialect)),
            ]
            await insert_many(session, rows_table, ("key", "name", "at"), rows)
            await insert_many(session, rows_table, ("key", "name", "at"), [])  # nothing
        async with engine.connect() as connection:
            stored = (await connection.execute(select(rows_table).order_by("key"))).all()
            later = (
                await connection.execute(
                    select(rows_table.c.key).where(rows_table.c.at >= T0).order_by("key")
                )
            ).scalars()
            later_keys = list(later)
    finally:
        await engine.dispose()
    assert [(r.key, r.name, r.at) for r in stored] == [
        (1, "a", T0),
        (2, "b", T0),
        (3, "c", T0 + timedelta(seconds=1)),
        (2**40, "d", T0 - timedelta(days=1)),
    ]
    assert all(r.at.tzinfo is not None for r in stored)
    assert later_keys == [1, 2, 3]  # compared with a SQLAlchemy-bound time, as stored


def test_rows_written_straight_to_sqlite_read_back_like_sqlalchemys(tmp_path: Path) -> None:
    asyncio.run(_round_trip(f"sqlite+aiosqlite:///{tmp_path}/rows.sqlite3"))


@pytest.mark.postgres
def test_rows_written_straight_to_postgresql_read_back_like_sqlalchemys(
    postgres_admin_url: str,
) -> None:
    with infra.postgres_databases(postgres_admin_url, ["rows"]) as urls:
        asyncio.run(_round_trip(urls["rows"]))


def test_a_per_dialect_statement_is_built_once_per_dialect_name_whatever_the_engine() -> None:
    built: list[str] = []

    @per_dialect
    def statement(dialect: Dialect) -> str:
        built.append(dialect.name)
        return f"for {dialect.name}"

    # Each engine has a dialect object of its own: two SQLite ones share the statement.
    assert statement(sqlite.dialect()) == statement(sqlite.dialect()) == "for sqlite"
    assert statement(postgresql.dialect()) == "for postgresql"
    assert built == ["sqlite", "postgresql"]
