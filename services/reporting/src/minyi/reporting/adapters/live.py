"""In-process signals: resolutions pushed to live listeners (server-sent events), and the
bell that wakes the webhook poller when a commit queued deliveries."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

# A slow listener loses the oldest messages rather than holding up the consumer.
QUEUE_SIZE = 256


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


class Bell:
    """Rings whatever is connected to it: the webhook poller's ``wake``, connected when the
    poller is made (after the consumers that ring it)."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []

    def connect(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def ring(self) -> None:
        for callback in self._callbacks:
            callback()
