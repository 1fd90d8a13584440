"""Dead letters: events a consumer gave up on, kept with their error for an operator."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.db import insert_or_ignore
from minyi.platform.messaging import DLQ_STREAM

if TYPE_CHECKING:
    from minyi.platform.runtime import Consumer, Runtime, UnitOfWork

log = logging.getLogger(__name__)


async def record(
    runtime: Runtime[Any, Any],
    consumer: str,
    event: RawEvent,
    subject: str,
    stream_seq: int | None,
    deliveries: int,
    error: BaseException,
) -> None:
    """Best effort, in a transaction of its own: the store may be what failed."""
    table = runtime.dead_letters
    message = f"{type(error).__name__}: {error}"[:2000]
    try:
        async with runtime.sessions.begin() as session:
            added = await insert_or_ignore(
                session,
                table,
                {
                    "event_id": event.id,
                    "consumer": consumer,
                    "subject": subject,
                    "event_type": event.type,
                    "stream_seq": stream_seq,
                    "deliveries": deliveries,
                    "error": message,
                    "failed_at": datetime.now(UTC),
                    "replayed_at": None,
                },
            )
            if not added:
                await session.execute(
                    update(table)
                    .where(
                        table.c.event_id == event.id,
                        table.c.consumer == consumer,
                    )
                    .values(
                        replayed_at=None,
                        deliveries=deliveries,
                        failed_at=datetime.now(UTC),
                        error=message,
                    )
                )
    except Exception:
        log.exception("could not record dead letter %s for %s", event.id, consumer)


async def pending(runtime: Runtime[Any, Any]) -> list[dict[str, object]]:
    table = runtime.dead_letters
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(table).where(table.c.replayed_at.is_(None)).order_by(table.c.failed_at)
        )
        return [dict(r) for r in rows.mappings()]


async def replay(runtime: Runtime[Any, Any], event_id: str | None = None) -> list[str]:
    """Re-drive pending dead letters (all, or one event) through their consumer's handler,
    exactly as a delivery would (inbox, group commit, outbox); returns the replayed ids.

    The event is read back from the stream by its sequence number; the server's advisory
    in MINYI_DLQ is deleted once the replay committed."""
    consumers = {c.durable: c for c in runtime.consumers}
    js = runtime.broker.config.connection_state.stream
    done: list[str] = []
    for letter in await pending(runtime):
        if event_id and letter["event_id"] != event_id:
            continue
        consumer = consumers.get(str(letter["consumer"]))
        if consumer is None or letter["stream_seq"] is None:
            log.warning(
                "cannot replay %s: no consumer %s here or no stream sequence",
                letter["event_id"],
                letter["consumer"],
            )
            continue
        stored = await js.get_msg(STREAM_NAME, int(str(letter["stream_seq"])))
        event = RawEvent.model_validate_json(stored.data or b"")

        async def work(uow: UnitOfWork, c: Consumer[Any] = consumer, e: RawEvent = event) -> None:
            await c.handle_once(e, uow)

        await runtime.committer.submit(work)
        async with runtime.sessions.begin() as session:
            table = runtime.dead_letters
            await session.execute(
                update(table)
                .where(
                    table.c.event_id == event.id,
                    table.c.consumer == consumer.durable,
                )
                .values(replayed_at=datetime.now(UTC))
            )
        await _delete_advisory(js, consumer.durable, int(str(letter["stream_seq"])))
        done.append(event.id)
    while await runtime.relay.relay_once():
        pass  # publish what the replayed handlers emitted
    return done


async def _delete_advisory(js: object, durable: str, stream_seq: int) -> None:
    try:
        info = await js.stream_info(DLQ_STREAM)  # type: ignore[attr-defined]
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                msg = await js.get_msg(DLQ_STREAM, seq)  # type: ignore[attr-defined]
            except Exception:
                continue
            advisory = json.loads(msg.data or b"{}")
            if advisory.get("consumer") == durable and advisory.get("stream_seq") == stream_seq:
                await js.delete_msg(DLQ_STREAM, seq)  # type: ignore[attr-defined]
    except Exception:
        log.warning(
            "could not delete the MINYI_DLQ advisory of %s/%d", durable, stream_seq, exc_info=True
        )
