"""OpenTelemetry tracing and JSON logs carrying the trace id."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from starlette.types import ASGIApp, Receive, Scope, Send

# The W3C headers a caller's trace arrives in (ASGI gives header names lower-case, bytes).
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})
_IDS = RandomIdGenerator()
T = TypeVar("T")
U = TypeVar("U")


def exporting() -> bool:
    """True when spans go somewhere (an OTLP endpoint is configured)."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def create_tracer_provider(service: str) -> TracerProvider:
    exporting_spans = exporting()
    # Without an exporter nobody reads the spans: do not record them (a recorded span per
    # request and per message is a real share of a service's CPU), but still create and
    # propagate trace ids, so logs carry them. With an exporter, OTEL_TRACES_SAMPLER /
    # OTEL_TRACES_SAMPLER_ARG choose (default: everything).
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", f"minyi-{service}")}
        ),
        sampler=None if exporting_spans else ParentBased(ALWAYS_OFF),
    )
    if exporting_spans:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


class TraceIds:
    """ASGI middleware for when no exporter is configured, in place of the FastAPI
    instrumentation: each HTTP request runs under a trace context (the caller's
    ``traceparent`` continued, else new ids) so that its logs and the events it emits carry
    a trace id. No span is made: the instrumentation's non-recording span still collected
    its attributes and wrapped every send and receive (18 % of intake's samples at full
    load, py-spy, 2026-12-06)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = context.attach(trace.set_span_in_context(trace.NonRecordingSpan(_ids_for(scope))))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


def _ids_for(scope: Scope) -> trace.SpanContext:
    """A new span id in the caller's trace, or in a new trace (not sampled: nothing records)."""
    carrier = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name in _TRACE_HEADERS
    }
    parent = (
        trace.get_current_span(propagate.extract(carrier)).get_span_context() if carrier else None
    )
    if parent is not None and parent.is_valid:
        return trace.SpanContext(
            parent.trace_id,
            _IDS.generate_span_id(),
            is_remote=False,
            trace_flags=parent.trace_flags,
            trace_state=parent.trace_state,
        )
    return trace.SpanContext(_IDS.generate_trace_id(), _IDS.generate_span_id(), is_remote=False)


def in_callers_trace(work: Callable[[U], Awaitable[T]]) -> Callable[[U], Awaitable[T]]:
    """``work`` to run under the trace context current here, wherever it is awaited. The
    group commit runs units in its own task, which holds the context of whichever request
    started it: without this, every event it emits names that first request's trace."""
    caller = context.get_current()

    async def run(arg: U) -> T:
        token = context.attach(caller)
        try:
            return await work(arg)
        finally:
            context.detach(token)

    return run


@contextlib.contextmanager
def in_trace_of(traceparent: str | None, name: str, provider: TracerProvider) -> Iterator[None]:
    """Handle an event under the trace it arrived with: its logs and the events its handler
    emits continue the trace of the request that caused it. A span (``name``) only when an
    exporter reads it; otherwise the caller's context alone (no per-event span to build)."""
    if not traceparent:
        yield
        return
    caller = propagate.extract({"traceparent": traceparent})
    if exporting():
        with provider.get_tracer(__name__).start_as_current_span(
            name, context=caller, kind=trace.SpanKind.CONSUMER
        ):
            yield
        return
    token = context.attach(caller)
    try:
        yield
    finally:
        context.detach(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = format(ctx.trace_id, "032x")
            entry["span_id"] = format(ctx.span_id, "016x")
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line per message or request costs throughput (docs/NATS.md, trap 13): keep those at DEBUG.
    for noisy in ("uvicorn.access", "faststream.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
