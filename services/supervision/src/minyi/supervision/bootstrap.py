"""Supervision's composition root: its typed dependencies and its service definition.
Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from minyi.platform.runtime import Runtime, ServiceDefinition
from minyi.supervision.adapters.events import PUBLISHED
from minyi.supervision.adapters.reference import load_rules
from minyi.supervision.adapters.tables import metadata
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.config import SupervisionSettings
from minyi.supervision.dependencies import SupervisionDeps, SupervisionRuntime
from minyi.supervision.entrypoints import http, http_formal, http_projects, web
from minyi.supervision.entrypoints.consumers import consumers
from minyi.supervision.entrypoints.pollers import pollers

__all__ = ["SERVICE", "dependencies", "load_rules"]


def dependencies(_runtime: Runtime[Any, SupervisionUnitOfWork]) -> SupervisionDeps:
    # Bad settings or a bad policy file fail start-up, not the first request.
    return SupervisionDeps(settings=SupervisionSettings(), rules=load_rules())


def routers(_runtime: SupervisionRuntime) -> Sequence[APIRouter]:
    return [http.router, http_formal.router, http_projects.router, web.router]


SERVICE = ServiceDefinition(
    name="supervision",
    package="minyi.supervision",
    metadata=metadata,
    unit_of_work=SupervisionUnitOfWork,
    dependencies=dependencies,
    routers=routers,
    consumers=consumers,
    pollers=pollers,
    title="Minyi supervision",
    publishes=PUBLISHED,
)
