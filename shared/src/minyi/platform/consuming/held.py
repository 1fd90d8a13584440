"""Messages a process is handling stay "in progress" on the server until they are acked.

The server lets a durable have up to ``max_ack_pending`` messages out. One that waits longer
than ``ack_wait`` — behind a slow commit, a locked or unavailable store — would be delivered
again while the first copy is still held, and every further ``ack_wait`` brings another
copy: under a long stall the process fills with duplicates (measured: 49,000 messages held
by routing with ``max_ack_pending`` 2,000 after 90 s of overload). A heartbeat tells the
server "still working" (``+WPI``) for every message held longer than half of ``ack_wait``,
so a live process never gets a second copy; a process that dies stops the heartbeat and
its messages go to another replica after ``ack_wait``, as before.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from minyi.platform.periodic import Periodic

log = logging.getLogger(__name__)


class Acknowledgeable(Protocol):
    async def in_progress(self) -> None: ...


@dataclass
class _Held:
    msg: Acknowledgeable
    since: float  # when the server last heard of it


class HeldMessages:
    def __init__(self, ack_wait_seconds: float) -> None:
        self.ack_wait = ack_wait_seconds
        self._held: dict[int, _Held] = {}
        self._poller = Periodic(
            "held-messages", self._beat_pass, ack_wait_seconds / 4, first_wait=True
        )
        self.heartbeats = 0

    @contextlib.contextmanager
    def hold(self, msg: Acknowledgeable) -> Iterator[None]:
        self.add(msg)
        try:
            yield
        finally:
            self.release((msg,))

    def add(self, msg: Acknowledgeable) -> None:
        """Hold ``msg`` from its arrival (a pulled message may wait behind the batch being
        handled) until ``release``."""
        self._held[id(msg)] = _Held(msg, time.monotonic())

    def release(self, msgs: Iterable[Acknowledgeable]) -> None:
        for msg in msgs:
            self._held.pop(id(msg), None)

    def __len__(self) -> int:
        return len(self._held)

    async def beat(self) -> int:
        """Mark every message held longer than half of ``ack_wait`` as in progress."""
        now = time.monotonic()
        due = [h for h in self._held.values() if now - h.since >= self.ack_wait / 2]
        for h in due:
            h.since = now
            with contextlib.suppress(Exception):  # disconnected: the server redelivers
                await h.msg.in_progress()
        self.heartbeats += len(due)
        return len(due)

    def start(self) -> None:
        self._poller.start()

    async def stop(self) -> None:
        await self._poller.stop()

    async def _beat_pass(self) -> None:
        if n := await self.beat():
            log.info("%d held messages marked in progress (slow handling)", n)
