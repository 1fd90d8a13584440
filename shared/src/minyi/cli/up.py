"""``minyi up``: the whole system on one machine, for development and demos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from minyi.platform import nats_server
from minyi.platform.auth import Keyring, Principal, Role, load_keyring
from minyi.platform.settings import DEFAULT_NATS_URL, SERVICE_PORTS, Settings

READY_TIMEOUT = 90.0


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
            return bool(resp.status == 200)
    except Exception:
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class StartFailed(RuntimeError):
    pass


@dataclass
class LocalSystem:
    """NATS (embedded unless MINYI_NATS_URL is set) and one process per service."""

    data_dir: Path
    services: list[str]
    env: dict[str, str] = field(default_factory=dict)
    nats: subprocess.Popen[bytes] | None = None
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def start(self, stopping: list[bool]) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, MINYI_DATA_DIR=str(self.data_dir), **self.env)
        if "MINYI_NATS_URL" not in env:
            port = int(env.get("MINYI_EMBEDDED_NATS_PORT") or DEFAULT_NATS_URL.rsplit(":", 1)[1])
            print(
                f"starting embedded nats-server (JetStream) on 127.0.0.1:{port}, "
                f"state in {self.data_dir / 'nats'}"
            )
            self.nats = nats_server.start(
                self.data_dir / "nats", port, log_file=self.logs / "nats-server.log"
            )
            env["MINYI_NATS_URL"] = f"nats://127.0.0.1:{port}"
        else:
            print(f"using NATS at {env['MINYI_NATS_URL']}")
        for name in self.services:
            log_path = self.logs / f"{name}.log"
            out = open(log_path, "ab")  # owned by the child for its lifetime
            store = env.get(f"MINYI_DATABASE_URL_{name.upper()}", f"SQLite in {self.data_dir}")
            print(f"starting {name} (store: {store.split('@')[-1]}; log: {log_path})")
            self.children[name] = subprocess.Popen(
                [sys.executable, "-m", "minyi.cli.main", "serve", name],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        pending = set(self.services)
        while pending and not stopping[0]:
            self.check_alive()
            pending = {n for n in pending if not _ready(SERVICE_PORTS[n])}
            if time.monotonic() > deadline:
                raise StartFailed(
                    f"not ready after {READY_TIMEOUT:.0f}s: "
                    f"{', '.join(sorted(pending))}; see the logs in {self.logs}"
                )
            time.sleep(0.2)

    def check_alive(self) -> None:
        for name, child in self.children.items():
            if child.poll() is not None:
                raise StartFailed(
                    f"{name} exited with {child.returncode}; its log ends:\n"
                    f"{_tail(self.logs / f'{name}.log')}"
                )

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for name, child in self.children.items():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 15s; killing it", file=sys.stderr)
                child.kill()
        if self.nats is not None:
            self.nats.terminate()
            try:
                self.nats.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nats.kill()


def stop_on_signals() -> list[bool]:
    """A flag that SIGINT/SIGTERM set, so loops end and everything stops cleanly."""
    stopping = [False]

    def stop(*_: object) -> None:
        stopping[0] = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return stopping


def print_urls(services: list[str]) -> None:
    for name in services:
        print(f"  {name:<12} http://127.0.0.1:{SERVICE_PORTS[name]}   (API docs: /docs)")


def print_admin_token(keyring: Keyring) -> None:
    admin = keyring.issue(Principal(Role.ADMIN, "admin:minyi-up"), 8 * 3600)
    print(
        "\nAdmin token (8 h; others: minyi token issue --role unit_staff --unit db-zjj):\n"
        f"  Authorization: Bearer {admin}"
    )


def run_all(services: list[str], data_dir: Path) -> int:
    system = LocalSystem(data_dir.resolve(), services)
    # Before the services start: the development key is created once, here, and they all
    # read it (production refuses to start without MINYI_JWT_KEYS).
    keyring = load_keyring(Settings(data_dir=system.data_dir))
    stopping = stop_on_signals()
    try:
        system.start(stopping)
        if stopping[0]:
            return 0
        print("\nMinyi is up (demo reference data loaded: divisions, units, deadlines):")
        print_urls(services)
        print_admin_token(keyring)
        print("Press Ctrl-C to stop.")
        while not stopping[0]:
            system.check_alive()
            time.sleep(0.5)
        return 0
    except StartFailed as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    finally:
        print("\nstopping…")
        system.stop()
        print("stopped.")
