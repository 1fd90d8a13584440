"""Routing's composition root."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import SuggestionFiled
from minyi.contracts.reference import load_divisions, load_json, reference_file
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered, TriageRequired
from minyi.platform.service import Consumer, Runtime, ServiceDefinition, UnitOfWork
from minyi.routing.adapters import models
from minyi.routing.adapters.tables import metadata
from minyi.routing.config import RoutingSettings
from minyi.routing.domain.classifier import KeywordRules, TextClassifier
from minyi.routing.domain.clustering import AppealMatcher
from minyi.routing.domain.directory import UnitDirectory
from minyi.routing.entrypoints import http
from minyi.routing.service_layer import handlers
from minyi.routing.service_layer.handlers import RoutingContext
from minyi.routing.service_layer.messages import (
    ASSIGNMENT_RETURNED_SUBJECT,
    ASSIGNMENT_RETURNED_TYPE,
    CASE_CLOSED_SUBJECT,
    CASE_CLOSED_TYPE,
)

PACKAGE = "minyi.routing"
log = logging.getLogger(__name__)


def load_directory() -> UnitDirectory:
    """Reference data is validated here, so a gap fails start-up with a clear message."""
    return UnitDirectory.from_reference(
        load_json(reference_file("taxonomy.json", PACKAGE)),
        load_json(reference_file("units.json", PACKAGE)),
        districts=load_divisions().keys(),
    )


def load_rules(directory: UnitDirectory) -> KeywordRules:
    path = reference_file("keyword_rules.json", PACKAGE)
    try:
        rules = KeywordRules.from_json(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"keyword rules {path} cannot be read: {exc}") from exc
    unknown = rules.categories() - directory.categories.keys()
    if unknown:
        raise ValueError(f"keyword rules {path} name unknown categories {sorted(unknown)}")
    return rules


def load_context(settings: RoutingSettings | None = None) -> RoutingContext:
    settings = settings or RoutingSettings()
    directory = load_directory()
    rules = load_rules(directory)
    # The shipped default until on_start finds an active version in the store.
    model = TextClassifier.load(models.default_model_path(), rules)
    unknown = set(model.classes) - directory.categories.keys()
    if unknown:
        raise ValueError(f"the default model predicts unknown categories {sorted(unknown)}")
    appeals = AppealMatcher(
        threshold=settings.cluster_threshold, window_days=settings.cluster_window_days
    )
    return RoutingContext(directory, rules, model, settings, appeals)


def prepare(runtime: Runtime) -> None:
    runtime.extras["routing"] = load_context()
    runtime.extras["routing_models_dir"] = models.models_dir(runtime.settings.data_dir)


async def reload_model(runtime: Runtime) -> str:
    """Load the active model version (or the shipped default) into the running service."""
    ctx: RoutingContext = runtime.extras["routing"]
    async with runtime.sessions() as session:
        model = await models.load_version(session, runtime.extras["routing_models_dir"], ctx.rules)
    unknown = set(model.classes) - ctx.directory.categories.keys()
    if unknown:
        raise ValueError(f"model {model.version} predicts unknown categories {sorted(unknown)}")
    ctx.model = model
    log.info("routing model %s loaded", model.version)
    return model.version


async def on_start(runtime: Runtime) -> None:
    ctx: RoutingContext = runtime.extras["routing"]
    await reload_model(runtime)
    async with runtime.unit_of_work() as uow:
        indexed, swept = await handlers.prepare_appeal_index(uow, ctx)
    if indexed or swept:
        log.info("recurring-appeal index: %d older suggestions indexed, %d band keys swept",
                 indexed, swept)  # fmt: skip


def consumers(runtime: Runtime) -> Sequence[Consumer]:
    ctx: RoutingContext = runtime.extras["routing"]

    async def on_filed(event: RawEvent, uow: UnitOfWork) -> None:
        await handlers.when_suggestion_filed_assign_unit(event, uow, ctx)

    async def on_returned(event: RawEvent, uow: UnitOfWork) -> None:
        await handlers.when_assignment_returned_route_to_next_unit(event, uow, ctx)

    async def on_closed(event: RawEvent, uow: UnitOfWork) -> None:
        await handlers.when_case_closed_mark_cluster_case_closed(event, uow, ctx)

    wanted = [
        Consumer(
            subjects.SUGGESTION_FILED,
            subjects.durable_name("routing", "suggestion_filed"),
            on_filed,
            frozenset({SuggestionFiled.event_type}),
        ),
        Consumer(
            ASSIGNMENT_RETURNED_SUBJECT,
            subjects.durable_name("routing", "suggestion_returned"),
            on_returned,
            frozenset({ASSIGNMENT_RETURNED_TYPE}),
        ),
    ]
    if ctx.settings.track_closed_cases:
        wanted.append(
            Consumer(
                CASE_CLOSED_SUBJECT,
                subjects.durable_name("routing", "suggestion_closed"),
                on_closed,
                frozenset({CASE_CLOSED_TYPE}),
            )
        )
    return wanted


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


SERVICE = ServiceDefinition(
    name="routing",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    on_start=on_start,
    title="Minyi routing",
    publishes=[AssignedToUnit, TriageRequired, SuggestionClustered],
)
