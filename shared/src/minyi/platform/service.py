"""One composition root for every service: runtime, unit of work, consumers, the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.exceptions import NackMessage, RejectMessage
from faststream.nats import NatsBroker
from faststream.nats.message import NatsMessage
from faststream.specification import AsyncAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry, Gauge
from pydantic import ValidationError
from sqlalchemy import MetaData, Table
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from minyi.contracts.envelope import CloudEvent, EventData, RawEvent, new_event
from minyi.platform import audit, auth, dead_letters, health, inbox, migrations
from minyi.platform.clock import Clock, FileClock
from minyi.platform.committer import GroupCommitter
from minyi.platform.db import create_engine, is_sqlite, session_factory
from minyi.platform.held import HeldMessages
from minyi.platform.messaging import (
    create_broker,
    declare_dead_letter_stream,
    durable_consumer,
    reconcile_consumer,
)
from minyi.platform.outbox import OutboxRelay, add_to_outbox, outbox_row
from minyi.platform.settings import Settings
from minyi.platform.tables import dead_letters_table, inbox_table, outbox_table
from minyi.platform.tasks import stop_tasks
from minyi.platform.telemetry import configure_logging, create_tracer_provider

log = logging.getLogger(__name__)

# Group commits open at once on PostgreSQL, unless a service chooses
# (``ServiceDefinition.postgres_writers``). Four lifted intake's filings (173 → 256 req/s:
# inserts, no shared rows) but slowed routing's drain (261 → 175 events/s: row-lock waits
# on popular clusters and retried groups).
POSTGRES_WRITERS = 1


class Batch(Protocol):
    """Writes gathered over one transaction and written once, just before it commits."""

    async def flush(self, session: AsyncSession) -> None: ...


B = TypeVar("B", bound=Batch)


class UnitOfWork:
    """One database transaction; events emitted in it reach the outbox in the same commit."""

    def __init__(self, runtime: Runtime, session: AsyncSession) -> None:
        self.runtime = runtime
        self.session = session
        self._rows: list[dict[str, Any]] = []
        self._batches: dict[type[Batch], Batch] = {}

    def batch(self, kind: type[B]) -> B:
        """This transaction's ``kind`` batch (made on first use). In a group commit many
        handlers share one transaction: what they add to a batch becomes one statement
        (executemany) instead of one per handler."""
        found = self._batches.get(kind)
        if found is None:
            found = self._batches[kind] = kind()
        return found  # type: ignore[return-value]

    def emit(self, data: EventData, *, subject: str) -> str:
        event = new_event(
            data,
            source=f"minyi/{self.runtime.settings.service}",
            subject=subject,
            time=self.runtime.clock.now(),
        )
        self._rows.append(outbox_row(event, data.subject_name))
        return event.id

    async def first_time(self, event_id: str, consumer: str) -> bool:
        """Record ``event_id`` as handled by ``consumer``; False for a redelivery."""
        return await inbox.claim(self.session, self.runtime.inbox, event_id, consumer)

    async def _flush(self) -> None:
        for batch in self._batches.values():
            await batch.flush(self.session)
        await add_to_outbox(self.session, self.runtime.outbox, self._rows)


EventHandler = Callable[[RawEvent, UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A durable consumer: events on ``subject`` are handled once each by ``handler``."""

    subject: str
    durable: str
    handler: EventHandler
    # Only events whose type is listed are handled; others are acknowledged and skipped
    # (tolerant reading: new event types never break an old consumer).
    types: frozenset[str] | None = None
    # Subjects under ``subject`` the server delivers (the rest never reach the process).
    filter_subjects: tuple[str, ...] = ()


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broker: NatsBroker
    relay: OutboxRelay
    clock: Clock
    outbox: Table
    inbox: Table
    dead_letters: Table
    tracer_provider: TracerProvider
    registry: CollectorRegistry
    outbox_pending: Gauge
    committer: GroupCommitter = field(init=False)
    held: HeldMessages = field(init=False)
    broker_started: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    consumers: list[Consumer] = field(default_factory=list)
    postgres_writers: int = POSTGRES_WRITERS

    def __post_init__(self) -> None:
        self.committer = GroupCommitter(
            self, writers=1 if is_sqlite(str(self.engine.url)) else self.postgres_writers
        )
        self.held = HeldMessages(self.settings.ack_wait_seconds)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with self.sessions() as session:
            uow = UnitOfWork(self, session)
            async with session.begin():
                yield uow
                await uow._flush()
            if uow._rows:
                self.relay.notify()


