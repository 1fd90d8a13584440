"""``minyi up`` supervises: kill -9 a service under it while citizens file, and it comes back
with nothing lost; a service that keeps crashing is given up while the others keep serving.

The real ``minyi up`` runs as a subprocess with its own data dir, embedded nats-server and
free ports (``MINYI_HTTP_PORT_<SERVICE>``). A ``System`` describes where those are, so the
fault tests' load and checks read it as they read a system the tests start themselves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from minyi.platform.nats_server import free_port
from tests.faults.helpers import RETRY_ENV, SYSTEM_ENV, Load, admin_headers, settle, suggestion
from tests.support.system import WITH_LIAISON, System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# A liveness bound with generous slack (the back-off below is at most 4 s; a service starts
# in a few seconds): not a performance number.
REFUSAL_BOUND = 60.0


class Up:
    """``minyi up`` in a subprocess; its output collected line by line."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        data = tmp_path / "data"
        self.system = System(
            nats_url=f"nats://127.0.0.1:{free_port()}", data_dir=data, names=WITH_LIAISON
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
        base.update(
            PYTHONUNBUFFERED="1",
            MINYI_DATA_DIR=str(data),
            MINYI_EMBEDDED_NATS_PORT=self.system.nats_url.rsplit(":", 1)[1],
            MINYI_OUTBOX_IDLE_SECONDS="0.05",
            # A crash between commit and ack is noticed after this (30 s in production).
            MINYI_ACK_WAIT_SECONDS="5",
            MINYI_INTAKE_RATE_PER_IP_PER_MINUTE="1000000",
            MINYI_INTAKE_RATE_PER_IP_BURST="1000000",
            **SYSTEM_ENV,
            **RETRY_ENV,
            **env,
        )
        for name, svc in self.system.services.items():
            base[f"MINYI_HTTP_PORT_{name.upper()}"] = str(svc.port)
            svc.log_path = data / "logs" / f"{name}.log"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "minyi.cli.main", "up"],
            env=base,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, as in a terminal
        )
        self._reader = threading.Thread(target=self._read, daemon=True, name="minyi-up-output")
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until(self, text: str, timeout: float = 120.0) -> None:
        def seen() -> bool:
            if text in self.output:
                return True
            assert self.proc.poll() is None, f"minyi up ended:\n{self.output[-5000:]}"
            return False

        try:
            eventually(seen, timeout=timeout, interval=0.1, what=repr(text))
        except AssertionError:
            print(self.output[-5000:])
            raise

    def pid(self, name: str) -> int:
        """The pid of the newest process of ``name`` that ``minyi up`` started."""
        found = re.findall(rf"(?:starting|restarted) {name} \(pid (\d+)", self.output)
        assert found, f"no pid of {name} in:\n{self.output[-3000:]}"
        return int(found[-1])

    def pids(self) -> list[int]:
        return [int(p) for p in re.findall(r"\(pid (\d+)", self.output)]

    def kill(self, name: str) -> int:
        """SIGKILL the running ``name``; wait until ``minyi up`` started a new one."""
        old = self.pid(name)
        os.kill(old, signal.SIGKILL)
        eventually(
            lambda: self.pid(name) != old or self.proc.poll() is not None,
            timeout=60,
            what=f"minyi up to restart {name}",
        )
        return old

    def ready(self, name: str) -> bool:
        try:
            return httpx.get(self.system.url(name, "/readyz"), timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, name: str) -> None:
        eventually(lambda: self.ready(name), timeout=60, interval=0.2, what=f"{name} ready")

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it: SIGINT to ``minyi up`` and its children."""
        os.killpg(self.proc.pid, signal.SIGINT)
        code = self.proc.wait(timeout=90)
        self._reader.join(timeout=10)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        try:  # nothing it started outlives a failed test
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(")")[-1].startswith(" Z")
    except FileNotFoundError:
        return False


def test_routing_and_intake_killed_under_minyi_up_come_back_and_every_filing_is_assigned_once(
    tmp_path: Path,
) -> None:
    up = Up(
        tmp_path,
        {"MINYI_UP_RESTART_BACKOFF_SECONDS": "2", "MINYI_UP_RESTART_BACKOFF_MAX_SECONDS": "4"},
    )
    try:
        up.wait_until("Press Ctrl-C to stop.")
        system = up.system
        with Load(system, rate=15) as load:
            load.wait_for(10)
            # Routing, twice: filings go on being accepted while it is away and in back-off.
            for _ in range(2):
                before = len(load.accepted)
                up.kill("routing")
                accepted_while_away = len(load.accepted) - before
                up.wait_ready("routing")
                load.wait_for(before + 10)
                assert accepted_while_away > 0, "intake stopped accepting while routing was away"
            # Intake itself: filings are refused (connection refused) until it is back.
            before = len(load.accepted)
            up.kill("intake")
            up.wait_ready("intake")
            load.wait_for(before + 10)
            assert all(up.ready(n) for n in WITH_LIAISON), "not every service serves again"
        outcome = settle(system, load, timeout=120, label="minyi up, kill -9 routing ×2, intake")
        print(f"refusal windows: {[f'{w:.1f}s' for w in load.refusal_windows]}")
        assert outcome.accepted >= 40
        # Killing intake must have been felt (else the bound below proves nothing) ...
        assert load.refusal_windows, "no filing was ever refused while intake was killed"
        # ... and no filing was refused for longer than a restart takes.
        assert max(load.refusal_windows) < REFUSAL_BOUND
        out = up.output
        assert out.count("routing was killed by SIGKILL") == 2
        assert "intake was killed by SIGKILL" in out
        assert "restarting it in 2 s (restart 1 of at most 5 within 300 s)" in out
        assert "restarting it in 4 s (restart 2 of at most 5 within 300 s)" in out
        assert "GAVE UP" not in out

        pids = [up.pid(n) for n in WITH_LIAISON]
        assert up.interrupt() == 0
        assert "stopped." in up.output
        assert not [p for p in pids if alive(p)], "a service outlived minyi up"
    finally:
        up.close()


def test_a_service_that_keeps_crashing_is_given_up_and_the_others_keep_serving(
    tmp_path: Path,
) -> None:
    up = Up(
        tmp_path,
        {
            "MINYI_UP_RESTART_BACKOFF_SECONDS": "0.5",
            "MINYI_UP_RESTART_BACKOFF_MAX_SECONDS": "1",
            "MINYI_UP_MAX_RESTARTS": "2",
            "MINYI_UP_RESTART_WINDOW_SECONDS": "600",
        },
    )
    try:
        up.wait_until("Press Ctrl-C to stop.")
        system = up.system
        killed = [up.kill("routing"), up.kill("routing")]
        last = up.pid("routing")
        os.kill(last, signal.SIGKILL)  # the third exit in the window: no more restarts
        killed.append(last)
        up.wait_until("GAVE UP on routing; the other services keep running.")
        time.sleep(2)  # a back-off's worth: nothing is restarted after giving up

        assert up.proc.poll() is None, "minyi up stopped with the service it gave up on"
        assert up.pid("routing") == last
        assert "routing was killed by SIGKILL (a crash, kill -9 or the out-of-memory killer): " in (
            up.output
        )
        assert "3 exits in 600 s (MINYI_UP_MAX_RESTARTS=2" in up.output
        assert not up.ready("routing")
        others = [n for n in WITH_LIAISON if n != "routing"]
        assert all(up.ready(n) for n in others), "a service stopped with routing"
        # They do not just answer /readyz: a filing is accepted and counted by reporting.
        r = httpx.post(system.url("intake", "/v1/suggestions"), json=suggestion(1), timeout=10)
        assert r.status_code == 201, r.text

        def counted() -> bool:
            stats = httpx.get(
                system.url("reporting", "/v1/stats"), headers=admin_headers(), timeout=5
            ).json()
            return bool(stats["total"] == 1)

        eventually(counted, timeout=60, what="reporting to count the filing")
        assert all(up.ready(n) for n in others)

        pids = [up.pid(n) for n in others]
        assert up.interrupt() == 0
        assert not [p for p in pids + killed if alive(p)], "a process outlived minyi up"
    finally:
        up.close()


def test_a_service_that_cannot_start_is_given_up_and_minyi_up_comes_up_without_it(
    tmp_path: Path,
) -> None:
    up = Up(
        tmp_path,
        {
            "MINYI_UP_RESTART_BACKOFF_SECONDS": "0.5",
            "MINYI_UP_MAX_RESTARTS": "1",
            # A store it cannot open: every start fails.
            "MINYI_DATABASE_URL_ROUTING": f"sqlite+aiosqlite:///{tmp_path}/missing/routing.db",
        },
    )
    try:
        up.wait_until("Press Ctrl-C to stop.")
        out = up.output
        assert "routing exited with code" in out
        assert "GAVE UP on routing; the other services keep running." in out
        assert "NOT running (given up, see above): routing" in out
        assert all(up.ready(n) for n in WITH_LIAISON if n != "routing")
        assert up.interrupt() == 0
    finally:
        up.close()
