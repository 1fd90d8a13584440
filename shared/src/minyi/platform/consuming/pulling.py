"""Batch-first consumption: each durable is a JetStream pull consumer, and what arrived
together is handled together — one transaction, one inbox statement, one outbox insert,
then an ack per message.

Credit, not ``fetch``: the loop keeps up to ``Settings.consume_batch`` messages requested from the server
(a lingering pull request, renewed when half is used or it expires) and hands whatever
has arrived to the handlers at once. nats-py's ``fetch(n)`` would wait for a partly filled
batch until its timeout (docs/NATS.md, trap 12); here a lone message is handled as soon as
it arrives, and under load the batches fill by themselves while the previous one commits.

A batch that fails is retried one message at a time (``policy.handle_alone``), so a poison
event is retried, delayed and dead-lettered alone; a store that is down holds the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections import deque
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import ValidationError

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.consuming.held import HeldMessages
from minyi.platform.consuming.policy import (
    handle_alone,
    retry_while_store_down,
    settle_quietly,
    store_down,
)
from minyi.platform.messaging import wanted_config
from minyi.platform.runtime import Consumer, EventFailed, Runtime
from minyi.platform.settings import Settings

log = logging.getLogger(__name__)

# A pull request lives this long on the server; one that expired (or was lost with a
# restarted server, which then says nothing) is renewed.
REQUEST_SECONDS = 10.0
_STATUS = "Status"
_PENDING = "Nats-Pending-Messages"


def pull_config(settings: Settings, consumer: Consumer[Any]) -> ConsumerConfig:
    """The durable a consumer pulls from: explicit acks, today's limits, its filter."""
    wanted = wanted_config(settings, consumer.filter_subjects)
    return ConsumerConfig(
        durable_name=consumer.durable,
        ack_policy="explicit",  # type: ignore[arg-type]
        deliver_policy=DeliverPolicy.ALL,
        filter_subject=None if wanted["filter_subjects"] else consumer.subject,
        **wanted,
    )


async def ensure_pull_durable(js: Any, settings: Settings, consumer: Consumer[Any]) -> list[str]:
    """Create the durable, or bring one made by an earlier release to today's settings.

    A push durable (releases before batch consumption) cannot become a pull one: it is
    replaced by a pull durable that starts after its ack floor, so nothing unacknowledged
    is lost (what was acked out of order comes again and the inbox skips it). Returns what
    changed."""
    wanted = pull_config(settings, consumer)
    try:
        info = await js.consumer_info(STREAM_NAME, consumer.durable)
    except NotFoundError:
        await js.add_consumer(STREAM_NAME, wanted)
        return ["created"]
    old = info.config
    if old.deliver_subject:
        start = int(info.ack_floor.stream_seq) + 1 if info.ack_floor else 1
        wanted.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
        wanted.opt_start_seq = start
        try:
            await js.delete_consumer(STREAM_NAME, consumer.durable)
        except NotFoundError:
            pass  # another replica replaced it first
        await js.add_consumer(STREAM_NAME, wanted)
        log.warning(
            "durable %s: push consumer replaced by a pull one from %d", consumer.durable, start
        )
        return [f"push → pull from stream sequence {start}"]
    changed = []
    for name, value in wanted_config(settings, consumer.filter_subjects).items():
        if name == "filter_subjects" and not value:
            continue  # no narrower filter wanted: the durable keeps its subject
        if getattr(old, name) != value:
            changed.append(f"{name} {getattr(old, name)} → {value}")
            setattr(old, name, value)
    if changed:
        if old.filter_subjects:
            old.filter_subject = None
        await js.add_consumer(STREAM_NAME, old)
        log.info("consumer %s updated: %s", consumer.durable, "; ".join(changed))
    return changed


