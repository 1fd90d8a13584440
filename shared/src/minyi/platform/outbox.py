"""Transactional outbox: events are written with the state change, then relayed to JetStream.

A row is published with a publish-ack and ``Nats-Msg-Id`` = event id, then deleted. A crash
between commit and publish loses nothing (the row waits); a crash between publish and delete
republishes, which JetStream's duplicate window and the consumers' inboxes absorb.

The process that writes a row claims it as it inserts it (``claimed_until``, a lease) and,
once the transaction committed, publishes it from memory (``OutboxRelay.hand_over``): no
statement claims it and no wait for the store's writer comes between the commit and the
publish. A row whose writer died, or whose publish failed, is claimed from the table by any
replica's relay when its lease ends (at once after a failed publish).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from faststream.nats import NatsBroker
from opentelemetry import propagate
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from minyi.contracts.envelope import CloudEvent
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.db import is_sqlite
from minyi.platform.driver_sql import DriverStatement, compile_for, insert_many, utc_for_driver
from minyi.platform.periodic import Periodic
from minyi.platform.sql_lists import ValueList, in_list

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"
PUBLISH_TIMEOUT_SECONDS = 5.0
# nats-py's bound on a JetStream context's unacknowledged async publishes (its default,
# which ``create_broker`` keeps).
ASYNC_PUBLISHES_IN_FLIGHT = 4000


def outbox_row(event: CloudEvent[Any], subject: str) -> dict[str, Any]:
    headers: dict[str, str] = {}
    propagate.inject(headers)  # keep the trace of the request that caused the event
    payload = event.model_copy(update={"traceparent": headers.get("traceparent")})
    return {
        "event_id": event.id,
        "subject": subject,
        # What model_dump_json() does, without decoding to str and encoding back.
        "payload": payload.__pydantic_serializer__.to_json(payload),
        "headers": headers,
        "created_at": datetime.now(UTC),
        "attempts": 0,
        "claimed_until": None,
    }


_OUTBOX_COLUMNS = (
    "event_id", "subject", "payload", "headers", "created_at", "attempts", "claimed_until",
)  # fmt: skip


class Unpublished(NamedTuple):
    """A row to publish: claimed from the table, or handed over by its writer."""

    event_id: str
    subject: str
    payload: bytes
    headers: dict[str, str] | None


async def add_to_outbox(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    claimed_until: datetime | None = None,
) -> None:
    """``outbox_row``s into the outbox straight to the driver (``insert_many``): every event
    of every service goes this way, and SQLAlchemy's per-row parameter handling cost more
    than the insert. Values as the column types hand them over (headers as JSON text).
    ``claimed_until``: the writer's lease, when it publishes them itself after the commit."""
    if rows:
        dialect = session.get_bind().dialect
        lease = None if claimed_until is None else utc_for_driver(claimed_until, dialect)
        await insert_many(
            session,
            table,
            _OUTBOX_COLUMNS,
            [
                (
                    r["event_id"],
                    r["subject"],
                    r["payload"],
                    json.dumps(r["headers"]),
                    utc_for_driver(r["created_at"], dialect),
                    r["attempts"],
                    lease,
                )
                for r in rows
            ],
        )


async def delete_published(session: AsyncSession, table: Table, event_ids: Sequence[str]) -> None:
    """Delete the rows of ``event_ids`` (published) in ``session``'s transaction: straight
    to the driver (``driver_sql``), as most transactions of every consumer do it."""
    if event_ids:
        connection = await session.connection()
        await _deleting(connection.dialect, table).run_many(connection, [(list(event_ids),)])


_DELETING: dict[tuple[str, str], DriverStatement] = {}


def _deleting(dialect: Dialect, table: Table) -> DriverStatement:
    # One statement whatever the number of ids (``in_list``): built and prepared once.
    key = (dialect.name, table.name)
    found = _DELETING.get(key)
    if found is None:
        statement = delete(table).where(in_list(table.c.event_id, "ids"))
        ids = {"ids": ValueList(table.c.event_id.type)}
        found = _DELETING[key] = compile_for(statement, dialect, ("ids",), ids)
    return found


def _waiting(table: Table) -> ColumnElement[bool]:
    """Rows any relay may claim at ``:now``: never claimed, or their lease ended."""
    c = table.c
    return c.claimed_until.is_(None) | (c.claimed_until < bindparam("now"))


