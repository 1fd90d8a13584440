"""Group commit: many small units of work share one database transaction.

One transaction per request or per message caps a service near 1,000 writes/s (one fsync
each); queuing them and committing whatever has queued while the previous commit ran lifts
that ceiling without adding a timer or a delay. If any unit of a group fails, the group is
rolled back and its units are retried one transaction each, so a bad one fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from minyi.platform.tasks import stop_tasks

log = logging.getLogger(__name__)
T = TypeVar("T")
U = TypeVar("U")
Work = Callable[[U], Awaitable[T]]


@dataclass
class _Item(Generic[U, T]):
    work: Work[U, T]
    future: asyncio.Future[T] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommitter(Generic[U]):
    """``writers`` groups may be open at once: one on SQLite (one connection, one writer);
    on PostgreSQL a group spends most of its time waiting for round trips and the commit,
    so more writers can help (they helped intake, hurt routing: see POSTGRES_WRITERS)."""

    def __init__(
        self,
        open_unit: Callable[[], AbstractAsyncContextManager[U]],
        max_group: int = 500,
        writers: int = 1,
    ) -> None:
        self._open_unit = open_unit
        self._max_group = max_group
        self._writers = writers
        self._queue: asyncio.Queue[_Item[U, Any]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.groups = 0
        self.units = 0

    async def submit(self, work: Work[U, T]) -> T:
        """Run ``work`` inside a shared transaction; returns after that transaction committed."""
        if not self._tasks or any(t.done() for t in self._tasks):
            self._tasks = [t for t in self._tasks if not t.done()]
            self._tasks += [
                asyncio.create_task(self._run(), name="group-committer")
                for _ in range(self._writers - len(self._tasks))
            ]
        item: _Item[U, T] = _Item(work)
        await self._queue.put(item)
        return await item.future

    async def stop(self) -> None:
        await stop_tasks(*self._tasks)
        self._tasks = []

    async def _run(self) -> None:
        while True:
            group = [await self._queue.get()]
            while len(group) < self._max_group and not self._queue.empty():
                group.append(self._queue.get_nowait())
            await self._commit(group)

    async def _commit(self, group: list[_Item[U, Any]]) -> None:
        results: list[Any] = []
        try:
            async with self._open_unit() as uow:
                for item in group:
                    results.append(await item.work(uow))
        except Exception as exc:
            if len(group) == 1:
                if not group[0].future.done():
                    group[0].future.set_exception(exc)
                return
            log.warning("a group of %d failed; retrying its units alone", len(group), exc_info=True)
            for item in group:
                await self._commit([item])
            return
        self.groups += 1
        self.units += len(group)
        for item, result in zip(group, results, strict=True):
            if not item.future.done():
                item.future.set_result(result)
