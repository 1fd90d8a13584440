"""``minyi up``: the whole system on one machine, for development and demos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from minyi.cli.restarts import Restart, RestartPolicy, Restarts
from minyi.cli.signin_links import print_signin_links
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


class UpSettings(BaseSettings):
    """How ``minyi up`` restarts a process that exits (``MINYI_UP_*``)."""

    model_config = SettingsConfigDict(env_prefix="MINYI_UP_", extra="ignore")

    # The first delay before a restart; it doubles with each exit in the window, up to max.
    restart_backoff_seconds: float = Field(default=1.0, gt=0)
    restart_backoff_max_seconds: float = Field(default=30.0, gt=0)
    # One more exit than this within the window and the process is left stopped.
    max_restarts: int = Field(default=5, ge=0)
    restart_window_seconds: float = Field(default=300.0, gt=0)

    def policy(self) -> RestartPolicy:
        return RestartPolicy(
            backoff=self.restart_backoff_seconds,
            max_backoff=max(self.restart_backoff_max_seconds, self.restart_backoff_seconds),
            max_restarts=self.max_restarts,
            window=self.restart_window_seconds,
        )


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def exit_reason(code: int) -> str:
    """``exited with code 1``, ``was killed by SIGKILL (…)``: a child's return code in words."""
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    hint = " (a crash, kill -9 or the out-of-memory killer)" if -code == signal.SIGKILL else ""
    return f"was killed by {name}{hint}"


@dataclass
class Child:
    """One process ``minyi up`` runs: how to start it, where it logs, and its exits."""

    name: str
    command: list[str]
    env: dict[str, str] | None
    log_path: Path
    restarts: Restarts
    proc: subprocess.Popen[bytes] | None = None
    # In a process group of its own, a terminal's Ctrl-C does not reach it: it is stopped
    # by ``LocalSystem.stop`` after the others (nats-server, which they drain into).
    own_group: bool = False
    started_at: float = 0.0

    def spawn(self) -> None:
        self.started_at = time.monotonic()
        with open(self.log_path, "ab") as out:  # the child holds its own copy of the file
            self.proc = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0 if self.own_group else None,
            )
        self.restarts.restarted()

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class LocalSystem:
    """NATS (embedded unless MINYI_NATS_URL is set) and one process per service.

    With a ``policy`` (``minyi up``), a process that exits is started again after a back-off
    and given up after too many exits in a window, while the others keep running; if the
    embedded nats-server is given up, everything stops. Without one (``minyi simulate``),
    any exit stops everything."""

    data_dir: Path
    services: list[str]
    env: dict[str, str] = field(default_factory=dict)
    policy: RestartPolicy | None = None
    nats: Child | None = None
    children: dict[str, Child] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    stopping: list[bool] = field(default_factory=lambda: [False])

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def given_up(self) -> list[str]:
        return [n for n, c in self.children.items() if c.restarts.given_up]

    def _child(self, name: str, command: list[str], env: dict[str, str] | None) -> Child:
        restarts = Restarts(self.policy or RestartPolicy())
        return Child(name, command, env, self.logs / f"{name}.log", restarts)

    def start(self, stopping: list[bool]) -> None:
        self.stopping = stopping
        self.logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, MINYI_DATA_DIR=str(self.data_dir), **self.env)
        if "MINYI_NATS_URL" not in env:
            port = int(env.get("MINYI_EMBEDDED_NATS_PORT") or DEFAULT_NATS_URL.rsplit(":", 1)[1])
            print(
                f"starting embedded nats-server (JetStream) on 127.0.0.1:{port}, "
                f"state in {self.data_dir / 'nats'}",
                flush=True,
            )
            state = self.data_dir / "nats"
            state.mkdir(parents=True, exist_ok=True)
            self.nats = self._child("nats-server", nats_server.command(state, port), None)
            self.nats.own_group = True
            self.nats.spawn()
            try:
                nats_server.wait_for_port("127.0.0.1", port)
            except TimeoutError as exc:
                raise StartFailed(
                    f"nats-server does not listen on {port}; its log ends:\n"
                    f"{_tail(self.nats.log_path)}"
                ) from exc
            env["MINYI_NATS_URL"] = f"nats://127.0.0.1:{port}"
        else:
            print(f"using NATS at {env['MINYI_NATS_URL']}", flush=True)
        # A page links to another service's pages (the public ledger to intake's 附议 page).
        env.setdefault(
            "MINYI_WEB_LINKS",
            ",".join(
                f"{n}=http://127.0.0.1:{env.get(f'MINYI_HTTP_PORT_{n.upper()}') or p}"
                for n, p in SERVICE_PORTS.items()
            ),
        )
        for name in self.services:
            # Each its own port: SERVICE_PORTS, or MINYI_HTTP_PORT_<SERVICE> to move one.
            port = int(env.get(f"MINYI_HTTP_PORT_{name.upper()}") or SERVICE_PORTS[name])
            self.ports[name] = port
            child = self._child(
                name,
                [sys.executable, "-m", "minyi.cli.main", "serve", name],
                {**env, "MINYI_HTTP_PORT": str(port)},
            )
            self.children[name] = child
            child.spawn()
            store = env.get(f"MINYI_DATABASE_URL_{name.upper()}", f"SQLite in {self.data_dir}")
            print(
                f"starting {name} (pid {child.pid}; port {port}; "
                f"store: {store.split('@')[-1]}; log: {child.log_path})",
                flush=True,
            )
        pending = set(self.services)
        while pending and not stopping[0]:
            self.tend()
            pending = {
                n
                for n in pending
                if not self.children[n].restarts.given_up and not _ready(self.ports[n])
            }
            # Running but not ready for that long: hung. (One in a crash loop is given up.)
            hung = [
                n
                for n in sorted(pending)
                if self.children[n].running
                and time.monotonic() - self.children[n].started_at > READY_TIMEOUT
            ]
            if hung:
                raise StartFailed(
                    f"not ready after {READY_TIMEOUT:.0f}s: {', '.join(hung)}; "
                    f"see the logs in {self.logs}"
                )
            time.sleep(0.2)

    def tend(self) -> None:
        """One look at every process: notice an exit (fatal without a policy; otherwise a
        restart after a back-off, or giving up), and make the restarts that are due."""
        now = time.monotonic()
        for child in [*([self.nats] if self.nats else []), *self.children.values()]:
            if self.stopping[0]:
                return  # Ctrl-C: the children stop too; that is no crash
            if child.proc is None or child.restarts.given_up:
                continue
            if child.restarts.waiting:
                if child.restarts.due(now):
                    child.spawn()
                    _say(f"restarted {child.name} (pid {child.pid})")
                continue
            code = child.proc.poll()
            if code is None:
                continue
            what = f"{child.name} {exit_reason(code)}"
            tail = _tail(child.log_path)
            if self.policy is None:
                raise StartFailed(f"{what}; its log ends:\n{tail}")
            decision = child.restarts.exited(now)
            if isinstance(decision, Restart):
                _say(
                    f"{what}; restarting it in {decision.delay:g} s "
                    f"(restart {decision.exits} of at most {self.policy.max_restarts} within "
                    f"{self.policy.window:g} s). Its log ({child.log_path}) ends:\n"
                    + textwrap.indent(tail, "    ")
                )
                continue
            gave_up = (
                f"{what}: {decision.exits} exits in {self.policy.window:g} s "
                f"(MINYI_UP_MAX_RESTARTS={self.policy.max_restarts}, "
                f"MINYI_UP_RESTART_WINDOW_SECONDS={self.policy.window:g}). "
                f"Giving up on {child.name}: it stays stopped. Its log ({child.log_path}) ends:\n"
                + textwrap.indent(tail, "    ")
            )
            if child is self.nats:
                raise StartFailed(f"{gave_up}\nWithout NATS nothing works: stopping everything.")
            _say(
                f"{gave_up}\nGAVE UP on {child.name}; the other services keep running. "
                "Fix the cause, then restart minyi up."
            )

    def check_alive(self) -> None:
        self.tend()

    def stop(self) -> None:
        for child in self.children.values():
            if child.running and child.proc is not None:
                child.proc.terminate()
        for name, child in self.children.items():
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 15s; killing it", file=sys.stderr)
                child.proc.kill()
                child.proc.wait()
        if self.nats is not None and self.nats.proc is not None:
            self.nats.proc.terminate()
            try:
                self.nats.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nats.proc.kill()
                self.nats.proc.wait()


