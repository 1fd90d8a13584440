"""What a service's consumers cost per suggestion, without NATS or HTTP around them: the
events captured by ``tests.load.capture`` (bench-results/events.jsonl) applied through one
service's consumers, in-process on a fresh SQLite store, in batches as the pull loop hands
them over (one transaction each, through the group commit). Prints CPU µs per event and
ms per filed suggestion; ``--profile`` runs it under cProfile (top 40 by cumulative time).

Usage: python -m tests.load.replay <service> [batch=200] [repeat=1] [--profile]
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime
from minyi.platform.settings import Settings
from tests.load.capture import EVENTS


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching (``*`` one token, ``>`` the rest)."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > i
        if i >= len(tokens) or token not in ("*", tokens[i]):
            return False
    return len(wanted) == len(tokens)


async def replay(service: str, batch: int, repeat: int) -> str:
    definition = importlib.import_module(f"minyi.{service}.bootstrap").SERVICE
    stored = [json.loads(line) for line in EVENTS.read_text().splitlines()]
    filed = sum(1 for e in stored if e["nats_subject"] == "minyi.suggestion.filed")
    cpu, handled = 0.0, 0
    for _ in range(repeat):
        tmp = Path(tempfile.mkdtemp(prefix="minyi-replay-"))
        settings = Settings(
            service=service,
            data_dir=tmp,
            database_url=f"sqlite+aiosqlite:///{tmp}/{service}.sqlite3",
        )
        runtime = build_runtime(definition, settings)
        await migrations.upgrade(runtime.engine, definition.package)
        if definition.on_start:
            await definition.on_start(runtime)
        plan = []
        for consumer in runtime.consumers:
            patterns = list(consumer.filter_subjects) or [consumer.subject]
            events = [
                RawEvent.model_validate_json(e["data"])
                for e in stored
                if any(matches(p, e["nats_subject"]) for p in patterns)
            ]
            plan.append(
                (
                    consumer,
                    [e for e in events if consumer.types is None or e.type in consumer.types],
                )
            )
        started = time.process_time()
        for consumer, events in plan:
            for i in range(0, len(events), batch):
                chunk = events[i : i + batch]

                async def work(uow: Any, c: Any = consumer, chunk: list[RawEvent] = chunk) -> None:
                    await c.handle_batch(chunk, uow)

                await runtime.committer.submit(work)
                handled += len(chunk)
        cpu += time.process_time() - started
        await runtime.committer.stop()
        await runtime.engine.dispose()
    return (
        f"{service}: {handled} events handled, {cpu * 1e6 / max(handled, 1):.0f} µs CPU per "
        f"event, {cpu * 1e3 / max(filed * repeat, 1):.3f} ms per filed suggestion "
        f"({filed} filed, batch {batch})"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    service = args[0]
    batch = int(args[1]) if len(args) > 1 else 200
    repeat = int(args[2]) if len(args) > 2 else 1
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        print(profile.runcall(asyncio.run, replay(service, batch, repeat)))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    else:
        print(asyncio.run(replay(service, batch, repeat)))


if __name__ == "__main__":
    main()
