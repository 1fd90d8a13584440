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
from minyi.supervision.adapters.events import PUBLISHED
from minyi.supervision.adapters.tables import metadata
from minyi.supervision.config import SupervisionSettings
from minyi.supervision.domain import DeadlinePolicy, Rules, WorkingCalendar
from minyi.supervision.entrypoints import http
from minyi.supervision.entrypoints.sweeper import DeadlineSweeper
from minyi.supervision.service_layer.handlers import (
    FEEDBACK_RECEIVED,
    FEEDBACK_SUBJECT,
    when_assigned_open_case,
    when_feedback_received_close_or_reopen,
)

PACKAGE = "minyi.supervision"


def load_rules() -> Rules:
    # A deployment's own policy: deadlines.json in MINYI_REFERENCE_DIR.
    path = Path(reference_file("deadlines.json", PACKAGE))
    return Rules(policy=DeadlinePolicy.load(path), calendar=WorkingCalendar())


def prepare(runtime: Runtime) -> None:
    config = SupervisionSettings()
    runtime.extras["config"] = config
    runtime.extras["rules"] = load_rules()
    runtime.extras["sweeper"] = DeadlineSweeper(
        runtime, interval=config.sweep_seconds, batch=config.sweep_batch
    )


def consumers(runtime: Runtime) -> Sequence[Consumer]:
    rules: Rules = runtime.extras["rules"]

    async def on_assigned(event: RawEvent, uow: UnitOfWork) -> None:
        await when_assigned_open_case(event, uow, rules)

    async def on_feedback(event: RawEvent, uow: UnitOfWork) -> None:
        await when_feedback_received_close_or_reopen(event, uow, rules)

    return [
        Consumer(
            subjects.SUGGESTION_ASSIGNED,
            subjects.durable_name("supervision", "suggestion_assigned"),
            on_assigned,
            frozenset({AssignedToUnit.event_type}),
        ),
        Consumer(
            FEEDBACK_SUBJECT,
            subjects.durable_name("supervision", "feedback_received"),
            on_feedback,
            frozenset({FEEDBACK_RECEIVED}),
        ),
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


async def on_start(runtime: Runtime) -> None:
    sweeper: DeadlineSweeper = runtime.extras["sweeper"]
    sweeper.start()


async def on_stop(runtime: Runtime) -> None:
    sweeper: DeadlineSweeper = runtime.extras["sweeper"]
    await sweeper.stop()


SERVICE = ServiceDefinition(
    name="supervision",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    on_start=on_start,
    on_stop=on_stop,
    title="Minyi supervision",
    publishes=PUBLISHED,
)
