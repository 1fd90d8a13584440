"""Two reporting replicas share one durable consumer and one database: the views they
build together equal the ones a single replayer builds."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

import httpx
import pytest

from minyi.platform.nats_server import free_port
from tests.support.reporting_history import all_projected, lifecycle, publish
from tests.support.system import ServiceProcess, System, eventually

pytestmark = pytest.mark.e2e

N = 40
VIEWS = ["/v1/headline", "/v1/heatmap", "/v1/units", "/v1/supervision-groups", "/v1/recurring"]


def _history() -> list[Any]:
    rng = random.Random(11)
    events = []
    for i in range(N):
        events += lifecycle(
            f"r-{i}",
            day=i % 20,
            district=rng.choice(["420802", "420804", "420822"]),
            unit=rng.choice(["u-zjj", "u-jtj", "u-sw"]),
            outcome=rng.choice(["A", "A", "B", "C", ""]),
            late=rng.random() < 0.3,
            reopen=rng.random() < 0.2,
            cluster=rng.choice([None, "c-1", "c-2"]),
        )
    return rng.sample(events, len(events))


def _views(url: str, headers: dict[str, str]) -> dict[str, Any]:
    return {v: httpx.get(f"{url}{v}", headers=headers, timeout=10).json() for v in VIEWS}


def test_two_replicas_build_the_same_views_as_one_replay(
    system_factory: type[System], store: str
) -> None:
    system = system_factory(store)
    system.start(["reporting"])
    first = system["reporting"]
    port = free_port()
    second = ServiceProcess(
        "reporting",
        port,
        {**first.env, "MINYI_HTTP_PORT": str(port)},
        system.data_dir / "reporting-2.log",
    )
    second.start()
    try:
        second.wait_ready()
        events = _history()
        publish(system.nats_url, events)
        eventually(
            lambda: all_projected(first.url, events, system.admin), what="every event projected"
        )
        final: dict[str, tuple[int, str]] = {}
        for e in events:
            if e.type.endswith("resolved.v1"):
                final[e.subject] = max(
                    final.get(e.subject, (0, "")), (e.data["round"], e.data["outcome"])
                )
        head = httpx.get(f"{second.url}/v1/headline", headers=system.admin, timeout=10).json()
        assert head["suggestions_collected"] == N
        assert head["problems_solved"] == sum(1 for _r, o in final.values() if o == "A")
        # Both replicas read the one database: whichever folded an event, the views agree.
        assert _views(first.url, system.admin) == _views(second.url, system.admin)
        live = _views(first.url, system.admin)
        done = subprocess.run(
            [sys.executable, "-m", "minyi.cli.main", "reporting", "rebuild"],
            env=first.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert _views(second.url, system.admin) == live
    finally:
        second.stop()
        if second.proc is not None and second.proc.returncode not in (0, -15):
            print(second.log_tail())
