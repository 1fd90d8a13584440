"""Reporting's background poller: webhook deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.platform.periodic import Periodic
from minyi.reporting.dependencies import ReportingRuntime
from minyi.reporting.service_layer import webhooks

# A pass finds nothing due: the next one this much later, unless a commit rings first.
DELIVERY_IDLE_SECONDS = 1.0


def pollers(runtime: ReportingRuntime) -> Sequence[Periodic]:
    deps = runtime.deps

    async def deliver() -> bool:
        # Something was delivered: more may be due at once.
        sent = await webhooks.deliver_due(runtime.unit_of_work, deps.webhook_sender, runtime.clock)
        return sent > 0

    poller = Periodic("webhook-deliveries", deliver, DELIVERY_IDLE_SECONDS)
    deps.deliveries_due.connect(poller.wake)
    return [poller]
