"""Batch-first consumption over a real nats-server: what arrives together is applied in one
transaction, each event once (the inbox), a poison event retried and dead-lettered alone
while the rest of its batch is applied; a push durable of an earlier release becomes a pull
durable without losing what it had not acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nats
from nats.js.api import ConsumerConfig, StreamConfig
from opentelemetry import trace
from sqlalchemy import Column, MetaData, String, Table, select

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.liaison import StationEnded
from minyi.contracts.subjects import STREAM_NAME, STREAM_SUBJECTS
from minyi.platform.app.assembly import build_runtime
from minyi.platform.consuming.connect import connect
from minyi.platform.consuming.pulling import ensure_pull_durable
from minyi.platform.messaging import MAX_ACK_PENDING
from minyi.platform.runtime import Consumer, Runtime, ServiceDefinition, UnitOfWork
from minyi.platform.runtime.definition import YIELD_EVERY
from minyi.platform.settings import Settings
from minyi.platform.tables import platform_tables
from tests.support.infra import NatsServer

METADATA = MetaData()
platform_tables(METADATA)
# What the handler did, in its transaction (not unique: applying twice would show).
APPLIED = Table(
    "applied",
    METADATA,
    Column("station", String(50), nullable=False),
    Column("trace_id", String(32), nullable=False),
)
DURABLE = "tester__ended"


async def _apply(event: RawEvent, uow: UnitOfWork) -> None:
    if event.subject == "POISON":
        raise ValueError("this station cannot end")
    # The trace each event arrived with is current while it is handled (what it emits and
    # logs continues the request that caused it), though the batch shares one transaction.
    trace_id = format(trace.get_current_span().get_span_context().trace_id, "032x")
    await uow.session.execute(APPLIED.insert(), {"station": event.subject, "trace_id": trace_id})


def _consumers(_runtime: Runtime[Any, UnitOfWork]) -> list[Consumer[UnitOfWork]]:
    return [
        Consumer(StationEnded.subject_name, DURABLE, _apply, frozenset({StationEnded.event_type}))
    ]


TESTER: ServiceDefinition[None, UnitOfWork] = ServiceDefinition(
    name="tester",
    package="minyi.platform",
    metadata=METADATA,
    unit_of_work=UnitOfWork,
    dependencies=lambda _runtime: None,
    consumers=_consumers,
)


def _trace_of(station: str) -> str:
    return format(zlib.crc32(station.encode()) + 1, "032x")


def _event(station: str) -> bytes:
    data = StationEnded(
        station_id=station, ended_on=date(2026, 1, 5), version=2, changed_at=datetime.now(UTC)
    )
    event = new_event(data, source="minyi/test", subject=station).model_copy(
        update={"traceparent": f"00-{_trace_of(station)}-{1:016x}-01"}
    )
    return event.model_dump_json().encode()


async def _wait(check: Any, seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def _stop(runtime: Runtime[None, UnitOfWork], consuming: asyncio.Task[None]) -> None:
    """Stop a consuming runtime as its service would (what it handled stays committed)."""
    consuming.cancel()
    with contextlib.suppress(BaseException):
        await consuming
    await runtime.committer.stop()
    with contextlib.suppress(Exception):
        await runtime.broker.stop()
    await runtime.engine.dispose()


async def test_a_backlog_is_applied_in_batches_each_event_once_and_a_poison_alone(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM_NAME, subjects=list(STREAM_SUBJECTS)))
    twice = _event("ST-TWICE")
    stations = [f"ST-{i}" for i in range(600)]
    for i, station in enumerate(stations):
        await js.publish(StationEnded.subject_name, _event(station))
        if i == 300:
            await js.publish(StationEnded.subject_name, _event("POISON"))
            # The same event stored twice (published again without a message id).
            await js.publish(StationEnded.subject_name, twice)
            await js.publish(StationEnded.subject_name, twice)
    await js.publish(StationEnded.subject_name, b"no cloud event")
    settings = Settings(
        service="tester",
        data_dir=tmp_path,
        nats_url=nats_server.url,
        max_deliver=2,
        retry_delays="0.2",
    )
    runtime = build_runtime(TESTER, settings)
    async with runtime.engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    consuming = asyncio.create_task(connect(runtime))
    try:

        async def all_applied_and_poison_dead() -> bool:
            async with runtime.sessions() as s:
                dead = (await s.execute(select(runtime.dead_letters))).all()
                applied = (await s.execute(select(APPLIED))).all()
            return len(applied) >= len(stations) + 1 and len(dead) == 1

        await _wait(all_applied_and_poison_dead, 30)
        await asyncio.sleep(0.5)  # nothing more comes
        info = await js.consumer_info(STREAM_NAME, DURABLE)
        async with runtime.sessions() as s:
            dead = (await s.execute(select(runtime.dead_letters))).mappings().one()
            handled = (await s.execute(select(runtime.inbox))).all()
            rows = (await s.execute(select(APPLIED.c.station, APPLIED.c.trace_id))).all()
            applied = [r.station for r in rows]
    finally:
        await _stop(runtime, consuming)
        await nc.close()
    assert sorted(applied) == sorted([*stations, "ST-TWICE"]), "each event applied once"
    assert all(r.trace_id == _trace_of(r.station) for r in rows), "each event in its own trace"
    assert dead["event_type"] == StationEnded.event_type and dead["deliveries"] == 2
    assert "this station cannot end" in dead["error"]
    assert len(handled) == len(stations) + 1
    # Batches: far fewer transactions than events (the first arrivals may come alone).
    assert runtime.committer.units < 30, runtime.committer.units
    # Everything settled: acked, or (the poison, the non-envelope) ended by the server.
    assert info.num_ack_pending == 0 and info.num_pending == 0
    assert info.config.deliver_subject is None  # a pull durable


async def test_a_push_durable_of_an_earlier_release_becomes_a_pull_durable_after_its_ack_floor(
    nats_server: NatsServer,
) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM_NAME, subjects=list(STREAM_SUBJECTS)))
    for i in range(5):
        await js.publish(StationEnded.subject_name, _event(f"ST-{i}"))
    await js.add_consumer(
        STREAM_NAME,
        ConsumerConfig(
            durable_name=DURABLE,
            deliver_subject="old.inbox",
            deliver_group=DURABLE,
            filter_subject="minyi.>",
            ack_policy="explicit",  # type: ignore[arg-type]
            ack_wait=30,
            max_deliver=8,
            max_ack_pending=2000,
        ),
    )
    # The old release acknowledged the first three, then stopped.
    sub = await nc.subscribe("old.inbox", queue=DURABLE)
    for _ in range(3):
        msg = await sub.next_msg(timeout=5)
        await msg.ack_sync()
    await sub.unsubscribe()
    settings = Settings(service="tester", nats_url=nats_server.url, ack_wait_seconds=7)
    consumer = _consumers(None)[0]  # type: ignore[arg-type]
    try:
        changed = await ensure_pull_durable(js, settings, consumer)
        again = await ensure_pull_durable(js, settings, consumer)
        info = await js.consumer_info(STREAM_NAME, DURABLE)
        pulled = await js.pull_subscribe_bind(DURABLE, STREAM_NAME)
        rest = await pulled.fetch(5, timeout=2)
    finally:
        await nc.close()
    assert changed == ["push → pull from stream sequence 4"]
    assert again == []
    assert info.config.deliver_subject is None
    assert info.config.max_ack_pending == MAX_ACK_PENDING and info.config.ack_wait == 7
    assert info.config.filter_subject == StationEnded.subject_name
    assert [json.loads(m.data)["subject"] for m in rest] == ["ST-3", "ST-4"]


async def test_after_a_quiet_spell_the_first_event_waits_for_those_right_behind_it(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    """``consume_linger_seconds``: events that come one by one a few ms apart are applied
    together (a transaction each would cost several times the CPU); with no linger the
    first goes alone."""
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM_NAME, subjects=list(STREAM_SUBJECTS)))
    transactions = {}
    try:
        for linger in (0.0, 0.5):
            settings = Settings(
                service="tester",
                data_dir=tmp_path / str(linger),
                nats_url=nats_server.url,
                consume_linger_seconds=linger,
            )
            runtime = build_runtime(TESTER, settings)
            async with runtime.engine.begin() as conn:
                await conn.run_sync(METADATA.create_all)
            consuming = asyncio.create_task(connect(runtime))
            try:
                await _wait(lambda r=runtime: asyncio.sleep(0, r.broker_started), 20)
                await asyncio.sleep(0.3)  # quiet
                for i in range(5):
                    await js.publish(StationEnded.subject_name, _event(f"ST-{linger}-{i}"))
                    await asyncio.sleep(0.05)

                async def all_applied(r: Any = runtime) -> bool:
                    async with r.sessions() as s:
                        return len((await s.execute(select(APPLIED))).all()) == 5

                await _wait(all_applied, 20)
                transactions[linger] = runtime.committer.units
            finally:
                await _stop(runtime, consuming)
            await js.delete_consumer(STREAM_NAME, DURABLE)
            await js.purge_stream(STREAM_NAME)
    finally:
        await nc.close()
    assert transactions[0.5] == 1 and transactions[0.0] > 1, transactions


async def test_a_long_batch_lets_the_event_loop_run() -> None:
    """On SQLite a batch's statements run on the loop and never wait: without a pause now
    and then, a batch of 500 held the loop (the outbox relay, the PubAcks, the health
    endpoints) until it ended."""
    turns = 0

    async def elsewhere() -> None:  # another task of the process, ready all the time
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    seen: list[int] = []

    async def handler(_event: Any, _uow: Any) -> None:
        seen.append(turns)

    async def first_times(ids: list[str], _durable: str) -> set[str]:
        return set(ids)

    uow = SimpleNamespace(first_times=first_times, runtime=SimpleNamespace(tracer_provider=None))
    events = [SimpleNamespace(id=str(i), traceparent=None) for i in range(200)]
    other = asyncio.create_task(elsewhere())
    await asyncio.sleep(0)
    try:
        await Consumer("minyi.x", "d", handler).handle_batch(events, uow)  # type: ignore[arg-type]
    finally:
        other.cancel()
    assert len(seen) == 200
    assert len(set(seen)) >= 200 // YIELD_EVERY  # the other task ran during the batch
