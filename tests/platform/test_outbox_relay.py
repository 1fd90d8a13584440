"""The outbox relay over a real nats-server, on SQLite and PostgreSQL: a process publishes
what it committed from memory (its rows claimed as they went in, so no other replica
publishes them meanwhile), the next transaction deletes what was published, and a writer
that died leaves its rows to the others when its lease ends, or at once if it let them go."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from minyi.platform.app.assembly import build_runtime
from minyi.platform.consuming.connect import connect
from minyi.platform.runtime import Runtime, UnitOfWork
from minyi.platform.settings import Settings
from tests.platform.test_publish_only import METADATA, PUBLISHER, _ended, _stream
from tests.support import infra
from tests.support.infra import NatsServer

Publisher = Runtime[None, UnitOfWork]


@pytest.fixture
def database_url(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/publisher.sqlite3"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    with infra.postgres_databases(admin, ["publisher"]) as urls:
        yield urls["publisher"]


@contextlib.asynccontextmanager
async def replicas(
    nats_server: NatsServer,
    tmp_path: Path,
    database_url: str,
    lease_seconds: float,
    n: int = 2,
    batch: int = 500,
) -> AsyncIterator[list[Publisher]]:
    """``n`` processes of one service on one store (runtimes here), connected to NATS."""
    made = [
        build_runtime(
            PUBLISHER,
            Settings(
                service="publisher",
                data_dir=tmp_path,
                nats_url=nats_server.url,
                database_url=database_url,
                outbox_lease_seconds=lease_seconds,
                outbox_batch=batch,
            ),
        )
        for _ in range(n)
    ]
    async with made[0].engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    try:
        for runtime in made:
            await asyncio.wait_for(connect(runtime), 20)
        yield made
    finally:
        for runtime in made:
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await runtime.engine.dispose()


async def rows(runtime: Publisher) -> int:
    async with runtime.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(runtime.outbox))).scalar_one())


async def emit(runtime: Publisher, *stations: str) -> None:
    async with runtime.unit_of_work() as uow:
        for station in stations:
            uow.emit(_ended(station), subject=station)


async def assert_settled(runtime: Publisher, url: str, messages: int) -> None:
    """An idle pass: nothing left to publish, the outbox empty, ``messages`` on the stream."""
    assert await runtime.relay.relay_once() == 0
    assert await rows(runtime) == 0
    assert (await _stream(url)).state.messages == messages


async def test_a_process_publishes_what_it_committed_and_its_next_transaction_deletes_it(
    nats_server: NatsServer, tmp_path: Path, database_url: str
) -> None:
    async with replicas(nats_server, tmp_path, database_url, 15) as [writer, other]:
        await emit(writer, "ST-1", "ST-2")
        # Claimed by the writer as they went in: the other replica does not take them.
        assert await other.relay.relay_once() == 0
        assert await writer.relay.relay_once() == 2
        assert (await _stream(nats_server.url)).state.messages == 2
        # Published, not deleted yet: no longer pending; the next transaction deletes them.
        assert (await rows(writer), await writer.relay.pending()) == (2, 0)
        await emit(writer, "ST-3")
        assert await rows(writer) == 1
        assert await writer.relay.relay_once() == 1
        # Nothing left to publish and no transaction coming: the idle pass deletes it.
        await assert_settled(writer, nats_server.url, 3)


async def test_what_a_transaction_committed_goes_out_in_one_pass_however_many(
    nats_server: NatsServer, tmp_path: Path, database_url: str
) -> None:
    """The handed-over rows are not cut to the table's batch: a consumer that emits several
    events per message must not leave its relay behind (it runs only between batches)."""
    async with replicas(nats_server, tmp_path, database_url, 15, n=1, batch=10) as [writer]:
        await emit(writer, *(f"ST-{i}" for i in range(25)))
        assert await writer.relay.relay_once() == 25
        await assert_settled(writer, nats_server.url, 25)
        # A pass of many handed rows is not taken for a full table: no pass again at once.
        await emit(writer, *(f"ST-{i}" for i in range(100, 125)))
        assert await writer.relay._pass() is False
        await assert_settled(writer, nats_server.url, 50)
        # What waits in the table is still claimed a batch at a time.
        await emit(writer, *(f"ST-{i}" for i in range(25, 40)))
        await writer.relay.release()
        published = writer.relay.published
        assert await writer.relay._pass() is True  # a full batch claimed: more may wait
        assert writer.relay.published - published == 10
        assert await writer.relay.relay_once() == 5
        await assert_settled(writer, nats_server.url, 65)


async def test_an_idle_pass_only_reads(
    nats_server: NatsServer, tmp_path: Path, database_url: str
) -> None:
    """Between bursts the relay looks for rows every ``outbox_idle_seconds``: a read, not a
    write transaction (which was most of an idle service's CPU)."""
    async with replicas(nats_server, tmp_path, database_url, 15, n=1) as [writer]:
        await emit(writer, "ST-1")
        assert await writer.relay.relay_once() == 1
        await assert_settled(writer, nats_server.url, 1)
        commits: list[object] = []
        event.listen(writer.engine.sync_engine, "commit", commits.append)
        for _ in range(3):
            assert await writer.relay.relay_once() == 0
        assert commits == []
        # and what appears in the table meanwhile is still found (a writer that let go)
        await emit(writer, "ST-2")
        await writer.relay.release()
        assert await writer.relay.relay_once() == 1
        assert len(commits) >= 2  # the emit, the release, the claim


async def test_a_rolled_back_transaction_gives_the_published_rows_back_to_delete(
    nats_server: NatsServer, tmp_path: Path, database_url: str
) -> None:
    async with replicas(nats_server, tmp_path, database_url, 15, n=1) as [writer]:
        await emit(writer, "ST-1")
        assert await writer.relay.relay_once() == 1
        # A transaction that fails as it is written, after deleting ST-1's row: the same
        # event twice breaks the outbox's unique event id.
        with pytest.raises(IntegrityError):
            async with writer.unit_of_work() as uow:
                uow.emit(_ended("ST-2"), subject="ST-2")
                uow.emitted.append(dict(uow.emitted[0]))
        assert await rows(writer) == 1  # ST-1's row: its delete was rolled back too
        await assert_settled(writer, nats_server.url, 1)


async def test_rows_of_a_writer_that_died_go_to_another_replica_when_its_lease_ends(
    nats_server: NatsServer, tmp_path: Path, database_url: str
) -> None:
    async with replicas(nats_server, tmp_path, database_url, 1.0, n=3) as [died, other, ending]:
        await emit(died, "ST-1")  # and the process dies before its relay runs
        assert await other.relay.relay_once() == 0
        await asyncio.sleep(1.2)
        assert await other.relay.relay_once() == 1
        # A process that ends without publishing lets its rows go: taken at once.
        await emit(ending, "ST-2")
        await ending.relay.release()
        assert await other.relay.relay_once() == 1
        await assert_settled(other, nats_server.url, 2)
