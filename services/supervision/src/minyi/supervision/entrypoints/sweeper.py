"""The deadline sweep: a background task in every replica ("timers that survive").

Timers live in the database (each case's plan, with ``next_due_at`` indexed), not in
memory, so a restart or a crash loses none: the next pass of any replica finds them.
"""

from __future__ import annotations

import asyncio
import logging

from minyi.platform.service import Runtime
from minyi.platform.tasks import stop_tasks
from minyi.supervision.service_layer.sweep import fire_due_timers

log = logging.getLogger(__name__)


class DeadlineSweeper:
    def __init__(self, runtime: Runtime, *, interval: float, batch: int) -> None:
        self._runtime = runtime
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deadline-sweep")

    async def stop(self) -> None:
        await stop_tasks(self._task)

    async def sweep_once(self) -> int:
        """Batches until nothing due is left; returns the cases handled."""
        total = 0
        while True:
            async with self._runtime.unit_of_work() as uow:
                handled = await fire_due_timers(uow, self._batch)
            total += handled
            if handled < self._batch:
                return total

    async def _run(self) -> None:
        while True:
            try:
                handled = await self.sweep_once()
                if handled:
                    log.info("deadline sweep: %d case(s) with due timers", handled)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A lost race or a database hiccup: the transaction rolled back, the
                # timers are still due, the next pass takes them.
                log.exception("deadline sweep pass failed; retrying next pass")
            await asyncio.sleep(self._interval)
