"""Rebuild every view from the whole stream into a fresh generation, then swap.

The live consumer keeps folding new events into the live generation *and* the one being
built (``projection_state.building_generation``), and folding is idempotent per generation,
so an event that the replay and the consumer both apply counts once. The swap is one
UPDATE of ``projection_state``: readers see the old views or the new ones.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, aclosing
from dataclasses import dataclass
from typing import Protocol

from minyi.contracts.envelope import RawEvent
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.service_layer.handlers import project

log = logging.getLogger(__name__)
BATCH = 500
Units = Callable[[], AbstractAsyncContextManager[ReportingUnitOfWork]]


class History(Protocol):
    """The event history in order (``adapters/history.StreamHistory``)."""

    skipped: int

    def batches(self, size: int) -> AsyncGenerator[list[RawEvent], None]: ...


@dataclass(frozen=True)
class RebuildReport:
    generation: int
    previous_generation: int
    events: int
    skipped: int


async def rebuild(units: Units, history: History) -> RebuildReport:
    """Replay ``history`` into a new generation (a transaction per batch), make it live and
    drop the old one. If the replay fails, the half-built generation is abandoned."""
    async with units() as uow:
        old, new = await uow.generations.begin_rebuild()
    applied = 0
    try:
        # Closed at once if a batch fails, and with it the stream's connection.
        async with aclosing(history.batches(BATCH)) as batches:
            async for batch in batches:
                async with units() as uow:
                    for event in batch:
                        await project(uow.views, new, event)
                applied += len(batch)
    except BaseException:
        async with units() as uow:
            await uow.generations.abandon_rebuild()
        raise
    async with units() as uow:
        await uow.generations.swap(new)
    async with units() as uow:
        await uow.generations.drop(old)
    log.info("rebuilt generation %d from %d events (%d skipped)", new, applied, history.skipped)
    return RebuildReport(new, old, applied, history.skipped)
