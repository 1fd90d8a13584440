"""Held messages are marked in progress once they are held for half of ack_wait."""

from __future__ import annotations

import asyncio

from minyi.platform.consuming.held import HeldMessages


class Msg:
    def __init__(self) -> None:
        self.marks = 0

    async def in_progress(self) -> None:
        self.marks += 1


class Gone(Msg):
    async def in_progress(self) -> None:
        raise ConnectionError("disconnected")


async def test_only_messages_held_past_half_of_ack_wait_are_marked() -> None:
    held = HeldMessages(ack_wait_seconds=0.2)
    old, new, released, gone = Msg(), Msg(), Msg(), Gone()
    with held.hold(old), held.hold(gone):
        with held.hold(released):
            pass
        await asyncio.sleep(0.12)
        with held.hold(new):
            assert len(held) == 3
            assert await held.beat() == 2  # old and gone; new is fresh
            assert await held.beat() == 0  # just marked: not due again yet
            await asyncio.sleep(0.12)
            assert await held.beat() == 3
    assert (old.marks, new.marks, released.marks) == (2, 1, 0)
    assert len(held) == 0 and held.heartbeats == 5


async def test_the_heartbeat_runs_in_the_background_until_stopped() -> None:
    held = HeldMessages(ack_wait_seconds=0.2)
    msg = Msg()
    held.start()
    with held.hold(msg):
        await asyncio.sleep(0.5)
    await held.stop()
    marks = msg.marks
    assert marks >= 2
    await asyncio.sleep(0.2)
    assert msg.marks == marks
