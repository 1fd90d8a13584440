"""Liaison's background poller: notices to citizens who booked (the reminder the day
before, a freed place, a cancelled reception, a referred matter's tracking code)."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.liaison.dependencies import LiaisonRuntime
from minyi.liaison.service_layer import notices
from minyi.platform.periodic import Periodic


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

    return [Periodic("liaison-notices", tick, deps.settings.notice_poll_seconds)]
