"""The reporting service in-process for integration tests: a real SQLite store, FastStream's
test broker, and the HTTP API over ASGI as the admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, select

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer
from minyi.reporting.adapters.tables import counts
from minyi.reporting.bootstrap import SERVICE
from tests.support.harness import Harness, harness
from tests.support.reporting_history import subject_of


@dataclass
class Reporting:
    h: Harness
    http: httpx.AsyncClient

    async def deliver(self, events: list[RawEvent]) -> None:
        for e in events:
            await self.h.broker.publish(
                e.model_dump_json().encode(), subject_of(e), stream=STREAM_NAME
            )

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.http.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def counters(self, table: Table = counts) -> list[tuple[Any, ...]]:
        """Every row of ``table`` (the suggestion counters by default), in key order."""
        async with self.h.runtime.sessions() as s:
            rows = await s.execute(select(table).order_by(*table.primary_key))
            return [tuple(r) for r in rows.all()]


@pytest.fixture
async def reporting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Reporting]:
    # The webhook tests' targets: a name that resolves nowhere, and the test's own server.
    monkeypatch.setenv("MINYI_EGRESS_ALLOW", "example.test,127.0.0.1")
    async with harness(SERVICE, tmp_path) as h:
        assert SERVICE.on_start is not None and SERVICE.on_stop is not None
        await SERVICE.on_start(h.runtime)
        app = FastAPI()
        app.state.runtime = h.runtime
        errors.install(app)
        for router in SERVICE.routers(h.runtime):
            app.include_router(router)
        transport = httpx.ASGITransport(app=app)
        # The admin may read every view (the access rules are tested in tests/security).
        admin = bearer(h.runtime.keyring, Principal(Role.ADMIN, "admin:test"))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://reporting", headers=admin
        ) as http:
            yield Reporting(h, http)
        await SERVICE.on_stop(h.runtime)
