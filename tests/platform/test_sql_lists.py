"""``in_list`` binds a list as one parameter: the driver sees one statement whatever the
list's length (an expanding ``IN`` sent one per length, each prepared and cached anew), and
it selects, updates and deletes what ``IN`` would. ``padded`` lets a few statements of
``insert_returning`` serve every batch size without inserting or returning a row twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select

from minyi.platform.db import create_engine
from minyi.platform.driver_sql import insert_returning, padded
from minyi.platform.sql_lists import in_list
from tests.support import infra
from tests.support.sql import statements_sent

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("key", BigInteger, primary_key=True),
    Column("name", String(40), nullable=False),
)
KEYS = [-(2**62), -5, 0, 7, 2**40, 2**62]
BY_KEY = select(items.c.name).where(in_list(items.c.key, "keys")).order_by(items.c.name)
BY_NAME = select(items.c.key).where(in_list(items.c.name, "names")).order_by(items.c.key)


async def _check(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as c:
            await c.run_sync(metadata.create_all)
            await c.execute(insert(items), [{"key": k, "name": f"名{k}"} for k in KEYS])
        sent = statements_sent(engine)
        async with engine.begin() as c:
            names = (await c.execute(BY_KEY, {"keys": [7, 2**62, -(2**62), 123]})).scalars()
            assert list(names) == sorted([f"名{-(2**62)}", "名7", f"名{2**62}"])
            assert list((await c.execute(BY_KEY, {"keys": []})).scalars()) == []
            many = [*range(1000, 1500), -5]
            assert list((await c.execute(BY_KEY, {"keys": many})).scalars()) == ["名-5"]
            keys = (await c.execute(BY_NAME, {"names": ["名0", "名7", "无"]})).scalars()
            assert list(keys) == [0, 7]
            gone = await c.execute(items.delete().where(in_list(items.c.name, "n")), {"n": ["名0"]})
            assert gone.rowcount == 1  # type: ignore[attr-defined]
        # Four lists of four lengths, one statement text each query: nothing to prepare again.
        assert len(set(sent)) == 3, sent
        assert all(s.count("?") + s.count("$") <= 1 for s in sent), sent

        # A padded chunk: its repeated last row is neither inserted nor returned twice.
        async with engine.begin() as c:
            dialect = c.dialect
            rows = padded([(100, "a"), (101, "b"), (7, "dup"), (102, "c"), (103, "d")])
            assert len(rows) == 8 and rows[-1] == (103, "d")
            added = await insert_returning(
                dialect, items, ("key", "name"), ("key",), len(rows)
            ).fetch(c, [v for row in rows for v in row])
            assert sorted(r[0] for r in added) == [100, 101, 102, 103]
            count = (
                await c.execute(select(items.c.key).where(items.c.key.between(100, 103)))
            ).all()
            assert len(count) == 4
        assert padded([]) == [] and len(padded([(1, "x")])) == 1
        assert [len(padded([(i, "x")] * n)) for i, n in enumerate([2, 3, 4, 5, 129])] == [
            2, 4, 4, 8, 256,
        ]  # fmt: skip
    finally:
        await engine.dispose()


def test_a_list_is_one_parameter_on_sqlite(tmp_path: Path) -> None:
    asyncio.run(_check(f"sqlite+aiosqlite:///{tmp_path}/lists.sqlite3"))


@pytest.mark.postgres
def test_a_list_is_one_parameter_on_postgresql(postgres_admin_url: str) -> None:
    with infra.postgres_databases(postgres_admin_url, ["lists"]) as urls:
        asyncio.run(_check(urls["lists"]))
