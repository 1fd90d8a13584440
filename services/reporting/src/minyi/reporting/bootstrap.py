"""Reporting's composition root."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.platform.service import Consumer, Runtime, ServiceDefinition
from minyi.reporting.adapters.tables import metadata
from minyi.reporting.entrypoints import http
from minyi.reporting.service_layer.handlers import when_any_event_update_views

PACKAGE = "minyi.reporting"


def consumers(_runtime: Runtime) -> Sequence[Consumer]:
    return [
        Consumer(
            subjects.ALL_EVENTS,
            subjects.durable_name("reporting", "all"),
            when_any_event_update_views,
        )
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


SERVICE = ServiceDefinition(
    name="reporting",
    package=PACKAGE,
    metadata=metadata,
    routers=routers,
    consumers=consumers,
    title="Minyi reporting",
)
