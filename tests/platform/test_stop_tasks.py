"""A shutdown ends even when a background task swallows its cancellation."""

from __future__ import annotations

import asyncio

import pytest

from minyi.platform.tasks import stop_tasks


async def retries_forever_after_a_swallowed_cancel(cancels_seen: list[int]) -> None:
    """What nats-py's connect loop does on Python 3.11 when the cancel lands as a refused
    connection completes: asyncio.wait_for hands back the refusal, the loop retries."""
    while True:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            cancels_seen.append(1)
            if len(cancels_seen) == 1:
                continue
            raise


async def test_a_task_that_swallows_one_cancel_is_cancelled_again_until_it_ends() -> None:
    seen: list[int] = []
    task = asyncio.create_task(retries_forever_after_a_swallowed_cancel(seen))
    await asyncio.sleep(0)
    await asyncio.wait_for(stop_tasks(task, recancel_after=0.05), timeout=5)
    assert task.cancelled()
    assert len(seen) == 2


async def test_one_cancel_alone_would_have_left_it_running() -> None:
    seen: list[int] = []
    task = asyncio.create_task(retries_forever_after_a_swallowed_cancel(seen))
    await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=0.3)
    assert not done and seen == [1]
    await stop_tasks(task)


async def test_several_tasks_are_cancelled_together_not_one_after_the_other() -> None:
    """The group committer's writers: none may start another commit while an earlier
    one is being stopped."""
    second_cancelled = asyncio.Event()
    saw_second_cancelled: list[bool] = []

    async def first() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            # Finishing up; the second must already be told to stop.
            try:
                await asyncio.wait_for(second_cancelled.wait(), timeout=1)
                saw_second_cancelled.append(True)
            except TimeoutError:
                saw_second_cancelled.append(False)
            raise

    async def second() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            second_cancelled.set()
            raise

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await asyncio.sleep(0)
    await stop_tasks(*tasks, recancel_after=5)
    assert saw_second_cancelled == [True]
    assert all(t.cancelled() for t in tasks)


async def test_an_error_of_the_task_still_reaches_the_caller() -> None:
    async def fails() -> None:
        raise RuntimeError("broken")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="broken"):
        await stop_tasks(task)


async def test_no_task_is_nothing_to_stop() -> None:
    await stop_tasks(None)
