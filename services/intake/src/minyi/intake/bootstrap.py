"""Intake's composition root."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.intake.adapters.tables import metadata
from minyi.intake.domain.pii_vault import PiiVault, load_or_create_keys
from minyi.intake.entrypoints import http
from minyi.intake.service_layer.lifecycle import LIFECYCLE_TYPES, when_lifecycle_event_update_status
from minyi.platform.service import Consumer, Runtime, ServiceDefinition

PACKAGE = "minyi.intake"


def prepare(runtime: Runtime) -> None:
    keys, index_key = load_or_create_keys(runtime.settings.data_dir)
    runtime.extras["vault"] = PiiVault(keys, index_key)


def consumers(_runtime: Runtime) -> Sequence[Consumer]:
    return [
        Consumer(
            "minyi.suggestion.>",
            subjects.durable_name("intake", "lifecycle"),
            when_lifecycle_event_update_status,
            LIFECYCLE_TYPES,
        )
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


SERVICE = ServiceDefinition(
    name="intake",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    title="Minyi intake",
)
