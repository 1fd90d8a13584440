"""Real events for ``tests.load.replay``: the four services on SQLite, suggestions filed at
RATE/s for SECONDS, then every event the stream holds (its subject and CloudEvent JSON, one
per line) written to bench-results/events.jsonl.

Usage: python -m tests.load.capture [SECONDS=10] [RATE=100]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig

EVENTS = Path(__file__).resolve().parents[2] / "bench-results" / "events.jsonl"


async def dump(url: str, out: Path) -> int:
    out.parent.mkdir(exist_ok=True)
    nc = await nats.connect(url)
    sub = await nc.jetstream().pull_subscribe(
        "minyi.>", stream="MINYI", config=ConsumerConfig(ack_policy=AckPolicy.NONE)
    )
    n = 0
    with out.open("w") as f:
        while True:
            try:
                msgs = await sub.fetch(500, timeout=1.0)
            except Exception:
                break
            for m in msgs:
                f.write(json.dumps({"nats_subject": m.subject, "data": m.data.decode()}) + "\n")
                n += 1
    await nc.close()
    return n


def main() -> None:
    from tests.load.bench import loadgen, wait_drained
    from tests.support import infra
    from tests.support.system import System

    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 100
    workdir = Path(tempfile.mkdtemp(prefix="minyi-capture-"))
    with infra.nats(workdir) as ns:
        system = System(nats_url=ns.url, data_dir=workdir / "system", database_urls={})
        system.start()
        try:
            step = loadgen(
                system.url("intake", "/v1/suggestions"), clients=64, seconds=seconds, rate=rate
            )
            print(
                "filed",
                step["ok"],
                "drained after",
                wait_drained(system, step["ok"], timeout=120),
                "s",
            )
            print("events written to", EVENTS, asyncio.run(dump(ns.url, EVENTS)))
        finally:
            system.stop()


if __name__ == "__main__":
    main()
