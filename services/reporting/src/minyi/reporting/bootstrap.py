"""Reporting's composition root."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.platform.service import Consumer, Runtime, ServiceDefinition
from minyi.reporting.adapters import store
from minyi.reporting.adapters.tables import metadata
from minyi.reporting.adapters.webhooks import DeliveryWorker
from minyi.reporting.entrypoints import http
from minyi.reporting.service_layer.handlers import when_any_event_update_views
from minyi.reporting.service_layer.live import Broadcaster

PACKAGE = "minyi.reporting"


def prepare(runtime: Runtime) -> None:
    runtime.extras["resolutions"] = Broadcaster()
    runtime.extras["deliveries_wake"] = asyncio.Event()


def consumers(_runtime: Runtime) -> Sequence[Consumer]:
    return [
        Consumer(
            subjects.ALL_EVENTS,
            subjects.durable_name("reporting", "all"),
            when_any_event_update_views,
        )
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router, http.pages]


_heap_frozen = False


def freeze_startup_heap() -> None:
    """Move what startup left on the heap (modules, app, runtime: ~140,000 objects) out of
    the garbage collector's reach, once per process. A full collection otherwise walks all of
    them, which took 80-130 ms on the 2-core reference box and landed inside whichever
    dashboard request allocated the most (the p95 of the heat map and representatives)."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


async def on_start(runtime: Runtime) -> None:
    async with runtime.sessions() as s, s.begin():
        await store.ensure_state(s)
    worker = DeliveryWorker(runtime.sessions, runtime.clock, runtime.extras["deliveries_wake"])
    worker.start()
    runtime.extras["deliveries"] = worker
    freeze_startup_heap()


async def on_stop(runtime: Runtime) -> None:
    worker: DeliveryWorker | None = runtime.extras.get("deliveries")
    if worker is not None:
        await worker.stop()


SERVICE = ServiceDefinition(
    name="reporting",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    on_start=on_start,
    on_stop=on_stop,
    title="Minyi reporting",
)
