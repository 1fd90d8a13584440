"""Read what is on the bus, straight from JetStream (as an operator's tool would)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from minyi.contracts.subjects import STREAM_NAME


async def _read(url: str, subject: str, stream_times: bool) -> list[dict[str, Any]]:
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
                        **({"stream_time": m.metadata.timestamp} if stream_times else {}),
                    }
                )
                await m.ack()
        await sub.unsubscribe()
        return events
    finally:
        await nc.close()


def events_on(
    url: str, subject: str = "minyi.>", *, stream_times: bool = False
) -> list[dict[str, Any]]:
    """Every event stored in the stream under ``subject``, oldest first; ``stream_times``:
    with when the server stored each (``stream_time``, an aware datetime)."""
    return asyncio.run(_read(url, subject, stream_times))


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


async def _consumer_info(url: str, durable: str) -> dict[str, Any]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.consumer_info(STREAM_NAME, durable)
        return {
            "delivered": info.delivered.consumer_seq if info.delivered else 0,
            "stream_last_seq": (await js.stream_info(STREAM_NAME)).state.last_seq,
            "num_pending": info.num_pending,
            "num_ack_pending": info.num_ack_pending,
            "num_redelivered": info.num_redelivered,
            "backlog": int(info.num_pending or 0) + int(info.num_ack_pending or 0),
            "max_ack_pending": info.config.max_ack_pending,
            "filter_subjects": list(info.config.filter_subjects or [])
            or [info.config.filter_subject],
        }
    finally:
        await nc.close()


def consumer_info(url: str, durable: str) -> dict[str, Any]:
    """A durable's figures on the server: messages delivered (and redelivered) to it, its
    backlog (pending plus unacknowledged), its limits and the subjects it is filtered to."""
    return asyncio.run(_consumer_info(url, durable))