def stop_on_signals() -> list[bool]:
    """A flag that SIGINT/SIGTERM/SIGHUP set, so loops end and everything stops cleanly."""
    stopping = [False]

    def stop(*_: object) -> None:
        stopping[0] = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)  # the terminal closed
    return stopping


# Pages anyone opens without signing in, by the service that serves them.
PUBLIC_PAGES = (
    ("群众反映问题", "intake", "/"),
    ("找代表、联络站", "liaison", "/"),
    ("项目进展与民意公开（地图、高频诉求、附议）", "reporting", "/ledger"),
)


def print_urls(services: list[str], ports: dict[str, int] | None = None) -> None:
    for name in services:
        port = (ports or SERVICE_PORTS)[name]
        print(f"  {name:<12} http://127.0.0.1:{port}   (API docs: /docs)")
    public = [(t, n, p) for t, n, p in PUBLIC_PAGES if n in services]
    if public:
        print("Public pages (no sign-in):")
        for title, name, path in public:
            print(f"  {title}: http://127.0.0.1:{(ports or SERVICE_PORTS)[name]}{path}")


def print_admin_token(keyring: Keyring) -> None:
    admin = keyring.issue(Principal(Role.ADMIN, "admin:minyi-up"), 8 * 3600)
    print(
        "\nAdmin token (8 h; others: minyi token issue --role unit_staff --unit db-zjj):\n"
        f"  Authorization: Bearer {admin}"
    )


def run_all(services: list[str], data_dir: Path) -> int:
    try:
        policy = UpSettings().policy()
    except ValidationError as exc:
        print(f"MINYI_UP_* settings: {exc}", file=sys.stderr)
        return 2
    system = LocalSystem(data_dir.resolve(), services, policy=policy)
    # Before the services start: the development key is created once, here, and they all
    # read it (production refuses to start without MINYI_JWT_KEYS).
    keyring = load_keyring(Settings(data_dir=system.data_dir))
    stopping = stop_on_signals()
    try:
        system.start(stopping)
        if stopping[0]:
            return 0
        print("\nMinyi is up (demo reference data loaded: divisions, units, deadlines):")
        print_urls(services, system.ports)
        if system.given_up:
            print(f"  NOT running (given up, see above): {', '.join(system.given_up)}")
        print_admin_token(keyring)
        print_signin_links(keyring, services, system.ports)
        print(
            f"A process that exits is restarted after {policy.backoff:g} s (doubling up to "
            f"{policy.max_backoff:g} s) and given up after {policy.max_restarts} restarts in "
            f"{policy.window:g} s (MINYI_UP_*). Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping[0]:
            system.tend()
            time.sleep(0.2)
        return 0
    except StartFailed as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    finally:
        print("\nstopping…")
        system.stop()
        print("stopped.")