class PullLoop:
    """One durable's pull loop in one process (replicas each run theirs on the same
    durable: the server shares the messages out, ``max_ack_pending`` bounds the whole)."""

    def __init__(
        self, runtime: Runtime[Any, Any], consumer: Consumer[Any], held: HeldMessages
    ) -> None:
        self.runtime = runtime
        self.consumer = consumer
        self.held = held
        self.size = runtime.settings.consume_batch
        self.linger = runtime.settings.consume_linger_seconds
        self._arrived: deque[Msg] = deque()
        self._wake = asyncio.Event()
        self._credit = 0  # messages requested and neither delivered nor expired yet
        self._asked_at = 0.0
        self._reconnects = 0
        self._refused = False  # the server refused a request (no such durable, no JetStream)
        self.batches = 0
        self.messages = 0
        metrics = _metrics(runtime.registry)
        self._consumed = metrics[0].labels(consumer.durable)
        self._batch_sizes = metrics[1].labels(consumer.durable)

    async def run(self) -> None:
        """Pull and handle until cancelled; a failure of the loop itself (not of a handler:
        those are the policy's) is logged and the loop starts again."""
        while True:
            try:
                await self._pull()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "the pull loop of %s failed; starting it again", self.consumer.durable
                )
                self._credit = 0
                await asyncio.sleep(1.0)

    async def _pull(self) -> None:
        nc: Client = self.runtime.broker.config.connection_state.connection
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox, cb=self._on_message)
        subject = f"$JS.API.CONSUMER.MSG.NEXT.{STREAM_NAME}.{self.consumer.durable}"
        try:
            while True:
                await self._ask(nc, subject, inbox)
                if not self._arrived:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), REQUEST_SECONDS / 4)
                    except TimeoutError:
                        continue  # time to renew the request, if it was lost
                    if self.linger:
                        # The first message after a quiet spell: let a batch gather
                        # behind it (what waited already is handled at once).
                        await asyncio.sleep(self.linger)
                batch = [self._arrived.popleft() for _ in range(min(self.size, len(self._arrived)))]
                if batch:
                    try:
                        await self._handle(batch)
                    finally:
                        self.held.release(batch)
        finally:
            with contextlib.suppress(Exception):  # already closed with the connection
                await sub.unsubscribe()

    async def _ask(self, nc: Client, subject: str, inbox: str) -> None:
        """Keep a batch's worth of messages asked for: top up when half are used, and ask anew when
        the last request should have expired (the server forgets requests on a restart)."""
        if self._refused:
            # Not in a tight loop; the durable may be gone (a server that lost its state):
            # declare it again.
            self._refused = False
            await asyncio.sleep(1.0)
            js = self.runtime.broker.config.connection_state.stream
            with contextlib.suppress(Exception):
                await ensure_pull_durable(js, self.runtime.settings, self.consumer)
            self._credit = 0
        now = time.monotonic()
        reconnects = nc.stats.get("reconnects", 0)
        if now - self._asked_at > REQUEST_SECONDS + 1 or reconnects != self._reconnects:
            # Expired, or lost with the connection (a restarted server forgets requests
            # and says nothing).
            self._reconnects = reconnects
            self._credit = 0
        if self._credit > self.size // 2:
            return
        want = self.size - self._credit
        request = {"batch": want, "expires": int(REQUEST_SECONDS * 1e9)}
        try:
            await nc.publish(subject, json.dumps(request).encode(), reply=inbox)
        except Exception as exc:  # disconnected: asked again after a moment
            log.debug("pull request for %s not sent: %r", self.consumer.durable, exc)
            await asyncio.sleep(0.5)
            return
        self._credit += want
        self._asked_at = now

    async def _on_message(self, msg: Msg) -> None:
        status = msg.headers.get(_STATUS) if msg.headers else None
        if status:
            # 408: a request expired; 409: the server ended it (a leader moved, limits).
            # Their "pending" header is what that request will no longer bring.
            if status != "100":
                left = msg.headers.get(_PENDING) if msg.headers else None
                self._credit = max(0, self._credit - int(left)) if left else 0
                if status != "408":
                    self._refused = True
                    log.warning(
                        "pull request on %s ended: %s %s",
                        self.consumer.durable,
                        status,
                        msg.headers.get("Description", "") if msg.headers else "",
                    )
                self._wake.set()
            return
        self._credit = max(0, self._credit - 1)
        self.held.add(msg)  # kept in progress while it waits behind the batch in hand
        self._arrived.append(msg)
        self._wake.set()

    async def _handle(self, batch: list[Msg]) -> None:
        consumer = self.consumer
        events: list[tuple[Msg, RawEvent]] = []
        settled: list[Msg] = []  # skipped: acked with the batch
        for msg in batch:
            try:
                event = RawEvent.model_validate_json(msg.data)
            except ValidationError as exc:
                # Not an envelope at all: retrying cannot help. Terminated; the server's
                # advisory lets an operator find it.
                log.error("terminating a message that is no CloudEvent on %s: %s", msg.subject, exc)
                await settle_quietly(msg.term())
                continue
            if consumer.types is not None and event.type not in consumer.types:
                settled.append(msg)
            else:
                events.append((msg, event))
        settled += await self._apply(events)
        for msg in settled:
            await settle_quietly(msg.ack())
        self.batches += 1
        self.messages += len(batch)
        self._consumed.inc(len(batch))
        self._batch_sizes.observe(len(batch))

    async def _apply(self, events: list[tuple[Msg, RawEvent]]) -> list[Msg]:
        """Apply ``events`` in one transaction; returns the messages to ack. An event whose
        handler fails is taken out and handled alone (retried, dead-lettered: the policy),
        and the rest applied again as a batch."""
        consumer, runtime = self.consumer, self.runtime
        while events:
            batch = [e for _, e in events]

            async def work(uow: Any, batch: list[RawEvent] = batch) -> None:
                await consumer.handle_batch(batch, uow)

            try:
                await runtime.committer.submit(work)
                return [m for m, _ in events]
            except Exception as exc:
                cause = exc.__cause__ if isinstance(exc, EventFailed) else exc
                if cause is not None and store_down(cause):
                    await retry_while_store_down(runtime, consumer, work)
                    return [m for m, _ in events]
                if not isinstance(exc, EventFailed):
                    # Failed at the commit (a batched write): no event to blame; each alone.
                    log.warning(
                        "a batch of %d on %s failed (%r); handling its events one by one",
                        len(events),
                        consumer.durable,
                        exc,
                    )
                    for msg, event in events:
                        await handle_alone(runtime, consumer, msg, event)
                    return []
                failed = next(i for i, (_, e) in enumerate(events) if e.id == exc.event_id)
                msg, event = events.pop(failed)
                await handle_alone(runtime, consumer, msg, event)
        return []


@functools.cache
def _metrics(registry: CollectorRegistry) -> tuple[Counter, Histogram]:
    """The pull loops' metrics, once per registry (per runtime)."""
    return (
        Counter(
            "minyi_consumed_messages",
            "Messages pulled and settled, per durable",
            ["durable"],
            registry=registry,
        ),
        Histogram(
            "minyi_consumed_batch_size",
            "Messages handled together (one transaction), per durable",
            ["durable"],
            buckets=(1, 5, 20, 50, 100, 200, 500),
            registry=registry,
        ),
    )


__all__ = ["PullLoop", "ensure_pull_durable", "pull_config"]
