"""The one helper every poller runs on: ticks, wakes, survives a failing tick, stops."""

from __future__ import annotations

import asyncio

from minyi.platform.periodic import Periodic


async def test_a_poller_ticks_every_period_and_at_once_when_woken() -> None:
    ticks: list[float] = []

    async def tick() -> None:
        ticks.append(asyncio.get_running_loop().time())

    poller = Periodic("test", tick, every=30.0)
    poller.start()
    await asyncio.sleep(0.05)
    assert len(ticks) == 1  # the first tick runs at once
    poller.wake()
    await asyncio.sleep(0.05)
    assert len(ticks) == 2  # woken long before the 30 s period
    await poller.stop()
    assert not poller.running


async def test_a_full_batch_runs_again_without_waiting() -> None:
    left = [500, 500, 12]

    async def tick() -> bool:
        return left.pop(0) >= 500 if left else False

    poller = Periodic("test", tick, every=30.0)
    poller.start()
    await asyncio.sleep(0.05)
    await poller.stop()
    assert left == []


async def test_a_failing_tick_is_logged_and_tried_again() -> None:
    calls = 0

    async def tick() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("store away")

    poller = Periodic("test", tick, every=0.02)
    poller.start()
    await asyncio.sleep(0.2)
    await poller.stop()
    assert calls >= 2


async def test_first_wait_delays_the_first_tick() -> None:
    calls = 0

    async def tick() -> None:
        nonlocal calls
        calls += 1

    poller = Periodic("test", tick, every=30.0, first_wait=True)
    poller.start()
    await asyncio.sleep(0.05)
    assert calls == 0
    await poller.stop()
