"""Each service's real app (create_app) over a temporary SQLite store, NATS away, with the
audit log installed; and tokens for any role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from minyi.cli.main import load_service
from minyi.platform.app import audit
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Keyring, Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.runtime import Runtime
from minyi.platform.settings import SERVICE_PORTS, Settings

SERVICES = list(SERVICE_PORTS)
# A scope for every role that needs one, so that a token of any role can be minted.
SCOPES: dict[Role, dict[str, str]] = {
    Role.STATION_STAFF: {"station": "ST-420802-01"},
    Role.REPRESENTATIVE: {"representative": "REP-420802-001"},
    Role.UNIT_STAFF: {"unit": "db-zjj"},
    Role.SUPERVISOR: {"group": "g1"},
}
SUPERVISOR_DISTRICTS = frozenset({"420802"})


def principal(role: Role, **scope: str) -> Principal:
    values = {**SCOPES.get(role, {}), **scope}
    districts = SUPERVISOR_DISTRICTS if role is Role.SUPERVISOR else None
    return Principal(role, f"{role.value}:test", districts=districts, **values)


@dataclass
class Service:
    name: str
    app: FastAPI
    client: TestClient

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    @property
    def keyring(self) -> Keyring:
        return self.runtime.keyring

    def as_(self, role: Role, **scope: str) -> dict[str, str]:
        return bearer(self.keyring, principal(role, **scope))


def build_app(name: str, tmp: Path) -> FastAPI:
    settings = Settings(
        service=name,
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/{name}.sqlite3",
        # Nothing listens here: the HTTP side must answer while NATS is away.
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )
    app = create_app(load_service(name), settings)
    audit.install(app, app.state.runtime)  # no-op once create_app installs it
    return app


async def create_audit_table(runtime: Runtime) -> None:
    """Until each service has the Alembic revision for audit_log."""
    async with runtime.engine.begin() as conn:
        await conn.run_sync(lambda c: audit.table_of(runtime).create(c, checkfirst=True))


@pytest.fixture(autouse=True, scope="module")
def _limits_and_secrets() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINYI_INTAKE_API_KEYS", "test-api-key")
        mp.setenv("MINYI_INTAKE_CHAT_SECRET", "test-chat-secret")
        # The table walks every route many times from one client address.
        mp.setenv("MINYI_INTAKE_RATE_PER_IP_BURST", "1000000")
        mp.delenv("MINYI_JWT_KEYS", raising=False)
        yield


@pytest.fixture(scope="module", params=SERVICES)
def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _limits_and_secrets: None,
) -> Iterator[Service]:
    name: str = request.param
    app = build_app(name, tmp_path_factory.mktemp(name))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.portal is not None
        client.portal.call(create_audit_table, app.state.runtime)
        yield Service(name, app, client)
