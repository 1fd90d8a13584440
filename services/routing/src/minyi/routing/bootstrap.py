"""Routing's composition root."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from minyi.contracts import subjects
from minyi.contracts.events import AssignedToUnit, SuggestionFiled
from minyi.contracts.reference import load_divisions, load_json, reference_file
from minyi.platform.service import Consumer, Runtime, ServiceDefinition
from minyi.routing.adapters.tables import metadata
from minyi.routing.domain.directory import UnitDirectory
from minyi.routing.domain.keywords import KeywordTable
from minyi.routing.entrypoints import http
from minyi.routing.service_layer.handlers import RoutingContext, when_suggestion_filed_assign_unit

PACKAGE = "minyi.routing"


def load_context() -> RoutingContext:
    """Reference data is validated here, so a gap fails start-up with a clear message."""
    directory = UnitDirectory.from_reference(
        load_json(reference_file("taxonomy.json", PACKAGE)),
        load_json(reference_file("units.json", PACKAGE)),
        districts=load_divisions().keys(),
    )
    rules = load_json(reference_file("keyword_rules.json", PACKAGE))["rules"]
    return RoutingContext(directory=directory, classify=KeywordTable(rules))


def prepare(runtime: Runtime) -> None:
    runtime.extras["routing"] = load_context()


def consumers(runtime: Runtime) -> Sequence[Consumer]:
    ctx: RoutingContext = runtime.extras["routing"]

    async def on_filed(event, uow):  # type: ignore[no-untyped-def]
        await when_suggestion_filed_assign_unit(event, uow, ctx)

    return [
        Consumer(
            subjects.SUGGESTION_FILED,
            subjects.durable_name("routing", "suggestion_filed"),
            on_filed,
            frozenset({SuggestionFiled.event_type}),
        )
    ]


def routers(_runtime: Runtime) -> Sequence[APIRouter]:
    return [http.router]


SERVICE = ServiceDefinition(
    name="routing",
    package=PACKAGE,
    metadata=metadata,
    prepare=prepare,
    routers=routers,
    consumers=consumers,
    title="Minyi routing",
    publishes=[AssignedToUnit],
)
