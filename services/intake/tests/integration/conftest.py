"""The intake app in-process: real SQLite, TestNatsBroker, httpx over ASGI (no sockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from faststream.nats import TestNatsBroker
from sqlalchemy import select

from minyi.contracts.envelope import CloudEvent, EventData, new_event
from minyi.contracts.liaison import DeputyRegistered, StationRegistered
from minyi.contracts.subjects import STREAM_NAME
from minyi.intake.bootstrap import PACKAGE, SERVICE
from minyi.platform import migrations
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.runtime import Runtime
from minyi.platform.settings import Settings
from services.intake.tests.integration.registry import REGISTRY, subject_of

API_KEY = "test-api-key"
CHAT_SECRET = "test-chat-secret"


@dataclass
class Api:
    client: httpx.AsyncClient
    runtime: Runtime
    broker: Any

    async def deliver(self, data: EventData, subject: str) -> CloudEvent[Any]:
        """Publish an event as another service's relay would."""
        event = new_event(data, source="minyi/test", subject=subject)
        await self.broker.publish(
            event.model_dump_json().encode(), data.subject_name, stream=STREAM_NAME
        )
        return event

    def as_(self, role: Role = Role.ADMIN, **scope: str) -> dict[str, str]:
        """A bearer header for a caller of ``role`` (scope: unit=, station=, ...)."""
        subject = f"{role.value}:test"
        return bearer(self.runtime.keyring, Principal(role, subject, **scope))  # type: ignore[arg-type]

    async def register(
        self, events: Sequence[DeputyRegistered | StationRegistered] = REGISTRY
    ) -> None:
        """Liaison's registry events (demo ids by default) into intake's replica."""
        for data in events:
            await self.deliver(data, subject_of(data))

    async def deliver_raw(self, event: dict[str, Any], subject_name: str) -> None:
        await self.broker.publish(json.dumps(event).encode(), subject_name, stream=STREAM_NAME)

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.runtime.sessions() as s:
            rows = (
                await s.execute(select(self.runtime.outbox).order_by(self.runtime.outbox.c.seq))
            ).all()
        return [
            {"nats_subject": r.subject, "raw": r.payload.decode(), **json.loads(r.payload)}
            for r in rows
        ]


def offline_app(tmp: Path, env: dict[str, str]) -> FastAPI:
    """The real app over SQLite in ``tmp``, with NATS away (nothing listens at its URL):
    intake accepts and keeps the events in its outbox. ``env``: intake's settings."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        settings = Settings(
            service="intake",
            data_dir=tmp,
            database_url=f"sqlite+aiosqlite:///{tmp}/intake.sqlite3",
            nats_url=f"nats://127.0.0.1:{free_port()}",
        )
        return create_app(SERVICE, settings)


@pytest.fixture
async def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Api]:
    monkeypatch.setenv("MINYI_INTAKE_API_KEYS", API_KEY)
    monkeypatch.setenv("MINYI_INTAKE_CHAT_SECRET", CHAT_SECRET)
    settings = Settings(
        service="intake",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3",
    )
    app = create_app(SERVICE, settings)
    runtime: Runtime = app.state.runtime
    await migrations.upgrade(runtime.engine, PACKAGE)
    try:
        async with TestNatsBroker(runtime.broker) as broker:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
                yield Api(client, runtime, broker)
    finally:
        await runtime.engine.dispose()
