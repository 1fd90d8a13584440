"""Connecting a service to NATS: retried forever in the background, so the HTTP side serves
(and the outbox fills) while NATS is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from minyi.platform.messaging import (
    declare_dead_letter_stream,
    declare_stream,
    reconcile_consumer,
)
from minyi.platform.runtime import Runtime

log = logging.getLogger(__name__)


async def connect(runtime: Runtime[Any, Any]) -> None:
    """Connect, declare the stream and the dead-letter stream, and bring the durables to
    this release's settings; retry until it works (stopped through ``tasks.stop_tasks``).

    The stream is declared by every service, consumers or not: FastStream declares it only
    for a subscriber's sake, and a publish-only service (liaison) on a fresh server would
    otherwise leave its events in the outbox forever."""
    delay = 0.5
    while True:
        try:
            await runtime.broker.start()
            await declare_stream(runtime.broker, runtime.settings)
            await declare_dead_letter_stream(runtime.broker)
            for consumer in runtime.consumers:
                try:
                    await reconcile_consumer(
                        runtime.broker, runtime.settings, consumer.durable, consumer.filter_subjects
                    )
                except Exception as exc:  # an older server or a narrower permission
                    log.warning("consumer %s keeps its settings: %r", consumer.durable, exc)
            runtime.broker_started = True
            log.info("connected to NATS at %s", runtime.settings.nats_url)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("NATS not reachable yet (%s); retrying in %.1fs", exc, delay)
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
