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
from nats.aio.msg import Msg
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
    the app starts and stops with the service.

    The broker's subscribers are what the AsyncAPI document lists and what FastStream's
    in-memory ``TestNatsBroker`` delivers to, one message at a time. A running service
    never starts them (``connect`` connects the broker without starting its
    subscribers): it consumes in batches, one ``PullLoop`` per durable."""
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
    """One message through FastStream (the in-memory test broker): the same policy as a
    message of a failed batch (``handle_alone``)."""

    async def handle() -> None:
        # The message from the broker's context, not a ``Context("message")`` parameter:
        # FastStream resolves those in a worker thread, a thread hop per message.
        msg: NatsMessage = runtime.broker.context.get_local("message")
        try:
            event = RawEvent.model_validate_json(msg.body)
        except ValidationError as exc:
            log.error(
                "terminating a message that is no CloudEvent on %s: %s", consumer.subject, exc
            )
            raise RejectMessage() from exc
        if consumer.types is not None and event.type not in consumer.types:
            return
        with held.hold(msg.raw_message):
            verdict = await _apply(
                runtime, consumer, event, *_delivery_of(msg.raw_message), msg.raw_message.subject
            )
        if verdict is not None:
            raise NackMessage(delay=verdict) if verdict else NackMessage()

    handle.__name__ = consumer.durable
    return handle


async def handle_alone(
    runtime: Runtime[Any, Any], consumer: Consumer[Any], msg: Msg, event: RawEvent
) -> None:
    """One message of a batch that failed, in a transaction of its own; acked once it
    committed, otherwise NAKed with the retry delay (or dead-lettered on its last delivery)."""
    verdict = await _apply(runtime, consumer, event, *_delivery_of(msg), msg.subject)
    if verdict is None:
        await settle_quietly(msg.ack())
    else:
        await settle_quietly(msg.nak(delay=verdict) if verdict else msg.nak())


async def settle_quietly(settling: Awaitable[None]) -> None:
    """An ack, nak or term that cannot be sent (disconnected) is the server's to redo: the
    message comes again after ``ack_wait`` and the inbox skips what was applied."""
    try:
        await settling
    except Exception as exc:
        log.debug("could not settle a message: %r", exc)


async def _apply(
    runtime: Runtime[Any, Any],
    consumer: Consumer[Any],
    event: RawEvent,
    delivered: int,
    seq: int | None,
    subject: str,
) -> float | None:
    """Handle ``event`` once; None when it committed, else the NAK delay (0: none, the
    last delivery — the server then announces it to MINYI_DLQ)."""
    work = lambda uow: consumer.handle_once(event, uow)  # noqa: E731
    try:
        await runtime.committer.submit(work)
        return None
    except Exception as exc:
        if store_down(exc):
            # Not this event's fault: hold it (no delivery used up) until the store is
            # back, so an outage longer than the retry budget makes no dead letters.
            await retry_while_store_down(runtime, consumer, work)
            return None
        delays = runtime.settings.retry_delay_seconds
        if delivered >= runtime.settings.max_deliver:
            log.exception(
                "%s (%s) failed on its last delivery; it is a dead letter now",
                event.id,
                event.type,
            )
            await dead_letters.record(
                runtime, consumer.durable, event, subject, seq, delivered, exc
            )
            return 0.0
        delay = delays[min(delivered - 1, len(delays) - 1)]
        log.exception(
            "handling %s (%s) on %s failed (delivery %d); retry in %.1fs",
            event.id,
            event.type,
            consumer.durable,
            delivered,
            delay,
        )
        return delay


async def retry_while_store_down(
    runtime: Runtime[Any, Any], consumer: Consumer[Any], work: Callable[[Any], Awaitable[None]]
) -> None:
    # Held, it stays in progress on the server (``HeldMessages``): no delivery is used up.
    delay = 0.5
    log.warning("store unavailable while handling on %s; holding what it has", consumer.durable)
    while True:
        await asyncio.sleep(delay)
        try:
            await runtime.committer.submit(work)
            return
        except Exception as exc:
            if not store_down(exc):
                raise
            delay = min(delay * 2, 5.0)


def _delivery_of(msg: Msg) -> tuple[int, int | None]:
    """How often this message was delivered, and its stream sequence."""
    try:
        meta = msg.metadata
        return int(meta.num_delivered), int(meta.sequence.stream)
    except Exception:  # TestNatsBroker has no JetStream metadata
        return 1, None
