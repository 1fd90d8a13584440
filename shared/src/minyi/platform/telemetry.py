"""OpenTelemetry tracing and JSON logs carrying the trace id."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased


def create_tracer_provider(service: str) -> TracerProvider:
    exporting = bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    # Without an exporter nobody reads the spans: do not record them (a recorded span per
    # request and per message is a real share of a service's CPU), but still create and
    # propagate trace ids, so logs carry them. With an exporter, OTEL_TRACES_SAMPLER /
    # OTEL_TRACES_SAMPLER_ARG choose (default: everything).
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", f"minyi-{service}")}
        ),
        sampler=None if exporting else ParentBased(ALWAYS_OFF),
    )
    if exporting:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


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
