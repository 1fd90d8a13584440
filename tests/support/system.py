"""The services as real processes on free ports, for end-to-end and fault tests: the four of
the suggestion pipeline by default, liaison too when a test names it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from minyi.platform.nats_server import free_port
from minyi.platform.settings import SERVICE_PORTS

SERVICES = ("intake", "routing", "supervision", "reporting")
WITH_LIAISON = (*SERVICES, "liaison")
T = TypeVar("T")


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "minyi.cli.main", "serve", self.name],
            env={**self.env, **(extra_env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """SIGTERM: a graceful shutdown begins (``wait_stopped`` waits for its end)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait_stopped(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class System:
    nats_url: str
    data_dir: Path
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    names: tuple[str, ...] = SERVICES

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
            env.update(
                MINYI_NATS_URL=self.nats_url,
                MINYI_DATA_DIR=str(self.data_dir),
                MINYI_HTTP_PORT=str(free_port()),
                MINYI_LOG_LEVEL="INFO",
                MINYI_OUTBOX_IDLE_SECONDS="0.05",
                # A crash between commit and ack is noticed after this (30 s in production).
                MINYI_ACK_WAIT_SECONDS="5",
                # These tests offer load from one address; the limiter has tests of its own.
                MINYI_INTAKE_RATE_PER_IP_PER_MINUTE="1000000",
                MINYI_INTAKE_RATE_PER_IP_BURST="1000000",
            )
            env.update(self.extra_env)  # may override the defaults above (the bench does)
            if name in self.database_urls:
                env["MINYI_DATABASE_URL"] = self.database_urls[name]
            self.services[name] = ServiceProcess(
                name, int(env["MINYI_HTTP_PORT"]), env, self.data_dir / f"{name}.log"
            )

    @property
    def admin(self) -> dict[str, str]:
        """An admin's Authorization header, signed with the system's development key."""
        from minyi.platform.auth import Principal, Role, local_bearer

        return local_bearer(self.data_dir, Principal(Role.ADMIN, "tests"))

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def start(self, names: Iterable[str] | None = None) -> None:
        names = list(self.names if names is None else names)
        for name in names:
            self.services[name].start()
        for name in names:
            self.services[name].wait_ready()

    def stop(self) -> None:
        # All at once: each shutdown takes a moment, and a test's teardown waits for them.
        for svc in self.services.values():
            svc.terminate()
        for svc in self.services.values():
            svc.wait_stopped()

    def url(self, name: str, path: str) -> str:
        return f"{self.services[name].url}{path}"

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{s.log_tail()}" for n, s in self.services.items())


def eventually(
    probe: Callable[[], T | None],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Poll ``probe`` until it returns something truthy (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (httpx.HTTPError, AssertionError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout}s (last: {last!r})")


def own_ports_env(data_dir: Path) -> dict[str, str]:
    """The environment of a ``minyi up`` or ``minyi simulate`` run by a test: none of the
    caller's ``MINYI_`` settings, its own data directory, and a free port for the embedded
    NATS and for each service, so that it never meets a developer's system or another
    test's (tests run in parallel)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env["MINYI_DATA_DIR"] = str(data_dir)
    env["MINYI_EMBEDDED_NATS_PORT"] = str(free_port())
    for name in SERVICE_PORTS:
        env[f"MINYI_HTTP_PORT_{name.upper()}"] = str(free_port())
    return env
