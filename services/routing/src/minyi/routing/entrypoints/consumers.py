"""Routing's durable consumers: the events it reacts to, by their contracts."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.supervision import AssignmentReturned, CaseClosed
from minyi.platform.runtime import Consumer
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.dependencies import RoutingRuntime
from minyi.routing.service_layer import handlers


def consumers(runtime: RoutingRuntime) -> Sequence[Consumer[RoutingUnitOfWork]]:
    deps = runtime.deps

    async def on_filed(event: RawEvent, uow: RoutingUnitOfWork) -> None:
        await handlers.when_suggestion_filed_assign_unit(event, uow, deps)

    async def before_filed(
        events: Sequence[RawEvent], new: set[str], uow: RoutingUnitOfWork
    ) -> None:
        await handlers.before_filings(
            [e for e in events if e.id in new and e.type == SuggestionFiled.event_type], uow, deps
        )

    async def on_returned(event: RawEvent, uow: RoutingUnitOfWork) -> None:
        await handlers.when_assignment_returned_route_to_next_unit(event, uow, deps)

    async def on_closed(event: RawEvent, uow: RoutingUnitOfWork) -> None:
        await handlers.when_case_closed_mark_cluster_case_closed(event, uow)

    wanted = [
        Consumer(
            SuggestionFiled.subject_name,
            subjects.durable_name("routing", "suggestion_filed"),
            on_filed,
            frozenset({SuggestionFiled.event_type}),
            prepare=before_filed,
        ),
        Consumer(
            AssignmentReturned.subject_name,
            subjects.durable_name("routing", "suggestion_returned"),
            on_returned,
            frozenset({AssignmentReturned.event_type}),
        ),
    ]
    if deps.settings.track_closed_cases:
        wanted.append(
            Consumer(
                CaseClosed.subject_name,
                subjects.durable_name("routing", "suggestion_closed"),
                on_closed,
                frozenset({CaseClosed.event_type}),
            )
        )
    return wanted
