"""What reporting's handlers, routes and pollers need, typed: built once by
``bootstrap.dependencies`` when the runtime is made."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.platform.runtime import Runtime
from minyi.reporting.adapters.live import Bell, Broadcaster
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.adapters.views import LiveViews
from minyi.reporting.adapters.webhooks import WebhookSender


@dataclass(frozen=True)
class ReportingDeps:
    # The dashboard's reads of the live generation (with the district names).
    views: LiveViews
    # Each new resolution, to this replica's live (SSE) listeners, after its commit.
    resolutions: Broadcaster
    # Rung after a commit that queued webhook deliveries: wakes the delivery poller.
    deliveries_due: Bell
    webhook_sender: WebhookSender


ReportingRuntime = Runtime[ReportingDeps, ReportingUnitOfWork]
