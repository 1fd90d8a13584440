"""Server-sent events from a broadcaster: the one loop both streams use (the dashboard's
resolutions, the public pages' "changed" ticks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from minyi.reporting.adapters.live import Broadcaster

# A connection ends after this long and the browser reconnects at once: an open stream
# would otherwise hold up a graceful shutdown of the server indefinitely. A comment goes
# out this often when nothing happens.
SSE_MAX_SECONDS = 25.0
SSE_KEEPALIVE_SECONDS = 10.0

Message = dict[str, Any]
Frame = Callable[[Message, "asyncio.Queue[Message]"], bytes]


def event_stream(
    request: Request,
    broadcaster: Broadcaster,
    frame: Frame,
    *,
    retry_ms: int,
    pause_seconds: float = 0.0,
) -> StreamingResponse:
    """Each broadcast message as ``frame`` writes it (it may drain the queue to fold a
    burst into one frame); ``pause_seconds`` between frames bounds their rate."""
    queue = broadcaster.subscribe()

    async def body() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + SSE_MAX_SECONDS
        try:
            yield f"retry: {retry_ms}\n: connected\n\n".encode()
            while loop.time() < ends and not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), SSE_KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                yield frame(message, queue)
                if pause_seconds:
                    await asyncio.sleep(pause_seconds)
        finally:
            broadcaster.unsubscribe(queue)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
