"""What the building blocks can do on this machine, measured in the same run as Minyi."""

from __future__ import annotations

import asyncio
import time

import nats
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

PAYLOAD = b'{"specversion":"1.0","id":"x","type":"bench","data":{"title":"' + b"x" * 300 + b'"}}'


async def jetstream(url: str, messages: int = 50_000, window: int = 4_000) -> dict[str, float]:
    """Publish-with-ack (asynchronous, a window of acks in flight) and pull-consume rates."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    name = "BENCH_CEILING"
    try:
        await js.delete_stream(name)
    except Exception:
        pass
    await js.add_stream(
        StreamConfig(name=name, subjects=["bench.ceiling"], storage=StorageType.FILE)
    )
    t0 = time.perf_counter()
    pending: list[asyncio.Future[object]] = []
    for i in range(messages):
        pending.append(
            await js.publish_async("bench.ceiling", PAYLOAD, headers={"Nats-Msg-Id": str(i)})
        )
        if len(pending) >= window:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    publish_rate = messages / (time.perf_counter() - t0)

    sub = await js.pull_subscribe(
        "bench.ceiling",
        durable="bench",
        stream=name,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=-1),
    )
    got = 0
    t0 = time.perf_counter()
    while got < messages:
        for m in await sub.fetch(256, timeout=5):
            await m.ack()
            got += 1
    consume_rate = messages / (time.perf_counter() - t0)
    await js.delete_stream(name)
    await nc.close()
    return {
        "publish_ack_msgs_per_s": round(publish_rate),
        "pull_consume_msgs_per_s": round(consume_rate),
    }
