"""Reporting's composition root."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from minyi.contracts.reference import load_divisions
from minyi.platform.egress import Egress
from minyi.platform.runtime import Runtime, ServiceDefinition
from minyi.reporting.adapters.live import Bell, Broadcaster
from minyi.reporting.adapters.tables import metadata
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.adapters.views import LiveViews
from minyi.reporting.adapters.webhooks import WebhookSender
from minyi.reporting.dependencies import ReportingDeps, ReportingRuntime
from minyi.reporting.domain.geo import Division, Geography
from minyi.reporting.entrypoints import formal, http, ledger, reports
from minyi.reporting.entrypoints.consumers import consumers
from minyi.reporting.entrypoints.pollers import pollers


def dependencies(runtime: Runtime[Any, ReportingUnitOfWork]) -> ReportingDeps:
    divisions = load_divisions()
    districts = {code: d.name for code, d in divisions.items()}
    return ReportingDeps(
        views=LiveViews(runtime.sessions, districts, runtime.clock.now),
        resolutions=Broadcaster(),
        public_changes=Broadcaster(),
        geography=Geography.of(
            Division(d.code, d.name, d.kind, tuple(d.townships)) for d in divisions.values()
        ),
        deliveries_due=Bell(),
        webhook_sender=WebhookSender(Egress.from_setting(runtime.settings.egress_allow)),
    )


def routers(_runtime: ReportingRuntime) -> Sequence[APIRouter]:
    return [http.router, reports.router, formal.router, ledger.router, http.pages]


async def on_start(runtime: ReportingRuntime) -> None:
    async with runtime.unit_of_work() as uow:
        await uow.generations.ensure()


async def on_stop(runtime: ReportingRuntime) -> None:
    await runtime.deps.webhook_sender.close()


SERVICE: ServiceDefinition[ReportingDeps, ReportingUnitOfWork] = ServiceDefinition(
    name="reporting",
    package="minyi.reporting",
    metadata=metadata,
    unit_of_work=ReportingUnitOfWork,
    dependencies=dependencies,
    routers=routers,
    consumers=consumers,
    pollers=pollers,
    on_start=on_start,
    on_stop=on_stop,
    title="Minyi reporting",
)
