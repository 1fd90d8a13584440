"""A service with no consumers declares the one stream too, so its outbox reaches a fresh
nats-server (FastStream declares a stream only for a subscriber's sake), and the declaration
is the one every consuming service makes (docs/NATS.md, trap 3). Over a real nats-server."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nats
from nats.js.api import StreamInfo
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData

from minyi.contracts.liaison import StationEnded
from minyi.contracts.subjects import DUPLICATE_WINDOW, MAX_AGE, STREAM_NAME, STREAM_SUBJECTS
from minyi.platform.app.assembly import build_runtime
from minyi.platform.consuming.connect import connect
from minyi.platform.messaging import create_broker, durable_consumer
from minyi.platform.runtime import Runtime, ServiceDefinition, UnitOfWork
from minyi.platform.settings import Settings
from minyi.platform.tables import platform_tables
from tests.support.infra import NatsServer

METADATA = MetaData()
platform_tables(METADATA)


def _no_dependencies(_runtime: Runtime[Any, UnitOfWork]) -> None:
    return None


# Publishes, consumes nothing: liaison's shape, without liaison's store.
PUBLISHER: ServiceDefinition[None, UnitOfWork] = ServiceDefinition(
    name="publisher",
    package="minyi.platform",
    metadata=METADATA,
    unit_of_work=UnitOfWork,
    dependencies=_no_dependencies,
    publishes=[StationEnded],
)


def _ended(station_id: str) -> StationEnded:
    return StationEnded(
        station_id=station_id, ended_on=date(2026, 1, 5), version=2, changed_at=datetime.now(UTC)
    )


async def _stream(url: str) -> StreamInfo:
    nc = await nats.connect(url)
    try:
        return await nc.jetstream().stream_info(STREAM_NAME)
    finally:
        await nc.close()


async def test_a_service_with_no_consumers_gets_its_outbox_published_to_a_fresh_server(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    settings = Settings(service="publisher", data_dir=tmp_path, nats_url=nats_server.url)
    runtime = build_runtime(PUBLISHER, settings)
    assert runtime.consumers == []
    async with runtime.engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    try:
        async with runtime.unit_of_work() as uow:
            uow.emit(_ended("ST-1"), subject="ST-1")
            uow.emit(_ended("ST-2"), subject="ST-2")
        await asyncio.wait_for(connect(runtime), 20)
        published = await runtime.relay.relay_once()
        pending = await runtime.relay.pending()
    finally:
        with contextlib.suppress(Exception):
            await runtime.broker.stop()
        await runtime.engine.dispose()
    assert (published, pending) == (2, 0), "the events stayed in the outbox"
    declared = await _stream(nats_server.url)
    assert declared.state.messages == 2
    config = declared.config
    assert config.subjects == list(STREAM_SUBJECTS)
    assert config.storage == "file"
    assert config.max_age == MAX_AGE.total_seconds()
    assert config.duplicate_window == DUPLICATE_WINDOW.total_seconds()

    # A consuming service starting next finds the very declaration FastStream makes:
    # nothing to update (the last to start would otherwise win, trap 3).
    consumer_settings = Settings(service="probe", data_dir=tmp_path, nats_url=nats_server.url)
    broker = create_broker(consumer_settings, TracerProvider(), CollectorRegistry())

    async def handle(_body: Any) -> None:
        return None

    durable_consumer(
        broker,
        consumer_settings,
        subject="minyi.station.ended",
        durable="probe__station_ended",
        handler=handle,
    )
    await broker.start()
    try:
        after = await _stream(nats_server.url)
    finally:
        await broker.stop()
    assert after.config == config
    assert after.created == declared.created
