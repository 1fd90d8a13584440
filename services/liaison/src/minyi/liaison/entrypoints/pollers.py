"""Liaison's background poller: notices to citizens who booked (the reminder the day
before, a freed place, a cancelled reception, a referred matter's tracking code)."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.liaison.dependencies import LiaisonRuntime
from minyi.liaison.service_layer import notices, performance
from minyi.platform.periodic import Periodic

SNAPSHOT_POLL_SECONDS = 300.0
SNAPSHOT_BATCH = 200


def pollers(runtime: LiaisonRuntime) -> Sequence[Periodic]:
    deps = runtime.deps

    async def tick() -> bool:
        return await notices.send_due(
            runtime.unit_of_work,
            deps.notifier,
            deps.vault,
            batch=deps.settings.notice_batch,
            max_attempts=deps.settings.notice_max_attempts,
        )

    async def snapshot_tick() -> bool:
        async with runtime.unit_of_work() as uow:
            return await performance.publish_snapshots(uow, deps.evaluation, SNAPSHOT_BATCH)

    return [
        Periodic("liaison-notices", tick, deps.settings.notice_poll_seconds),
        # Quarterly snapshots (履职档案 published): checked every few minutes, so one is
        # out soon after a quarter ends; a snapshot is written once.
        Periodic("liaison-performance-snapshots", snapshot_tick, SNAPSHOT_POLL_SECONDS),
    ]
