"""Liaison's durable consumers, by their contracts: the answers supervision's cases get for
what visits left to follow (commitments, written answers) and the events a deputy's
performance file (履职档案) is built from."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.supervision import MarkedOverdue, Resolved
from minyi.liaison.adapters.unit_of_work import LiaisonUnitOfWork
from minyi.liaison.dependencies import LiaisonRuntime
from minyi.liaison.service_layer import performance, visits
from minyi.platform.runtime import Consumer


def consumers(runtime: LiaisonRuntime) -> Sequence[Consumer[LiaisonUnitOfWork]]:
    found: list[Consumer[LiaisonUnitOfWork]] = []
    # -- visits: follow-ups marked overdue (see service_layer/visits.py) ------------------
    found.append(
        Consumer(
            MarkedOverdue.subject_name,
            subjects.durable_name("liaison", "follow_ups_overdue"),
            visits.when_follow_up_overdue_mark_it,
            frozenset({MarkedOverdue.event_type}),
        )
    )
    # -- the performance file (service_layer/performance.py), and answers to follow-ups ----
    # One durable reads every answer (``Resolved``, one per appeal answered: the hot path)
    # for both the file and the visits' follow-ups, so each reaches liaison once.
    evaluation = runtime.deps.evaluation

    async def on_file_event(event: RawEvent, uow: LiaisonUnitOfWork) -> None:
        if event.type == Resolved.event_type:
            await visits.when_follow_up_answered_record_it(event, uow)
        await performance.when_event_update_file(event, uow, evaluation)

    found.append(
        Consumer(
            subjects.ALL_EVENTS,
            subjects.durable_name("liaison", "performance"),
            on_file_event,
            performance.FILE_TYPES,
            performance.FILE_SUBJECTS,
        )
    )
    return found
