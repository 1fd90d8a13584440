"""Liaison's composition root."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from minyi.contracts import liaison as events
from minyi.contracts import performance as performance_events
from minyi.contracts import visits as visit_events
from minyi.contracts.reference import load_unit_names
from minyi.liaison.adapters.evaluation_policy import load_evaluation_policy
from minyi.liaison.adapters.reference import (
    demo_registry,
    load_places,
    load_policy,
    load_visit_policy,
)
from minyi.liaison.adapters.tables import metadata
from minyi.liaison.adapters.unit_of_work import LiaisonUnitOfWork
from minyi.liaison.config import LiaisonSettings
from minyi.liaison.dependencies import LiaisonDeps, LiaisonRuntime
from minyi.liaison.entrypoints import http, performance, receptions, visits, web
from minyi.liaison.entrypoints.consumers import consumers
from minyi.liaison.entrypoints.dependencies import PUBLIC_LIMIT_NAME
from minyi.liaison.entrypoints.pollers import pollers
from minyi.liaison.service_layer.registry import seed_demo
from minyi.platform.egress import Egress
from minyi.platform.notifier import notifier_for
from minyi.platform.pii_vault import PiiVault, load_or_create_keys, parse_keys
from minyi.platform.ratelimit import TokenBuckets
from minyi.platform.runtime import Runtime, ServiceDefinition

PACKAGE = "minyi.liaison"
log = logging.getLogger(__name__)


def _vault(settings: LiaisonSettings, runtime: Runtime[Any, Any]) -> PiiVault:
    if settings.pii_keys and settings.index_key:
        return PiiVault(*parse_keys(settings.pii_keys, settings.index_key))
    if runtime.settings.env == "production":
        raise ValueError(
            "MINYI_LIAISON_PII_KEYS and MINYI_LIAISON_INDEX_KEY are required in production"
        )
    # Development: the data dir's key file, shared with intake (one citizen, one ref).
    return PiiVault(*load_or_create_keys(runtime.settings.data_dir))


def dependencies(runtime: Runtime[Any, LiaisonUnitOfWork]) -> LiaisonDeps:
    settings = LiaisonSettings()
    places, tree = load_places()
    runtime.rate_limits[PUBLIC_LIMIT_NAME] = TokenBuckets(
        settings.booking_rate_per_minute, settings.booking_rate_burst
    )
    return LiaisonDeps(
        settings=settings,
        places=places,
        place_tree=tree,
        policy=load_policy(),
        vault=_vault(settings, runtime),
        notifier=notifier_for(
            settings.sms_webhook_url, Egress.from_setting(runtime.settings.egress_allow)
        ),
        evaluation=load_evaluation_policy(),
        visit_policy=load_visit_policy(),
        unit_names={u.id: u.name for u in load_unit_names().values()},
    )


def routers(_runtime: LiaisonRuntime) -> Sequence[APIRouter]:
    return [http.router, receptions.router, visits.router, performance.router, web.router]


async def on_start(runtime: LiaisonRuntime) -> None:
    """The demo registry goes into an empty store (a deployment turns it off with
    MINYI_LIAISON_DEMO_DATA=false and imports its roster)."""
    if not runtime.deps.settings.demo_data:
        return
    stations, deputies = demo_registry()
    async with runtime.unit_of_work() as uow:
        made = await seed_demo(uow, stations, deputies, runtime.deps.places)
    if made is not None:
        log.info("liaison: demo registry loaded (%d records)", made.added)


SERVICE = ServiceDefinition(
    name="liaison",
    package=PACKAGE,
    metadata=metadata,
    unit_of_work=LiaisonUnitOfWork,
    dependencies=dependencies,
    routers=routers,
    consumers=consumers,
    pollers=pollers,
    on_start=on_start,
    title="Minyi liaison",
    publishes=[
        events.DeputyRegistered,
        events.DeputyUpdated,
        events.DeputyEnded,
        events.StationRegistered,
        events.StationUpdated,
        events.StationEnded,
        events.ReceptionScheduled,
        events.ReceptionHeld,
        events.ReceptionCancelled,
        events.BookingMade,
        events.BookingPromoted,
        events.BookingCancelled,
        events.MatterRecorded,
        events.MatterReferred,
        visit_events.VisitPlanned,
        visit_events.VisitQuestionPublished,
        visit_events.VisitHeld,
        visit_events.VisitCancelled,
        visit_events.CommitmentMade,
        visit_events.WrittenAnswerRequired,
        performance_events.ActivityRecorded,
        performance_events.DeputyScored,
        performance_events.PerformancePublished,
    ],
)
