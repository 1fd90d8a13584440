"""Run one service's handlers in-process: a real SQLite store, FastStream's TestNatsBroker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.nats import TestNatsBroker
from sqlalchemy import select

from minyi.contracts.envelope import CloudEvent, EventData, new_event
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime
from minyi.platform.runtime import Runtime, ServiceDefinition
from minyi.platform.settings import Settings


@dataclass
class Harness:
    runtime: Runtime
    broker: Any

    async def deliver(
        self, data: EventData, *, subject: str | None = None, event: CloudEvent[Any] | None = None
    ) -> CloudEvent[Any]:
        """Publish an event as another service's relay would (the same id twice = redelivery)."""
        event = event or new_event(data, source="minyi/test", subject=subject or _subject_of(data))
        await self.broker.publish(
            event.model_dump_json().encode(), data.subject_name, stream=STREAM_NAME
        )
        return event

    async def outbox(self) -> list[dict[str, Any]]:
        """Events the service wrote to its outbox, oldest first (CloudEvent dicts)."""
        async with self.runtime.sessions() as s:
            rows = (
                await s.execute(select(self.runtime.outbox).order_by(self.runtime.outbox.c.seq))
            ).all()
        return [{"subject": r.subject, **json.loads(r.payload)} for r in rows]


def _subject_of(data: EventData) -> str:
    return str(getattr(data, "suggestion_id", "unknown"))


@asynccontextmanager
async def harness(definition: ServiceDefinition, tmp_path: Path) -> AsyncIterator[Harness]:
    settings = Settings(
        service=definition.name,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/{definition.name}.sqlite3",
    )
    runtime = build_runtime(definition, settings)
    await migrations.upgrade(runtime.engine, definition.package)
    try:
        async with TestNatsBroker(runtime.broker) as broker:
            yield Harness(runtime, broker)
    finally:
        await runtime.engine.dispose()
