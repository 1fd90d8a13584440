"""Supervision's durable consumers: an assignment opens a case, the citizen's feedback
closes or reopens it. Subjects and types come from the contracts."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.intake import FeedbackReceived
from minyi.contracts.routing import AssignedToUnit
from minyi.platform.runtime import Consumer
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.service_layer.handlers import (
    when_assigned_open_case,
    when_feedback_received_close_or_reopen,
)


def consumers(runtime: SupervisionRuntime) -> Sequence[Consumer[SupervisionUnitOfWork]]:
    rules = runtime.deps.rules

    async def on_assigned(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_assigned_open_case(event, uow, rules)

    async def on_feedback(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_feedback_received_close_or_reopen(event, uow, rules)

    return [
        Consumer(
            AssignedToUnit.subject_name,
            subjects.durable_name("supervision", "suggestion_assigned"),
            on_assigned,
            frozenset({AssignedToUnit.event_type}),
        ),
        Consumer(
            FeedbackReceived.subject_name,
            subjects.durable_name("supervision", "feedback_received"),
            on_feedback,
            frozenset({FeedbackReceived.event_type}),
        ),
    ]
