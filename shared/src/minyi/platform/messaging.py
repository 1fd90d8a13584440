"""The NATS broker, the one stream declaration, and durable pull consumers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
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

# How long the server waits for an ack before redelivering is ``ack_wait_seconds``. How often it tries, and the
# delays between tries, are settings (``max_deliver``, ``retry_delays``): the delays go
# with each NAK, because a consumer-level ``backoff`` would also replace ``ack_wait`` and
# redeliver slow-but-healthy handlers.
# What the server lets one process hold unacknowledged, and as many workers: no message
# waits in a local queue (a held one is kept in progress: ``minyi.platform.consuming.held``), and a
# backlog waits in JetStream. Several group commits' worth (a group is at most 500), so
# the next group fills while one commits (with 256 the SQLite pipeline missed the 100/s
# step of one `make bench` run; with 1024 it kept up).
MAX_ACK_PENDING = 1024
DLQ_STREAM = "MINYI_DLQ"
# The server announces each message that ran out of deliveries here; MINYI_DLQ keeps
# those advisories (the message itself stays in MINYI, by its sequence number).
DLQ_SUBJECTS = [f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{subjects.STREAM_NAME}.>"]


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
        # Retry forever: a NATS restart must not kill a service (docs/NATS.md, trap 10).
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
    workers: int = MAX_ACK_PENDING,
    filter_subjects: Sequence[str] = (),
) -> None:
    """Register ``handler`` as the FastStream subscriber of a durable: what the service's
    AsyncAPI document lists and what the in-memory ``TestNatsBroker`` delivers to, one
    message at a time. A running service never starts it: it pulls in batches
    (``minyi.platform.consuming.pulling``); ``workers`` bounds the in-memory handling.
    """
    broker.subscriber(
        subject,
        stream=stream(settings),
        durable=durable,
        queue=durable,
        max_workers=workers,
        config=ConsumerConfig(
            ack_policy=JsAckPolicy.EXPLICIT, **wanted_config(settings, filter_subjects)
        ),
        # A failing handler is NACKed and redelivered with back-off, never silently dropped
        # (FastStream's default would terminate it: docs/NATS.md, trap 1).
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )(handler)


async def declare_stream(broker: NatsBroker, settings: Settings) -> None:
    """Declare MINYI on a connected broker, as ``NatsBroker.start`` does for a subscriber's
    stream: the same ``stream()`` and subjects, so the declaration stays identical in every
    service (docs/NATS.md, trap 3). A service with no consumers declares nothing through
    FastStream, and its outbox could never be published to a fresh server."""
    from nats.js.errors import BadRequestError

    js = broker.config.connection_state.stream
    config = stream(settings).config
    wanted = list(subjects.STREAM_SUBJECTS)
    try:
        await js.add_stream(config=config, subjects=wanted)
    except BadRequestError as exc:
        if exc.description != "stream name already in use with a different configuration":
            raise
        # What FastStream does then: bring the stream to the one declaration.
        log.warning("stream %s differed from the declaration; updating it", config.name)
        await js.update_stream(config=config, subjects=wanted)


async def declare_dead_letter_stream(broker: NatsBroker) -> None:
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    js = broker.config.connection_state.stream
    config = StreamConfig(
        name=DLQ_STREAM,
        subjects=DLQ_SUBJECTS,
        storage=StorageType.FILE,
        max_age=subjects.MAX_AGE.total_seconds(),
    )
    try:
        await js.stream_info(DLQ_STREAM)
    except NotFoundError:
        await js.add_stream(config)


def wanted_config(settings: Settings, filter_subjects: Sequence[str] = ()) -> dict[str, Any]:
    """The consumer settings a service asks for (and ``ensure_pull_durable`` enforces)."""
    return {
        "ack_wait": settings.ack_wait_seconds,
        "max_deliver": settings.max_deliver,
        "max_ack_pending": MAX_ACK_PENDING,
        "filter_subjects": list(filter_subjects) or None,
    }
