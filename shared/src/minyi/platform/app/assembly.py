"""The app assembly: a service's definition becomes a running FastAPI app with its
consumers, pollers, health and metrics endpoints, audit log and error mapping."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from faststream.specification import AsyncAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from minyi.contracts.envelope import CloudEvent
from minyi.platform import migrations
from minyi.platform.app import audit, errors, health, signin
from minyi.platform.app.body_limit import BodyLimit
from minyi.platform.consuming.connect import connect
from minyi.platform.consuming.held import HeldMessages
from minyi.platform.consuming.policy import subscribe
from minyi.platform.runtime import Runtime, ServiceDefinition, new_runtime
from minyi.platform.settings import Settings
from minyi.platform.tasks import stop_tasks
from minyi.platform.telemetry import TraceIds, configure_logging, exporting

log = logging.getLogger(__name__)


class ServiceApp(FastAPI):
    """FastAPI, with the one error shape in its OpenAPI document."""

    def openapi(self) -> dict[str, Any]:
        if not self.openapi_schema:
            self.openapi_schema = errors.openapi_document(self)
        return self.openapi_schema


def build_runtime(definition: ServiceDefinition[Any, Any], settings: Settings) -> Runtime[Any, Any]:
    """A runtime with its consumers registered on the broker (for in-process tests and
    operator commands; ``create_app`` also starts it)."""
    return _assemble(definition, settings)[0]


def _assemble(
    definition: ServiceDefinition[Any, Any], settings: Settings
) -> tuple[Runtime[Any, Any], HeldMessages]:
    runtime = new_runtime(definition, settings)
    held = subscribe(runtime)
    for model in definition.publishes:
        runtime.broker.publisher(
            model.subject_name,
            title=model.event_type,
            description=(model.__doc__ or "").strip(),
            schema=CloudEvent[model],  # type: ignore[valid-type]
        )
    return runtime, held


# Allocations (less deallocations) between two collections of the youngest generation. At
# the default 700, the objects of 64 filings in flight tripped it every few requests and the
# older generations followed: 12 % of intake's CPU at full load (gc.callbacks, 98 µs per
# filing), against 1–3 µs at 7,000; a consumer's batch is the same story (routing's replay
# 7 % less CPU). Cyclic garbage waits a little longer: a few MB at most.
GC_THRESHOLD = (7000, 10, 10)
_heap_frozen = False


def freeze_startup_heap() -> None:
    """Move what startup left on the heap (modules, app, runtime, models: 150,000–170,000
    objects) out of the garbage collector's reach, once per process (a test process starts
    many apps). A full collection otherwise walks them all: 45–65 ms in intake, routing and
    supervision on the 2-core reference box, 80–130 ms in reporting, landing inside
    whichever request or batch allocated the most; after it, well under 1 ms."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def create_app(definition: ServiceDefinition[Any, Any], settings: Settings) -> FastAPI:
    configure_logging(definition.name, settings.log_level)
    runtime, held = _assemble(definition, settings)
    pollers = list(definition.pollers(runtime))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gc.set_threshold(*GC_THRESHOLD)
        await migrations.upgrade(runtime.engine, definition.package)
        if definition.on_start:
            await definition.on_start(runtime)
        freeze_startup_heap()
        connecting = asyncio.create_task(connect(runtime, held), name="nats-connect")
        runtime.relay.start()
        held.start()
        for poller in pollers:
            poller.start()
        log.info("%s listening on http://%s:%d", definition.name, settings.http_host, settings.port)
        try:
            yield
        finally:
            await stop_tasks(connecting)
            for poller in pollers:
                await poller.stop()
            await runtime.relay.stop()
            await held.stop()
            await runtime.committer.stop()
            if definition.on_stop:
                await definition.on_stop(runtime)
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await runtime.engine.dispose()
            runtime.tracer_provider.shutdown()

    app = ServiceApp(
        title=definition.title or f"Minyi {definition.name}",
        lifespan=lifespan,
        version="0.1.0",
        # The platform traces with its own provider (TraceIds, or the instrumentation when
        # exporting) and sets no global one, so FastAPI's native telemetry never turns on;
        # but asking whether it should, on every request, was 3 % of intake's CPU (py-spy).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.include_router(signin.router)
    errors.install(app)
    spec = AsyncAPI(runtime.broker, title=app.title, version=app.version)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> Response:
        """The service's events, machine-readable (AsyncAPI, generated by FastStream)."""
        return Response(spec.to_specification().to_json(), media_type="application/json")

    for router in definition.routers(runtime):
        app.include_router(router)
    # 413 for any body past the limit, once per request (body_limit.py says why not FastAPI's
    # ``max_body_size``); intake's own guard is stricter for its public endpoints. Inside the
    # audit middleware, so that refusals are recorded too.
    app.add_middleware(BodyLimit, max_body_size=settings.max_body_bytes)
    # Every POST/PUT/PATCH/DELETE is recorded; GET /v1/audit lets the admin read it.
    audit.install(app, runtime)
    if exporting():
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=runtime.tracer_provider,
            excluded_urls="healthz,livez,readyz,metrics",
        )
    else:
        # Nobody reads spans: trace ids for the logs and events only (telemetry.TraceIds).
        app.add_middleware(TraceIds)
    return app
