"""How a consumer treats each message: once each (the inbox), inside the service's group
commit, acked only after that commit; a failing handler retried with a growing delay and
dead-lettered on its last delivery; a message held (not retried) while the store is down;
a message that is no CloudEvent terminated."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.exceptions import NackMessage, RejectMessage
from faststream.nats.message import NatsMessage
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError

from minyi.contracts.envelope import RawEvent
from minyi.platform.consuming import dead_letters
from minyi.platform.consuming.held import HeldMessages
from minyi.platform.errors import StoreUnavailable
from minyi.platform.messaging import durable_consumer
from minyi.platform.runtime import Consumer, Runtime

log = logging.getLogger(__name__)

# What a store that is down or unreachable raises: a request is refused with 503 rather
# than accepted without being stored, and a message is held rather than retried (an
# IntegrityError stays a bug or a 409, never a 503).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    StoreUnavailable,
    OperationalError,
    InterfaceError,
    SATimeoutError,
    ConnectionError,
    OSError,
)


def store_down(exc: BaseException) -> bool:
    """The store is unreachable (not this event's or request's fault)."""
    return isinstance(exc, DATABASE_DOWN) or (
        isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
    )


def subscribe(runtime: Runtime[Any, Any]) -> HeldMessages:
    """Register the service's consumers on its broker; returns the held-message heartbeat
    the app starts and stops with the service."""
    held = HeldMessages(runtime.settings.ack_wait_seconds)
    for consumer in runtime.consumers:
        durable_consumer(
            runtime.broker,
            runtime.settings,
            subject=consumer.subject,
            durable=consumer.durable,
            handler=_message_handler(runtime, held, consumer),
            filter_subjects=consumer.filter_subjects,
        )
    return held


def _message_handler(
    runtime: Runtime[Any, Any], held: HeldMessages, consumer: Consumer[Any]
) -> Callable[..., Awaitable[None]]:
    """Each message is handled in the service's group commit: messages arriving together
    share one transaction; each is acked only after its transaction committed."""

    async def handle() -> None:
        # The message from the broker's context, not a ``Context("message")`` parameter:
        # FastStream resolves those in a worker thread, a thread hop per message.
        msg: NatsMessage = runtime.broker.context.get_local("message")
        with held.hold(msg.raw_message):
            await handle_held(msg)

    async def handle_held(msg: NatsMessage) -> None:
        try:
            event = RawEvent.model_validate_json(msg.body)
        except ValidationError as exc:
            # Not an envelope at all: retrying cannot help. Terminate it; the server's
            # advisory lets an operator find it.
            log.error(
                "terminating a message that is no CloudEvent on %s: %s", consumer.subject, exc
            )
            raise RejectMessage() from exc
        if consumer.types is not None and event.type not in consumer.types:
            return
        try:
            await runtime.committer.submit(lambda uow: consumer.handle_once(event, uow))
        except Exception as exc:
            if store_down(exc):
                # Not this event's fault: hold it (no delivery used up) until the store is
                # back, so an outage longer than the retry budget makes no dead letters.
                await _retry_while_store_down(runtime, consumer, event)
                return
            delivered, seq = _delivery_of(msg)
            delays = runtime.settings.retry_delay_seconds
            if delivered >= runtime.settings.max_deliver:
                log.exception(
                    "%s (%s) failed on its last delivery; it is a dead letter now",
                    event.id,
                    event.type,
                )
                await dead_letters.record(
                    runtime, consumer.durable, event, msg.raw_message.subject, seq, delivered, exc
                )
                raise NackMessage() from exc  # the server then announces it to MINYI_DLQ
            delay = delays[min(delivered - 1, len(delays) - 1)]
            log.exception(
                "handling %s (%s) on %s failed (delivery %d); retry in %.1fs",
                event.id,
                event.type,
                consumer.durable,
                delivered,
                delay,
            )
            raise NackMessage(delay=delay) from exc

    handle.__name__ = consumer.durable
    return handle


async def _retry_while_store_down(
    runtime: Runtime[Any, Any], consumer: Consumer[Any], event: RawEvent
) -> None:
    # Held, it stays in progress on the server (``HeldMessages``): no delivery is used up.
    delay = 0.5
    log.warning("store unavailable while handling %s on %s; holding it", event.id, consumer.durable)
    while True:
        await asyncio.sleep(delay)
        try:
            await runtime.committer.submit(lambda uow: consumer.handle_once(event, uow))
            return
        except Exception as exc:
            if not store_down(exc):
                raise
            delay = min(delay * 2, 5.0)


def _delivery_of(msg: NatsMessage) -> tuple[int, int | None]:
    """How often this message was delivered, and its stream sequence."""
    try:
        meta = msg.raw_message.metadata
        return int(meta.num_delivered), int(meta.sequence.stream)
    except Exception:  # TestNatsBroker has no JetStream metadata
        return 1, None
