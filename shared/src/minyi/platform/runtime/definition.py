"""What a service declares about itself: its store, its typed dependencies, its routes,
consumers and pollers. Its ``bootstrap.py`` holds one ``SERVICE = ServiceDefinition(...)``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter
from sqlalchemy import MetaData

from minyi.contracts.envelope import EventData, RawEvent
from minyi.platform.periodic import Periodic
from minyi.platform.runtime.runtime import Runtime, U
from minyi.platform.telemetry import in_trace_of

D = TypeVar("D")

# A batch's handlers let the event loop run every so many events. On SQLite the statements
# run on the loop itself and never wait, so a batch of 500 (routing: about 0.6 s) held the
# loop whole: the outbox relay, the PubAcks and the health endpoints waited for its end.
YIELD_EVERY = 50

# Group commits open at once on PostgreSQL, unless a service chooses
# (``ServiceDefinition.postgres_writers``). Four lifted intake's filings (173 → 256 req/s:
# inserts, no shared rows) but slowed routing's drain (261 → 175 events/s: row-lock waits
# on popular clusters and retried groups).
POSTGRES_WRITERS = 1


@dataclass(frozen=True)
class Consumer(Generic[U]):
    """A durable consumer: events on ``subject`` are handled once each by ``handler``."""

    subject: str
    durable: str
    handler: Callable[[RawEvent, U], Awaitable[None]]
    # Only events whose type is listed are handled; others are acknowledged and skipped
    # (tolerant reading: new event types never break an old consumer).
    types: frozenset[str] | None = None
    # Subjects under ``subject`` the server delivers (the rest never reach the process).
    filter_subjects: tuple[str, ...] = ()
    # Called once per pulled batch, after the inbox claim and before the handlers, with the
    # batch and the ids new to this consumer: lets a service read or write for the whole
    # batch in a statement or two (reporting's timeline rows and views, routing's
    # candidates). The handlers must still work without it (an event handled alone).
    prepare: Callable[[Sequence[RawEvent], set[str], U], Awaitable[None]] | None = None

    async def handle_once(self, event: RawEvent, uow: U) -> None:
        """Apply ``event`` unless this consumer already did (the inbox)."""
        if await uow.first_time(event.id, self.durable):
            with in_trace_of(event.traceparent, self.durable, uow.runtime.tracer_provider):
                await self.handler(event, uow)

    async def handle_batch(self, events: Sequence[RawEvent], uow: U) -> None:
        """Apply, in order, each of ``events`` this consumer has not applied yet: one inbox
        statement for the whole pulled batch, then the handlers, in one transaction."""
        new = await uow.first_times([e.id for e in events], self.durable)
        if self.prepare is not None:
            await self.prepare(events, new, uow)
        for i, event in enumerate(events, 1):
            if i % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if event.id in new:
                new.discard(event.id)  # the same event twice in a batch is applied once
                try:
                    with in_trace_of(event.traceparent, self.durable, uow.runtime.tracer_provider):
                        await self.handler(event, uow)
                except Exception as exc:
                    raise EventFailed(event.id) from exc


class EventFailed(Exception):
    """A handler failed on one event of a batch (the cause is ``__cause__``): that event
    is retried alone and the rest of the batch applied without it."""

    def __init__(self, event_id: str) -> None:
        super().__init__(event_id)
        self.event_id = event_id


def _none(_runtime: Any) -> Sequence[Any]:
    return ()


@dataclass
class ServiceDefinition(Generic[D, U]):
    name: str
    package: str  # e.g. "minyi.intake"; its ``migrations`` folder holds the Alembic scripts
    metadata: MetaData
    # The service's unit of work: the platform's, with the service's repositories on it.
    unit_of_work: type[U]
    # Builds the typed object of what handlers and endpoints need (settings, reference data,
    # keys, models); runs before consumers and routes are wired, so bad reference data fails
    # start-up, not the first request.
    dependencies: Callable[[Runtime[Any, U]], D]
    routers: Callable[[Runtime[D, U]], Sequence[APIRouter]] = _none
    consumers: Callable[[Runtime[D, U]], Sequence[Consumer[U]]] = _none
    # Background pollers (entrypoints driven by time), started after migrations, stopped
    # before the store closes.
    pollers: Callable[[Runtime[D, U]], Sequence[Periodic]] = _none
    on_start: Callable[[Runtime[D, U]], Awaitable[None]] | None = None
    on_stop: Callable[[Runtime[D, U]], Awaitable[None]] | None = None
    title: str = ""
    # The events this service publishes (through its outbox); declared on the broker so
    # that the service's AsyncAPI document lists them.
    publishes: Sequence[type[EventData]] = ()
    # Group commits open at once on PostgreSQL (one on SQLite): more only where the work
    # shares few rows (POSTGRES_WRITERS).
    postgres_writers: int = POSTGRES_WRITERS
