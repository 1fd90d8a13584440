"""Liaison's pages in a real browser: each test module gets its own liaison, served over
HTTP on a SQLite store with the demo registry, its clock held at a Tuesday morning, and
NATS away (events wait in the outbox: these tests are about the pages)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from minyi.liaison.bootstrap import SERVICE
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.clock import FixedClock
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from tests.support import browser as browser_support

STATION = "ST-420802-05"  # 东宝区泉口街道代表联络站 (demo registry)
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 Beijing


class Server:
    def __init__(self, url: str, runtime: Any) -> None:
        self.url = url
        self.runtime = runtime
        self.clock = FixedClock(START)
        runtime.clock = self.clock

    def token(self, principal: Principal) -> str:
        header = bearer(self.runtime.keyring, principal)
        return header["Authorization"].removeprefix("Bearer ")

    def staff_token(self) -> str:
        return self.token(Principal(Role.STATION_STAFF, "staff:泉口", station=STATION))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("liaison-browser")
    settings = Settings(
        service="liaison",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/liaison.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",  # away: events wait in the outbox
    )
    app = create_app(SERVICE, settings)
    with browser_support.served(app, "liaison") as url:
        yield Server(url, app.state.runtime)
