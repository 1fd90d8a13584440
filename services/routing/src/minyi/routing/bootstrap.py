"""Routing's composition root: its typed dependencies and its service definition."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from minyi.contracts.routing import AssignedToUnit, SuggestionClustered, TriageRequired
from minyi.platform.runtime import Runtime, ServiceDefinition
from minyi.routing.adapters import models
from minyi.routing.adapters.reference import PACKAGE, load_directory, load_rules
from minyi.routing.adapters.tables import metadata
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.config import RoutingSettings
from minyi.routing.dependencies import ModelHolder, RoutingDeps, RoutingRuntime
from minyi.routing.domain.clustering import AppealMatcher
from minyi.routing.entrypoints import http, web
from minyi.routing.entrypoints.consumers import consumers
from minyi.routing.service_layer import commands, handlers

log = logging.getLogger(__name__)


def build_dependencies(data_dir: Path, settings: RoutingSettings | None = None) -> RoutingDeps:
    """Reference data, rules and the shipped model, checked against each other: a gap fails
    start-up with a clear message, not the first suggestion."""
    settings = settings or RoutingSettings()
    directory = load_directory()
    rules = load_rules(directory)
    # The shipped default until on_start finds an active version in the store.
    model = models.load_model(models.default_model_path(), rules)
    unknown = directory.unknown_categories(model.classes)
    if unknown:
        raise ValueError(f"the default model predicts unknown categories {unknown}")
    appeals = AppealMatcher(
        threshold=settings.cluster_threshold, window_days=settings.cluster_window_days
    )
    return RoutingDeps(
        settings=settings,
        directory=directory,
        rules=rules,
        model=ModelHolder(model),
        appeals=appeals,
        models_dir=models.models_dir(data_dir),
    )


def dependencies(runtime: Runtime[Any, RoutingUnitOfWork]) -> RoutingDeps:
    return build_dependencies(runtime.settings.data_dir)


async def on_start(runtime: RoutingRuntime) -> None:
    async with runtime.unit_of_work() as uow:
        await commands.reload_model(uow, runtime.deps)
        indexed, swept = await handlers.prepare_appeal_index(uow, runtime.deps)
    if indexed or swept:
        log.info("recurring-appeal index: %d older suggestions indexed, %d band keys swept",
                 indexed, swept)  # fmt: skip


def routers(_runtime: RoutingRuntime) -> Sequence[APIRouter]:
    return [http.router, web.router]


SERVICE = ServiceDefinition[RoutingDeps, RoutingUnitOfWork](
    name="routing",
    package=PACKAGE,
    metadata=metadata,
    unit_of_work=RoutingUnitOfWork,
    dependencies=dependencies,
    routers=routers,
    consumers=consumers,
    on_start=on_start,
    title="Minyi routing",
    publishes=[AssignedToUnit, TriageRequired, SuggestionClustered],
)
