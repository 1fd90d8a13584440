"""The NATS broker, the one stream declaration, and durable pull consumers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.nats import AckPolicy as JsAckPolicy
from faststream.nats import (
    ConsumerConfig,
    JStream,
    NatsBroker,
    NatsUserPassword,
    StorageType,
)
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.prometheus import NatsPrometheusMiddleware
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry

from minyi.contracts import subjects
from minyi.platform.settings import Settings

log = logging.getLogger(__name__)

# How long the server waits for an ack before redelivering, and how often it tries before
# the message becomes a dead letter (an advisory an operator can replay from).
ACK_WAIT_SECONDS = 30.0
MAX_DELIVER = 8
# Delays between redeliveries of a failing message (given with each NAK; a consumer-level
# ``backoff`` would also replace ``ack_wait`` and redeliver slow-but-healthy handlers).
NAK_DELAYS_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
MAX_ACK_PENDING = 2000


def stream(settings: Settings) -> JStream:
    return JStream(
        name=subjects.STREAM_NAME,
        subjects=list(subjects.STREAM_SUBJECTS),
        storage=StorageType.FILE,
        duplicate_window=subjects.DUPLICATE_WINDOW.total_seconds(),
        max_age=subjects.MAX_AGE.total_seconds(),
        num_replicas=settings.stream_replicas,
    )


def create_broker(
    settings: Settings, tracer_provider: TracerProvider, registry: CollectorRegistry
) -> NatsBroker:
    return NatsBroker(
        servers=[s.strip() for s in settings.nats_url.split(",")],
        security=(
            NatsUserPassword(settings.nats_user, settings.nats_password or "")
            if settings.nats_user
            else None
        ),
        name=f"minyi-{settings.service}",
        # Retry forever: a NATS restart must not kill a service (NATS notes, 10).
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        middlewares=(
            NatsTelemetryMiddleware(tracer_provider=tracer_provider),
            NatsPrometheusMiddleware(registry=registry, app_name=f"minyi_{settings.service}"),
        ),
        log_level=logging.DEBUG,
        # Faststream acks after the handler returns; our handlers commit before returning.
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )


Handler = Callable[..., Awaitable[Any]]


def durable_consumer(
    broker: NatsBroker,
    settings: Settings,
    *,
    subject: str,
    durable: str,
    handler: Handler,
    workers: int = 128,
) -> None:
    """Register ``handler`` on a durable consumer shared by all replicas of a service.

    A push consumer with a deliver group: messages arrive as soon as they are stored (a
    pull batch waits for its timeout when partly filled — NATS notes, trap 12), every
    replica in the group shares the work, and ``max_ack_pending`` bounds what is in flight,
    so a backlog waits in JetStream rather than in a process's memory. ``workers``
    messages are handled concurrently, which is what lets the group commit batch them.
    """
    broker.subscriber(
        subject,
        stream=stream(settings),
        durable=durable,
        queue=durable,
        max_workers=workers,
        config=ConsumerConfig(
            ack_policy=JsAckPolicy.EXPLICIT,
            ack_wait=ACK_WAIT_SECONDS,
            max_deliver=MAX_DELIVER,
            max_ack_pending=MAX_ACK_PENDING,
        ),
        # A failing handler is NACKed and redelivered with back-off, never silently dropped
        # (FastStream's default would terminate it: NATS notes, trap 1).
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )(handler)
