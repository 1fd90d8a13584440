"""One helper for every background poller: run a tick now and then, sooner when woken, and
stop when asked (through ``tasks.stop_tasks``, so a shutdown always ends)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from minyi.platform.tasks import stop_tasks

log = logging.getLogger(__name__)

# A tick answers True when it stopped at its batch limit: more is waiting, run again now.
Tick = Callable[[], Awaitable[bool | None]]


class Periodic:
    """Calls ``tick`` every ``every`` seconds until stopped. A tick that raises is logged and
    tried again after ``every`` (a poller outlives a store outage); ``wake()`` cuts the wait
    short (the outbox relay is woken right after a commit)."""

    def __init__(self, name: str, tick: Tick, every: float, *, first_wait: bool = False) -> None:
        self.name = name
        self.every = every
        self._tick = tick
        self._first_wait = first_wait
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ticks = 0

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        if self._first_wait:
            await self._wait()
        while True:
            self.ticks += 1
            try:
                more = await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: a pass failed; trying again in %.1fs", self.name, self.every)
                more = False
            if not more:
                await self._wait()

    async def _wait(self) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.every)
