"""A liaison service in-process: SQLite store with the demo registry, TestNatsBroker, a
clock tests move, and HTTP clients for any role."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from minyi.liaison.adapters.reference import demo_registry
from minyi.liaison.bootstrap import SERVICE, routers
from minyi.liaison.service_layer.registry import seed_demo
from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.clock import FixedClock
from tests.support.harness import Harness, harness

# 10:00 in Jingmen on Tuesday 1 December 2026.
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
STATION = "ST-420802-05"  # 东宝区泉口街道代表联络站 (demo)
DEPUTIES = ("REP-420802-009", "REP-420802-012")  # its two township deputies (demo)


class Liaison:
    def __init__(self, h: Harness) -> None:
        self.h = h
        self.clock = FixedClock(START)
        h.runtime.clock = self.clock
        app = FastAPI()
        app.state.runtime = h.runtime
        for router in routers(h.runtime):
            app.include_router(router)
        errors.install(app)
        self.app = app

    def client(self, role: Role | None = None, **scope: str) -> httpx.AsyncClient:
        headers: dict[str, str] = {}
        if role is not None:
            headers = bearer(self.h.runtime.keyring, Principal(role, f"{role.value}:test", **scope))
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://liaison", headers=headers
        )

    def staff(self, station: str = STATION) -> httpx.AsyncClient:
        return self.client(Role.STATION_STAFF, station=station)

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        found = await self.h.outbox()
        return [e for e in found if event_type is None or e["type"] == event_type]

    async def raw_outbox(self) -> str:
        return json.dumps(await self.h.outbox(), ensure_ascii=False)

    async def schedule(
        self, days_ahead: int = 5, capacity: int = 2, deputies: tuple[str, ...] = DEPUTIES
    ) -> dict[str, Any]:
        day = (START + timedelta(days=days_ahead)).date().isoformat()
        async with self.staff() as c:
            r = await c.post(
                f"/v1/stations/{STATION}/receptions",
                json={
                    "date": day,
                    "start": "09:00",
                    "end": "11:30",
                    "place": "泉口街道代表联络站一楼",
                    "deputy_ids": list(deputies),
                    "capacity": capacity,
                    "topic": "老旧小区改造",
                },
            )
        assert r.status_code == 201, r.text
        result: dict[str, Any] = r.json()
        return result


@pytest.fixture
async def liaison(tmp_path: Path) -> AsyncIterator[Liaison]:
    async with harness(SERVICE, tmp_path) as h:
        stations, deputies = demo_registry()
        async with h.runtime.unit_of_work() as uow:
            await seed_demo(uow, stations, deputies, h.runtime.deps.places)
        yield Liaison(h)


def problem(r: httpx.Response) -> tuple[int, str, list[Any]]:
    detail = r.json()["detail"][0]
    return r.status_code, detail["type"], detail["loc"]
