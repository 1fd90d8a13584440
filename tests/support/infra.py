"""Where the tests' NATS and PostgreSQL come from: testcontainers when a Docker engine
answers, otherwise the bundled nats-server binary and the local PostgreSQL server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from minyi.platform import nats_server


def docker_engine_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@dataclass
class NatsServer:
    url: str
    how: str
    port: int
    store_dir: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        """SIGKILL the server (bundled binary only); its storage stays for a restart."""
        assert self.proc is not None, "only a bundled nats-server can be killed and restarted"
        self.proc.kill()
        self.proc.wait()

    def restart(self) -> None:
        assert self.store_dir is not None
        self.proc = nats_server.start(
            self.store_dir, self.port, log_file=self.store_dir.parent / "nats-server.log"
        )


@contextmanager
def nats(tmp: Path) -> Iterator[NatsServer]:
    if docker_engine_available() and not os.environ.get("MINYI_TEST_NO_CONTAINERS"):
        from testcontainers.nats import NatsContainer

        with NatsContainer(jetstream=True) as container:
            url = container.nats_uri()
            print(f"[fixtures] NATS from testcontainers at {url}")
            yield NatsServer(url=url, how="testcontainers", port=int(url.rsplit(":", 1)[1]))
        return
    port = nats_server.free_port()
    store = tmp / "nats-store"
    proc = nats_server.start(store, port, log_file=tmp / "nats-server.log")
    print(
        f"[fixtures] no Docker engine: bundled nats-server ({nats_server.binary()}) on port {port}"
    )
    server = NatsServer(
        url=f"nats://127.0.0.1:{port}", how="bundled", port=port, store_dir=store, proc=proc
    )
    try:
        yield server
    finally:
        if server.proc and server.proc.poll() is None:
            server.proc.terminate()
            try:
                server.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.proc.kill()


DEFAULT_LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_admin() -> Iterator[str | None]:
    """An admin URL (asyncpg style) or None with the reason printed."""
    if docker_engine_available() and not os.environ.get("MINYI_TEST_NO_CONTAINERS"):
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as pg:
            url = pg.get_connection_url()
            print(f"[fixtures] PostgreSQL from testcontainers at {url}")
            yield url
        return
    url = os.environ.get("MINYI_TEST_POSTGRES_URL", DEFAULT_LOCAL_POSTGRES)
    try:
        asyncio.run(_execute(url, "SELECT 1"))
    except Exception as exc:
        print(f"[fixtures] no Docker engine and no PostgreSQL at {url}: {exc}")
        yield None
        return
    print(f"[fixtures] no Docker engine: local PostgreSQL at {url}")
    yield url


async def _execute(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def postgres_databases(admin_url: str, services: list[str]) -> Iterator[dict[str, str]]:
    """One fresh database per service (SQLAlchemy asyncpg URLs), dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {s: f"minyi_test_{tag}_{s}" for s in services}
    asyncio.run(_execute(admin_url, *(f'CREATE DATABASE "{n}"' for n in names.values())))
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield {s: f"{base}/{n}" for s, n in names.items()}
    finally:
        asyncio.run(
            _execute(
                admin_url, *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names.values())
            )
        )


def port_share(worker: str, count: int, ports: range) -> range | None:
    """The ports pytest-xdist's worker ``worker`` (gw0, gw1, …; one of ``count``) hands out:
    every ``count``-th, so that no two workers share one. None outside xdist."""
    if not worker.startswith("gw") or count < 2 or len(ports) < count:
        return None
    return ports[int(worker[2:]) % count :: count]
