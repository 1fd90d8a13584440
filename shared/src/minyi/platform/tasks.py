"""Stopping background tasks so that a shutdown always ends."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop_tasks(*tasks: asyncio.Task[Any] | None, recancel_after: float = 0.5) -> None:
    """Cancel background tasks (all at once) and wait for them, cancelling again while any
    runs on.

    One ``cancel()`` is not enough on Python 3.11: ``asyncio.wait_for`` (under nats-py's
    connect, among others) returns its inner result instead of raising when the
    cancellation lands as that inner future completes, e.g. a refused connection while NATS
    is away. A retry-forever loop then never ends and neither does the shutdown (a CI run
    hung 300 s on exactly that). Errors other than the cancellation still propagate."""
    started = [task for task in tasks if task is not None]
    while running := {task for task in started if not task.done()}:
        for task in running:
            task.cancel()
        await asyncio.wait(running, timeout=recancel_after)
    for task in started:
        if not task.cancelled():
            task.result()
