"""Read what is on the bus, straight from JetStream (as an operator's tool would)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from minyi.contracts.subjects import STREAM_NAME


async def _read(url: str, subject: str) -> list[dict[str, Any]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(STREAM_NAME)
        except Exception:
            return []
        if info.state.messages == 0:
            return []
        sub = await js.pull_subscribe(
            subject,
            stream=STREAM_NAME,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30.0),
        )
        events: list[dict[str, Any]] = []
        while True:
            try:
                msgs = await sub.fetch(500, timeout=1.0)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            for m in msgs:
                events.append(
                    {
                        "subject": m.subject,
                        "headers": dict(m.headers or {}),
                        "raw": m.data.decode(),
                        **json.loads(m.data),
                    }
                )
                await m.ack()
        await sub.unsubscribe()
        return events
    finally:
        await nc.close()


def events_on(url: str, subject: str = "minyi.>") -> list[dict[str, Any]]:
    """Every event stored in the stream under ``subject``, oldest first."""
    return asyncio.run(_read(url, subject))


async def _count(url: str, subject: str) -> int:
    nc = await nats.connect(url)
    try:
        try:
            info = await nc.jetstream().stream_info(STREAM_NAME, subjects_filter=subject)
        except Exception:
            return 0
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


def count_on(url: str, subject: str) -> int:
    """How many events the stream holds under ``subject`` (the server counts; nothing is read)."""
    return asyncio.run(_count(url, subject))
