"""What a running service holds — settings, store, broker, outbox relay, clock, the group
committer and the service's typed dependencies — and its unit of work: one database
transaction whose emitted events reach the outbox in the same commit. Each service
subclasses ``UnitOfWork`` to expose its repositories (``uow.suggestions``, ``uow.cases``):
use cases see those, never a SQL statement."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import Depends, Request
from faststream.nats import NatsBroker
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from minyi.contracts.envelope import EventData, new_event
from minyi.platform import inbox
from minyi.platform.auth_tokens import Keyring
from minyi.platform.auth_verify import TokenVerifier
from minyi.platform.clock import Clock
from minyi.platform.db import is_sqlite
from minyi.platform.outbox import OutboxRelay, add_to_outbox, delete_published, outbox_row
from minyi.platform.ratelimit import TokenBuckets
from minyi.platform.runtime.committer import GroupCommitter
from minyi.platform.settings import Settings

D = TypeVar("D")


class Batch(Protocol):
    """Writes gathered over one transaction and written once, just before it commits."""

    async def flush(self, session: AsyncSession) -> None: ...


B = TypeVar("B", bound=Batch)


class UnitOfWork:
    def __init__(self, runtime: Runtime[Any, Any], session: AsyncSession) -> None:
        self.runtime = runtime
        self.session = session
        self.emitted: list[dict[str, Any]] = []
        # Outbox rows the relay published, deleted in this transaction (given back if it
        # rolls back).
        self.deleting: list[str] = []
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
        self.emitted.append(outbox_row(event, data.subject_name))
        return event.id

    def now(self) -> datetime:
        """The service's clock (shifted and sped up in simulations): a use case's "now"."""
        return self.runtime.clock.now()

    async def first_time(self, event_id: str, consumer: str) -> bool:
        """Record ``event_id`` as handled by ``consumer``; False for a redelivery."""
        return await inbox.claim(self.session, self.runtime.inbox, event_id, consumer)

    async def first_times(self, event_ids: Sequence[str], consumer: str) -> set[str]:
        """``first_time`` for a batch, in two statements: the ids not handled before."""
        return await inbox.claim_many(self.session, self.runtime.inbox, event_ids, consumer)

    async def flush(self) -> None:
        """Write the batches and the outbox rows; called once, just before the commit."""
        for batch in self._batches.values():
            await batch.flush(self.session)
        if self.emitted or self._batches:  # a writer anyway: a read stays a read
            self.deleting = self.runtime.relay.take_published()
            await delete_published(self.session, self.runtime.outbox, self.deleting)
        if self.emitted:
            # Claimed by this process as they go in: its relay publishes them once committed.
            lease = self.runtime.relay.lease_from(datetime.now(UTC))
            await add_to_outbox(self.session, self.runtime.outbox, self.emitted, lease)


U = TypeVar("U", bound=UnitOfWork)


@dataclass
class Runtime(Generic[D, U]):
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
    keyring: Keyring
    # Checks every bearer token: the keyring, the OIDC provider, the revoked tokens.
    tokens: TokenVerifier
    unit_of_work_type: type[U]
    postgres_writers: int
    committer: GroupCommitter[U] = field(init=False)
    # The service's consumers (``ServiceDefinition.consumers``), kept for dead-letter replay.
    consumers: list[Any] = field(default_factory=list)
    # Buckets of the platform's ``rate_limit`` dependency, one set per named limit.
    rate_limits: dict[str, TokenBuckets] = field(default_factory=dict)
    broker_started: bool = False
    _deps: D | None = None

    def __post_init__(self) -> None:
        writers = 1 if is_sqlite(str(self.engine.url)) else self.postgres_writers
        self.committer = GroupCommitter(self.unit_of_work, writers=writers)

    @property
    def deps(self) -> D:
        """The service's typed dependencies (``ServiceDefinition.dependencies``)."""
        if self._deps is None:
            raise RuntimeError("the service's dependencies are not built yet")
        return self._deps

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[U]:
        async with self.sessions() as session:
            uow = self.unit_of_work_type(self, session)
            try:
                async with session.begin():
                    yield uow
                    await uow.flush()
            except BaseException:
                self.relay.give_back(uow.deleting)
                raise
            if uow.emitted:
                self.relay.hand_over(uow.emitted)


def runtime_of(request: Request) -> Runtime[Any, Any]:
    """The runtime serving ``request``: the one place that reads ``app.state``. Endpoints
    take it, or their service's typed dependencies, as ``Annotated`` dependencies."""
    runtime: Runtime[Any, Any] = request.app.state.runtime
    return runtime


async def current_runtime(request: Request) -> Runtime[Any, Any]:
    """``runtime_of`` as a dependency: async, so FastAPI does not hop to a worker thread."""
    return runtime_of(request)


async def current_deps(request: Request) -> Any:
    """The typed dependencies of the service serving ``request``, as a dependency: a
    service declares ``Deps = Annotated[<Svc>Deps, Depends(current_deps)]``."""
    return runtime_of(request).deps


# An endpoint's parameter ``runtime: CurrentRuntime`` (services narrow it to their own
# ``Runtime[Deps, UnitOfWork]`` in their ``entrypoints/dependencies.py``).
CurrentRuntime = Annotated[Runtime[Any, Any], Depends(current_runtime)]
