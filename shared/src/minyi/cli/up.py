"""``minyi up``: the whole system on one machine, for development and demos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from minyi.platform import nats_server
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


def run_all(services: list[str]) -> int:
    settings = Settings()
    data_dir = settings.data_dir.resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, MINYI_DATA_DIR=str(data_dir))

    nats: subprocess.Popen[bytes] | None = None
    if "MINYI_NATS_URL" not in os.environ:
        port = int(DEFAULT_NATS_URL.rsplit(":", 1)[1])
        print(
            f"starting embedded nats-server (JetStream) on 127.0.0.1:{port}, state in {data_dir / 'nats'}"
        )
        nats = nats_server.start(data_dir / "nats", port, log_file=logs / "nats-server.log")
        env["MINYI_NATS_URL"] = DEFAULT_NATS_URL
    else:
        print(f"using NATS at {os.environ['MINYI_NATS_URL']}")

    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for name in services:
            log_path = logs / f"{name}.log"
            out = open(log_path, "ab")
            store = os.environ.get(f"MINYI_DATABASE_URL_{name.upper()}", f"SQLite in {data_dir}")
            print(f"starting {name} (store: {store.split('@')[-1]}; log: {log_path})")
            children[name] = subprocess.Popen(
                [sys.executable, "-m", "minyi.cli.main", "serve", name],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        pending = set(services)
        while pending and not stopping:
            for name in list(pending):
                if children[name].poll() is not None:
                    print(
                        f"\n{name} exited with {children[name].returncode}; its log ends:\n"
                        f"{_tail(logs / f'{name}.log')}",
                        file=sys.stderr,
                    )
                    return 1
                if _ready(SERVICE_PORTS[name]):
                    pending.discard(name)
            if time.monotonic() > deadline:
                print(
                    f"not ready after {READY_TIMEOUT:.0f}s: {', '.join(sorted(pending))}; "
                    f"see the logs in {logs}",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.2)
        if stopping:
            return 0
        print("\nMinyi is up (demo reference data loaded: divisions, units, deadlines):")
        for name in services:
            print(f"  {name:<12} http://127.0.0.1:{SERVICE_PORTS[name]}   (API docs: /docs)")
        print("Press Ctrl-C to stop.")
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(
                        f"{name} exited with {child.returncode}; stopping everything. Log:\n"
                        f"{_tail(logs / f'{name}.log')}",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        print("\nstopping…")
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for name, child in children.items():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 15s; killing it", file=sys.stderr)
                child.kill()
        if nats is not None:
            nats.terminate()
            try:
                nats.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nats.kill()
        print("stopped.")