@dataclass
class ServiceDefinition:
    name: str
    package: str  # e.g. "minyi.intake"; its ``migrations`` folder holds the Alembic scripts
    metadata: MetaData
    # Builds what handlers and endpoints need (reference data, keys, models) into
    # ``runtime.extras``; runs before consumers and routes are wired, so bad reference
    # data fails start-up.
    prepare: Callable[[Runtime], None] = lambda _rt: None
    routers: Callable[[Runtime], Sequence[APIRouter]] = lambda _rt: ()
    consumers: Callable[[Runtime], Sequence[Consumer]] = lambda _rt: ()
    on_start: Callable[[Runtime], Awaitable[None]] | None = None
    on_stop: Callable[[Runtime], Awaitable[None]] | None = None
    title: str = ""
    # The events this service publishes (through its outbox); declared on the broker so
    # that the service's AsyncAPI document lists them.
    publishes: Sequence[type[EventData]] = ()
    # Group commits open at once on PostgreSQL (one on SQLite): more only where the work
    # shares few rows (POSTGRES_WRITERS).
    postgres_writers: int = POSTGRES_WRITERS


def build_runtime(definition: ServiceDefinition, settings: Settings) -> Runtime:
    """Engine, broker, relay and the service's consumers; nothing is connected yet."""
    engine = create_engine(settings.effective_database_url)
    registry = CollectorRegistry()
    tracer_provider = create_tracer_provider(definition.name)
    broker = create_broker(settings, tracer_provider, registry)
    sessions = session_factory(engine)
    outbox = definition.metadata.tables["outbox"]
    relay = OutboxRelay(
        engine,
        sessions,
        outbox,
        broker,
        batch=settings.outbox_batch,
        idle_seconds=settings.outbox_idle_seconds,
        crash_before_publish=settings.has_fault("crash_before_publish"),
    )
    gauge = Gauge("minyi_outbox_pending", "Events waiting in the outbox", registry=registry)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        broker=broker,
        relay=relay,
        clock=(
            FileClock(settings.clock_file)
            if settings.clock_file
            else Clock(settings.clock_start, settings.clock_speed, settings.clock_origin)
        ),
        outbox=outbox,
        inbox=definition.metadata.tables["inbox"],
        dead_letters=definition.metadata.tables["dead_letters"],
        tracer_provider=tracer_provider,
        registry=registry,
        outbox_pending=gauge,
        postgres_writers=definition.postgres_writers,
    )
    # Production refuses generated or placeholder secrets before anything else is built;
    # the keyring is loaded now so that a bad MINYI_JWT_KEYS fails start-up, not a request.
    auth.refuse_insecure_production(settings)
    runtime.extras["keyring"] = auth.load_keyring(settings)
    definition.prepare(runtime)
    runtime.consumers = list(definition.consumers(runtime))
    register_consumers(runtime, runtime.consumers)
    for model in definition.publishes:
        runtime.broker.publisher(
            model.subject_name,
            title=model.event_type,
            description=(model.__doc__ or "").strip(),
            schema=CloudEvent[model],  # type: ignore[valid-type]
        )
    return runtime


def platform_tables(metadata: MetaData) -> None:
    """Add the outbox, inbox and audit_log tables to a service's metadata."""
    outbox_table(metadata)
    inbox_table(metadata)
    audit.audit_table(metadata)
    dead_letters_table(metadata)


async def handle_once(consumer: Consumer, event: RawEvent, uow: UnitOfWork) -> None:
    """Apply ``event`` unless ``consumer`` already did (the inbox)."""
    if await uow.first_time(event.id, consumer.durable):
        await consumer.handler(event, uow)


def _message_handler(runtime: Runtime, consumer: Consumer) -> Callable[..., Awaitable[None]]:
    """Each message is handled in the service's group commit: messages arriving together
    share one transaction; each is acked only after its transaction committed."""

    async def handle() -> None:
        # The message from the broker's context, not a ``Context("message")`` parameter:
        # FastStream resolves those in a worker thread, a thread hop per message.
        msg: NatsMessage = runtime.broker.context.get_local("message")
        with runtime.held.hold(msg.raw_message):
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
            await runtime.committer.submit(lambda uow: handle_once(consumer, event, uow))
        except Exception as exc:
            if _store_down(exc):
                # Not this event's fault: hold it (no delivery used up) until the store is
                # back, so an outage longer than the retry budget makes no dead letters.
                await _retry_while_store_down(runtime, consumer, event, msg)
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