@functools.cache
def _claimable(table: Table) -> Select[Any]:
    # Whether any row waits for a relay: a read, built once (its cache key with it).
    return select(table.c.seq).where(_waiting(table)).limit(1)


@functools.cache
def _unclaiming(table: Table) -> Update:
    # Rows any relay may publish at once (a release, a failed publish); one statement too.
    return update(table).where(in_list(table.c.event_id, "ids")).values(claimed_until=None)


class OutboxRelay:
    """Publishes the rows its process committed (``hand_over``), and pending rows whose lease
    ended. Safe with N replicas: rows are claimed with a lease (at their insert, or by
    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers anyway)."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        table: Table,
        broker: NatsBroker,
        *,
        batch: int = 500,
        idle_seconds: float = 0.2,
        lease_seconds: float = 15.0,
        crash_before_publish: bool = False,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._table = table
        self._broker = broker
        self._batch = batch
        self._lease = timedelta(seconds=lease_seconds)
        self._skip_locked = not is_sqlite(str(engine.url))
        self._crash_before_publish = crash_before_publish
        # A pass that filled its batch, or left rows handed over, runs again at once;
        # otherwise it waits for the next ``hand_over`` or ``idle_seconds``.
        self._poller = Periodic("outbox-relay", self._pass, idle_seconds)
        self._idle = idle_seconds
        # Committed by this process and claimed at their insert: published from here.
        self._handed: list[Unpublished] = []
        self._last_claim = 0.0
        self._table_full = False  # the last claim filled its batch: more may wait there
        # Published and not deleted yet (``take_published``).
        self._published: list[str] = []
        self.published = 0

    def take_published(self) -> list[str]:
        """The ids of rows published and not deleted yet, for a transaction to delete (each
        pass deleting its own cost a write transaction more per pass); ``give_back`` if it
        rolls back. A row published and not deleted is published again after its lease,
        which the duplicate window and the consumers' inboxes absorb."""
        ids, self._published = self._published, []
        return ids

    def give_back(self, ids: Sequence[str]) -> None:
        self._published += ids

    def lease_from(self, now: datetime) -> datetime:
        """Until when a row inserted ``now`` is its writer's to publish."""
        return now + self._lease

    def hand_over(self, rows: Sequence[dict[str, Any]]) -> None:
        """``outbox_row``s just committed with ``lease_from``'s claim: published next pass."""
        self._handed += [
            Unpublished(r["event_id"], r["subject"], r["payload"], r["headers"]) for r in rows
        ]
        self._poller.wake()

    def start(self) -> None:
        self._poller.start()

    async def stop(self) -> None:
        """Stop, publishing first what was handed over (else it waits for its lease)."""
        await self._poller.stop()
        with contextlib.suppress(Exception):
            if self._handed:
                await asyncio.wait_for(self.relay_once(), PUBLISH_TIMEOUT_SECONDS)
            if self._published:
                async with self._sessions.begin() as s:
                    await delete_published(s, self._table, self.take_published())

    async def release(self) -> None:
        """Give up the claim on what was handed over and not published (a process that
        ends without publishing): any relay may publish it at once, not after its lease."""
        ids, self._handed = [r.event_id for r in self._handed], []
        if ids:
            async with self._sessions.begin() as s:
                await s.execute(_unclaiming(self._table), {"ids": ids})

    async def pending(self) -> int:
        """Rows not published yet (those this process published wait for their delete)."""
        async with self._sessions() as s:
            rows = (await s.execute(select(func.count()).select_from(self._table))).scalar_one()
        return max(int(rows) - len(self._published), 0)

    async def _pass(self) -> bool:
        """Run again at once when more waits: rows handed over meanwhile, or a claim that
        filled its batch (a large pass of handed rows says nothing about the table)."""
        await self.relay_once()
        return self._table_full or bool(self._handed)

    async def _claim(self) -> list[Any]:
        """Claim the rows whose lease ended, and delete those published meanwhile that no
        transaction took (``take_published``), in one transaction."""
        t = self._table
        now = datetime.now(UTC)
        if not self._published and not await self._any_claimable(now):
            # The usual case between bursts: a read, not a write transaction (the claim
            # every ``idle_seconds`` was most of an idle service's CPU).
            return []
        claimable = select(t.c.seq).where(_waiting(t)).order_by(t.c.seq).limit(self._batch)
        if self._skip_locked:
            claimable = claimable.with_for_update(skip_locked=True)
        published = self.take_published()
        try:
            async with self._sessions.begin() as s:
                await delete_published(s, t, published)
                result = await s.execute(
                    update(t)
                    .where(t.c.seq.in_(claimable.scalar_subquery()))
                    .values(claimed_until=now + self._lease, attempts=t.c.attempts + 1)
                    .returning(t.c.seq, t.c.event_id, t.c.subject, t.c.payload, t.c.headers),
                    {"now": now},
                )
                claimed = sorted(result.all(), key=lambda r: r.seq)
        except BaseException:
            self.give_back(published)
            raise
        return [Unpublished(*r[1:]) for r in claimed]

    async def _any_claimable(self, now: datetime) -> bool:
        async with self._engine.connect() as conn:
            found = await conn.execute(_claimable(self._table), {"now": now})
            return found.first() is not None

    async def relay_once(self) -> int:
        """One pass: the rows handed over if any, else those claimed from the table (a
        batch); the table is also read at least every ``idle_seconds`` while busy.

        All that was handed over goes in one pass, up to nats-py's window of publishes in
        flight: a busy consumer runs the loop only between its batches, and a pass needs a
        few turns of it (publish, flush, acks), so a pass of one batch fell behind a
        consumer emitting several events per message (routing's assignments reached the
        stream 3–6 s after they were made in a burst, against about 1 s now)."""
        rows = self._handed[:ASYNC_PUBLISHES_IN_FLIGHT]
        del self._handed[: len(rows)]
        loop = asyncio.get_running_loop()
        self._table_full = False
        if len(rows) < self._batch and (not rows or loop.time() - self._last_claim > self._idle):
            self._last_claim = loop.time()
            claimed = await self._claim()
            self._table_full = len(claimed) >= self._batch
            rows += claimed
        if not rows:
            return 0
        if self._crash_before_publish:
            # Fault injection for the outbox test: die after the state was committed and
            # before anything reached NATS (after a moment, so the HTTP answer gets out).
            log.warning("fault injection: crashing before publish")
            await asyncio.sleep(0.5)
            os._exit(137)
        published = await self._publish(rows)
        self._published += [r.event_id for r, ok in zip(rows, published, strict=True) if ok]
        failed = [r.event_id for r, ok in zip(rows, published, strict=True) if not ok]
        if failed:
            # Let them be retried at once rather than after the lease.
            async with self._sessions.begin() as s:
                await delete_published(s, self._table, self.take_published())
                await s.execute(_unclaiming(self._table), {"ids": failed})
            log.warning(
                "outbox: %d of %d events not published yet; will retry", len(failed), len(rows)
            )
            await asyncio.sleep(0.5)
        done = len(rows) - len(failed)
        self.published += done
        return done

    async def _publish(self, rows: Sequence[Unpublished]) -> list[bool]:
        """Publish ``rows`` with nats-py's asynchronous publish (all in flight at once, acks
        awaited together): one round trip per batch instead of one per event. The row's
        stored trace headers go along, so the consumer's span joins the request's trace."""
        futures: list[asyncio.Future[Any]] = []
        # A stall timeout makes nats-py wrap each publish in ``asyncio.wait_for``: a task and
        # a timer per event, and a trip through the event loop that lets its flusher write
        # each event to the socket alone (≈ 10 % of intake's CPU at full load, py-spy).
        # Without one, the batch is buffered and written at once. A stall needs more than
        # nats-py's 4,000 publishes in flight; only a larger batch keeps the timeout.
        stall = PUBLISH_TIMEOUT_SECONDS if len(rows) > ASYNC_PUBLISHES_IN_FLIGHT else None
        try:
            js = self._broker.config.connection_state.stream
            for row in rows:
                headers = {
                    **(row.headers or {}),
                    "Nats-Msg-Id": row.event_id,
                    "content-type": CONTENT_TYPE,
                }
                futures.append(
                    await js.publish_async(
                        row.subject,
                        row.payload,
                        stream=STREAM_NAME,
                        headers=headers,
                        wait_stall=stall,
                    )
                )
        except Exception as exc:
            log.debug("publishing stopped after %d of %d: %r", len(futures), len(rows), exc)
        if futures:
            _, late = await asyncio.wait(futures, timeout=PUBLISH_TIMEOUT_SECONDS)
            for f in late:
                f.cancel()
        acked = [f.done() and not f.cancelled() and f.exception() is None for f in futures]
        return acked + [False] * (len(rows) - len(futures))
