"""A supervision service in-process (SQLite, TestNatsBroker) with a clock tests move."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from minyi.contracts.events import AssignedToUnit, AssignmentExplanation
from minyi.contracts.formal import CoUnit
from minyi.contracts.intake import FeedbackReceived
from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.clock import FixedClock
from minyi.supervision.bootstrap import SERVICE
from minyi.supervision.entrypoints import http_formal
from minyi.supervision.entrypoints.http import router
from minyi.supervision.entrypoints.pollers import sweep_batch
from tests.support.harness import Harness, harness

# 09:00 Beijing time on 30 Sep 2025, the eve of the National Day holiday (1–8 Oct).
START = datetime(2025, 9, 30, 1, 0, tzinfo=UTC)
UNIT = "db-zjj"
OTHER_UNIT = "dd-zjj"
GOOD_REPLY = {"outcome": "A", "reply": "经现场核查，路灯线路老化，已更换线路并恢复照明，感谢监督。"}
SWEEP_BATCH = 2  # cases per sweep transaction: small, so that a sweep takes several


class Bench:
    def __init__(self, h: Harness) -> None:
        self.h = h
        self.clock = FixedClock(START)
        h.runtime.clock = self.clock
        app = FastAPI()
        app.state.runtime = h.runtime
        app.include_router(router)
        app.include_router(http_formal.router)
        errors.install(app)
        self._app = app

    def client(
        self, unit: str | None = UNIT, *, supervisor: bool = False, group: str | None = None
    ) -> httpx.AsyncClient:
        """A unit's staff by default; ``supervisor`` alone is the admin (the office)."""
        headers: dict[str, str] = {}
        keyring = self.h.runtime.keyring
        if supervisor and group:
            headers = bearer(keyring, Principal(Role.SUPERVISOR, f"sup:{group}", group=group))
        elif supervisor:
            # Every district: the city-wide view is the admin's.
            headers = bearer(keyring, Principal(Role.ADMIN, "admin"))
        elif unit:
            headers = bearer(keyring, Principal(Role.UNIT_STAFF, f"staff:{unit}", unit=unit))
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._app), base_url="http://sup", headers=headers
        )

    async def assign(
        self,
        sid: str = "s-1",
        *,
        unit: str = UNIT,
        district: str = "420802",
        kind: str = "citizen_appeal",
        attempt: int = 1,
        at: datetime | None = None,
        category: str = "城乡建设",
        urgent: bool = False,
        co_units: dict[str, str] | None = None,
        number: str | None = None,
        signer_ids: list[str] | None = None,
        title: str | None = None,
        content: str | None = None,
    ) -> None:
        await self.h.deliver(
            AssignedToUnit(
                suggestion_id=sid,
                unit_id=unit,
                unit_name="单位",
                category=category,
                focus_area="城市能级",
                district_code=district,
                kind=kind,
                urgent=urgent,
                attempt=attempt,
                explanation=AssignmentExplanation(reason="rule"),
                assigned_at=at or self.clock.now(),
                co_units=[CoUnit(unit_id=u, unit_name=n) for u, n in (co_units or {}).items()],
                number=number,
                signer_ids=signer_ids or [],
                title=title,
                content=content,
            )
        )

    async def feedback(
        self, sid: str, satisfied: bool, round: int | None = None, event_id: str | None = None
    ) -> str:
        """Intake's FeedbackReceived, as plain JSON (supervision reads it tolerantly)."""
        data = {
            "suggestion_id": sid,
            "satisfied": satisfied,
            "score": 5 if satisfied else 1,
            "comment": None,
            "round": round,
            "received_at": self.clock.now().isoformat(),
            "some_future_field": "ignored",
        }
        event = {
            "specversion": "1.0",
            "id": event_id or str(uuid.uuid4()),
            "source": "minyi/intake",
            "type": FeedbackReceived.event_type,
            "subject": sid,
            "time": self.clock.now().isoformat(),
            "data": data,
        }
        await self.h.broker.publish(json.dumps(event).encode(), FeedbackReceived.subject_name)
        return str(event["id"])

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    def at(self, when: datetime) -> None:
        self.clock._at = when

    async def sweep(self) -> int:
        """One pass as the poller makes it: batches until one is not full. Returns the
        cases handled."""
        total = 0
        while True:
            handled = await sweep_batch(self.h.runtime, SWEEP_BATCH)
            total += handled
            if handled < SWEEP_BATCH:
                return total

    async def events(self) -> list[dict[str, Any]]:
        return await self.h.outbox()

    async def types(self) -> list[str]:
        return [e["type"].split(".")[-2] for e in await self.h.outbox()]


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    async with harness(SERVICE, tmp_path) as h:
        yield Bench(h)
