"""Resolutions pushed to live listeners (server-sent events) inside one process."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from minyi.contracts.envelope import RawEvent

# A slow listener loses the oldest messages rather than holding up the consumer.
QUEUE_SIZE = 256


def resolution_message(event: RawEvent) -> dict[str, Any]:
    """What subscribers receive of a Resolved event: no reply text, no citizen data."""
    d = event.data
    return {
        "event_id": event.id,
        "type": event.type,
        "suggestion_id": d.get("suggestion_id") or event.subject,
        "unit_id": d.get("unit_id"),
        "outcome": d.get("outcome"),
        "on_time": d.get("on_time"),
        "round": d.get("round", 1),
        "replied_at": d.get("replied_at"),
    }


class Broadcaster:
    """Fan-out of messages to every open SSE connection of this replica."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._queues.discard(queue)

    def publish(self, message: dict[str, Any]) -> None:
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(message)

    @property
    def listeners(self) -> int:
        return len(self._queues)