def _store_down(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_DOWN) or (
        isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
    )


async def _retry_while_store_down(
    runtime: Runtime, consumer: Consumer, event: RawEvent, msg: NatsMessage
) -> None:
    # Held, it stays in progress on the server (``HeldMessages``): no delivery is used up.
    delay = 0.5
    log.warning("store unavailable while handling %s on %s; holding it", event.id, consumer.durable)
    while True:
        await asyncio.sleep(delay)
        try:
            await runtime.committer.submit(lambda uow: handle_once(consumer, event, uow))
            return
        except Exception as exc:
            if not _store_down(exc):
                raise
            delay = min(delay * 2, 5.0)


def _delivery_of(msg: NatsMessage) -> tuple[int, int | None]:
    """How often this message was delivered, and its stream sequence."""
    try:
        meta = msg.raw_message.metadata
        return int(meta.num_delivered), int(meta.sequence.stream)
    except Exception:  # TestNatsBroker has no JetStream metadata
        return 1, None


def register_consumers(runtime: Runtime, consumers: Sequence[Consumer]) -> None:
    for consumer in consumers:
        durable_consumer(
            runtime.broker,
            runtime.settings,
            subject=consumer.subject,
            durable=consumer.durable,
            handler=_message_handler(runtime, consumer),
            filter_subjects=consumer.filter_subjects,
        )


async def _start_broker(runtime: Runtime) -> None:
    """Connect to NATS, retrying forever: the HTTP side serves (and the outbox fills)
    while NATS is away."""
    delay = 0.5
    while True:
        try:
            await runtime.broker.start()
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


def create_app(definition: ServiceDefinition, settings: Settings) -> FastAPI:
    configure_logging(definition.name, settings.log_level)
    runtime = build_runtime(definition, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrations.upgrade(runtime.engine, definition.package)
        if definition.on_start:
            await definition.on_start(runtime)
        connect = asyncio.create_task(_start_broker(runtime), name="nats-connect")
        runtime.relay.start()
        runtime.held.start()
        log.info("%s listening on http://%s:%d", definition.name, settings.http_host, settings.port)
        try:
            yield
        finally:
            await stop_tasks(connect)
            await runtime.relay.stop()
            await runtime.held.stop()
            await runtime.committer.stop()
            if definition.on_stop:
                await definition.on_stop(runtime)
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await runtime.engine.dispose()
            runtime.tracer_provider.shutdown()

    app = FastAPI(
        title=definition.title or f"Minyi {definition.name}",
        lifespan=lifespan,
        version="0.1.0",
        # 413 for any body past the limit, before a route reads it (intake's own guard is
        # stricter for its public endpoints).
        max_body_size=settings.max_body_bytes,
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    for exc_type in DATABASE_DOWN:
        app.add_exception_handler(exc_type, _database_unavailable)
    app.add_exception_handler(DBAPIError, _dbapi_error)
    spec = AsyncAPI(runtime.broker, title=app.title, version=app.version)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> Response:
        """The service's events, machine-readable (AsyncAPI, generated by FastStream)."""
        return Response(spec.to_specification().to_json(), media_type="application/json")

    for router in definition.routers(runtime):
        app.include_router(router)
    # Every POST/PUT/PATCH/DELETE is recorded; GET /v1/audit lets the admin read it.
    audit.install(app, runtime)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=runtime.tracer_provider, excluded_urls="healthz,livez,readyz,metrics"
    )
    return app


class DatabaseUnavailable(Exception):
    """Raised where a use case finds its store unreachable."""


# What a store that is down or unreachable raises: the request is refused with 503 rather
# than accepted without being stored (an IntegrityError stays a bug or a 409, never a 503).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    SATimeoutError,
    ConnectionError,
    OSError,
)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return JSONResponse(
        {
            "detail": "服务暂时不可用：数据库无法访问，请稍后重试（database unavailable; retry later）"
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    """A connection that died mid-statement (asyncpg: a bare DBAPIError) is the store being
    down, not a bug: 503 too. Anything else stays a 500."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return await _database_unavailable(request, exc)
    log.error("database error: %s", exc)
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime
