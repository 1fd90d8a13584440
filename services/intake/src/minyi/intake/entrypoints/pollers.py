"""Intake's background work, driven by time: delivering citizen notifications."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.intake.dependencies import IntakeRuntime
from minyi.intake.service_layer.notifications import deliver_due
from minyi.platform.periodic import Periodic


def pollers(runtime: IntakeRuntime) -> Sequence[Periodic]:
    deps = runtime.deps

    async def deliver_notifications() -> None:
        await deliver_due(
            runtime.unit_of_work,
            deps.vault,
            deps.notifier,
            runtime.clock.now(),
            max_attempts=deps.settings.notify_max_attempts,
        )

    return [
        Periodic(
            "intake-notifications", deliver_notifications, every=deps.settings.notify_poll_seconds
        )
    ]
