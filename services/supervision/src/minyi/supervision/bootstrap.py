"""Supervision's composition root."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit
from minyi.contracts.reference import reference_file
from minyi.platform.service import Consumer, Runtime, ServiceDefinition, UnitOfWork
from minyi.supervision.adapters.tables import metadata
from minyi.supervision.domain import DeadlinePolicy, Rules, WorkingCalendar
from minyi.supervision.entrypoints import http
from minyi.supervision.service_layer.handlers import when_assigned_open_case

PACKAGE = "minyi.supervision"


def load_rules() -> Rules:
    path = reference_file("deadlines.json", PACKAGE)
    return Rules(policy=DeadlinePolicy.load(Path(path)), calendar=WorkingCalendar())


def prepare(runtime: Runtime) -> None:
    runtime.extras["rules"] = load_rules()


def consumers(runtime: Runtime) -> Sequence[Consumer]:
    rules: Rules = runtime.extras["rules"]

    async def on_assigned(event: RawEvent, uow: UnitOfWork) -> None:
        await when_assigned_open_case(event, uow, rules)

    return [
        Consumer(
            subjects.SUGGESTION_ASSIGNED,
            subjects.durable_name("supervision", "suggestion_assigned"),
            on_assigned,
            frozenset({AssignedToUnit.event_type}),
        )
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


SERVICE = ServiceDefinition(
    name="supervision",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    title="Minyi supervision",
)
