"""Reporting's one durable consumer: every event on the stream."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import ALL_EVENTS, durable_name
from minyi.platform.runtime import Consumer
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.dependencies import ReportingRuntime
from minyi.reporting.service_layer.handlers import when_any_event_update_views


async def _expect(events: Sequence[RawEvent], new: set[str], uow: ReportingUnitOfWork) -> None:
    """Tell the views the whole pulled batch first (and which of it is new), so that its
    timeline rows are added and its suggestions' views read in a statement or two, not one
    or two per event."""
    uow.views.expect(events, new)


def consumers(runtime: ReportingRuntime) -> Sequence[Consumer[ReportingUnitOfWork]]:
    deps = runtime.deps

    async def update_views(event: RawEvent, uow: ReportingUnitOfWork) -> None:
        await when_any_event_update_views(event, uow, deps)

    return [Consumer(ALL_EVENTS, durable_name("reporting", "all"), update_views, prepare=_expect)]
