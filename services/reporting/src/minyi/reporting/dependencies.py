"""What reporting's handlers, routes and pollers need, typed: built once by
``bootstrap.dependencies`` when the runtime is made."""

from __future__ import annotations

from dataclasses import dataclass, field

from minyi.platform.runtime import Runtime
from minyi.reporting.adapters.live import Bell, Broadcaster
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.adapters.views import LiveViews
from minyi.reporting.adapters.webhooks import WebhookSender
from minyi.reporting.domain.geo import Geography


@dataclass(frozen=True)
class ReportingDeps:
    # The dashboard's reads of the live generation (with the district names).
    views: LiveViews
    # Each new resolution, to this replica's live (SSE) listeners, after its commit.
    resolutions: Broadcaster
    # Rung after a commit that queued webhook deliveries: wakes the delivery poller.
    deliveries_due: Bell
    webhook_sender: WebhookSender
    # "Something changed" ticks (no data) for the public ledger's pages (issue 19).
    public_changes: Broadcaster = field(default_factory=Broadcaster)
    # The city's divisions and townships, and the map's region names (``domain/geo.py``).
    geography: Geography = field(default_factory=Geography)


ReportingRuntime = Runtime[ReportingDeps, ReportingUnitOfWork]
