"""Stopping background tasks so that a shutdown always ends."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop_task(task: asyncio.Task[Any] | None, *, recancel_after: float = 0.5) -> None:
    """Cancel a background task and wait for it, cancelling again while it runs on.

    One ``cancel()`` is not enough on Python 3.11: ``asyncio.wait_for`` (under nats-py's
    connect, among others) returns its inner result instead of raising when the
    cancellation lands as that inner future completes, e.g. a refused connection while NATS
    is away. A retry-forever loop then never ends and neither does the shutdown (a CI run
    hung 300 s on exactly that). Errors other than the cancellation still propagate."""
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=recancel_after)
    if not task.cancelled():
        task.result()
