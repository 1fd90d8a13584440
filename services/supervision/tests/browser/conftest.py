"""Supervision's pages in a real browser: one supervision per test module, served over HTTP
on a SQLite store and connected to a real nats-server; its cases are opened the way they
are in production, by publishing routing's ``AssignedToUnit`` on the bus. The service's
clock is held (the browser's is set to the same instant), so deadlines and colours are
known."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from minyi.contracts.envelope import new_event
from minyi.contracts.events import AssignedToUnit, AssignmentExplanation
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.clock import FixedClock
from minyi.platform.settings import Settings
from minyi.supervision.bootstrap import SERVICE
from tests.support import browser as browser_support
from tests.support import infra

# Tuesday 2 June 2026, 10:00 Beijing: three months on (a formal suggestion's reply) stays in
# a year the holiday calendar knows.
START = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
UNIT = "db-zjj"
DISTRICT = "420802"  # 第一督导组 (g1) in the bundled policy


class Server:
    def __init__(self, url: str, runtime: Any, nats_url: str) -> None:
        self.url = url
        self.runtime = runtime
        self.nats_url = nats_url

    def token(self, principal: Principal) -> str:
        return bearer(self.runtime.keyring, principal)["Authorization"].removeprefix("Bearer ")

    def unit_token(self, unit: str = UNIT) -> str:
        return self.token(Principal(Role.UNIT_STAFF, f"staff:{unit}", unit=unit))

    def supervisor_token(self, group: str = "g1") -> str:
        return self.token(Principal(Role.SUPERVISOR, f"sup:{group}", group=group))

    def admin_token(self) -> str:
        return self.token(Principal(Role.ADMIN, "admin:office"))

    def api(self, path: str) -> Any:
        admin = self.admin_token()
        r = httpx.get(self.url + path, headers={"Authorization": f"Bearer {admin}"}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def assign(self, assignments: dict[str, dict[str, Any]]) -> None:
        """Routing's assignments (suggestion id → what differs from a citizen appeal at
        the unit today; ``days_ago`` moves the assignment back), published on the real bus
        together; returns once supervision opened every case."""
        events = []
        for sid, given in assignments.items():
            extra = dict(given)
            events.append(
                AssignedToUnit(
                    suggestion_id=sid,
                    unit_id=extra.pop("unit_id", UNIT),
                    unit_name="东宝区住建局",
                    category="城乡建设",
                    focus_area="城市能级",
                    district_code=DISTRICT,
                    explanation=AssignmentExplanation(reason="rule"),
                    assigned_at=START - timedelta(days=extra.pop("days_ago", 0)),
                    **extra,
                )
            )
        asyncio.run(_publish(self.nats_url, events))
        self.wait_for(
            "/v1/cases?limit=200",
            lambda page: {i["suggestion_id"] for i in page["items"]} >= set(assignments),
            "supervision did not open every case",
        )

    def post(self, path: str, body: dict[str, Any], token: str) -> Any:
        r = httpx.post(
            self.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert r.status_code < 300, r.text
        return r.json()

    def wait_for(self, path: str, check: Any, what: str) -> Any:
        deadline = time.monotonic() + 20
        while not check(found := self.api(path)):
            assert time.monotonic() < deadline, what
            time.sleep(0.1)
        return found


async def _publish(url: str, events: list[AssignedToUnit]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for data in events:
            event = new_event(data, source="minyi/routing", subject=data.suggestion_id)
            payload = event.model_dump_json().encode()
            await js.publish(data.subject_name, payload, headers={"Nats-Msg-Id": str(event.id)})
    finally:
        await nc.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("supervision-browser")
    with infra.nats(tmp) as bus, pytest.MonkeyPatch.context() as env:
        env.setenv("MINYI_SUPERVISION_SWEEP_SECONDS", "0.2")  # overdue within a moment
        settings = Settings(
            service="supervision",
            data_dir=tmp,
            database_url=f"sqlite+aiosqlite:///{tmp}/supervision.sqlite3",
            nats_url=bus.url,
        )
        app = create_app(SERVICE, settings)
        app.state.runtime.clock = FixedClock(START)
        with browser_support.served(app, "supervision", ready=True) as url:
            yield Server(url, app.state.runtime, bus.url)
