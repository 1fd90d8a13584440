"""``new_runtime``: a service's definition and settings become its runtime."""

from __future__ import annotations

from typing import TypeVar

from prometheus_client import CollectorRegistry, Gauge

from minyi.platform.auth_oidc import load_oidc
from minyi.platform.auth_tokens import AuthSettings, load_keyring, refuse_insecure_production
from minyi.platform.auth_verify import TokenVerifier
from minyi.platform.clock import Clock, FileClock
from minyi.platform.db import create_engine, session_factory
from minyi.platform.messaging import create_broker
from minyi.platform.outbox import OutboxRelay
from minyi.platform.runtime.definition import ServiceDefinition
from minyi.platform.runtime.runtime import Runtime, U
from minyi.platform.settings import Settings
from minyi.platform.telemetry import create_tracer_provider

D = TypeVar("D")


def new_runtime(definition: ServiceDefinition[D, U], settings: Settings) -> Runtime[D, U]:
    """Engine, broker, relay, the service's dependencies and consumers; nothing is
    connected or started yet."""
    # Production refuses generated or placeholder secrets before anything else is built;
    # the keyring is loaded now so that a bad MINYI_JWT_KEYS (or OIDC setting) fails start-up,
    # not a request.
    refuse_insecure_production(settings)
    engine = create_engine(settings.effective_database_url)
    registry = CollectorRegistry()
    tracer_provider = create_tracer_provider(definition.name)
    broker = create_broker(settings, tracer_provider, registry)
    sessions = session_factory(engine)
    outbox = definition.metadata.tables["outbox"]
    auth = AuthSettings()
    keyring = load_keyring(settings, auth)
    runtime: Runtime[D, U] = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        broker=broker,
        relay=OutboxRelay(
            engine,
            sessions,
            outbox,
            broker,
            batch=settings.outbox_batch,
            idle_seconds=settings.outbox_idle_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            crash_before_publish=settings.has_fault("crash_before_publish"),
        ),
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
        outbox_pending=Gauge(
            "minyi_outbox_pending", "Events waiting in the outbox", registry=registry
        ),
        keyring=keyring,
        tokens=TokenVerifier(keyring, load_oidc(auth)),
        unit_of_work_type=definition.unit_of_work,
        postgres_writers=definition.postgres_writers,
    )
    runtime._deps = definition.dependencies(runtime)
    runtime.consumers = list(definition.consumers(runtime))
    return runtime
