"""Intake's durable consumers, by their contracts: a suggestion's lifecycle (the status a
citizen tracks), liaison's registry (the replica of deputies and stations) and the matters
liaison refers (filed as suggestions), and the public appeals and projects citizens may
support (附议) or rate."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.liaison import MatterReferred
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.dependencies import IntakeRuntime
from minyi.intake.service_layer.lifecycle import (
    LIFECYCLE_SUBJECTS,
    LIFECYCLE_TYPES,
    when_lifecycle_event_update_status,
)
from minyi.intake.service_layer.matters import when_matter_referred_file_suggestion
from minyi.intake.service_layer.registry import (
    REGISTRY_SUBJECTS,
    REGISTRY_TYPES,
    when_registry_changed_update_replica,
)
from minyi.intake.service_layer.support import (
    TARGET_SUBJECTS,
    TARGET_TYPES,
    when_target_changed_update_replica,
)
from minyi.platform.runtime import Consumer


def consumers(runtime: IntakeRuntime) -> Sequence[Consumer[IntakeUnitOfWork]]:
    places = runtime.deps.places.base

    async def on_registry(event: RawEvent, uow: IntakeUnitOfWork) -> None:
        await when_registry_changed_update_replica(event, uow, places)

    return [
        Consumer(
            subjects.SUGGESTION_EVENTS,
            subjects.durable_name("intake", "lifecycle"),
            when_lifecycle_event_update_status,
            LIFECYCLE_TYPES,
            LIFECYCLE_SUBJECTS,
        ),
        Consumer(
            subjects.ALL_EVENTS,
            subjects.durable_name("intake", "registry"),
            on_registry,
            REGISTRY_TYPES,
            REGISTRY_SUBJECTS,
        ),
        Consumer(
            MatterReferred.subject_name,
            subjects.durable_name("intake", "matters"),
            when_matter_referred_file_suggestion,
            frozenset({MatterReferred.event_type}),
        ),
        Consumer(
            subjects.ALL_EVENTS,
            subjects.durable_name("intake", "support_targets"),
            when_target_changed_update_replica,
            TARGET_TYPES,
            TARGET_SUBJECTS,
        ),
    ]
