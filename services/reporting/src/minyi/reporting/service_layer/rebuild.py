"""Rebuild every view from the whole stream into a fresh generation, then swap.

The live consumer keeps folding new events into the live generation *and* the one being
built (``projection_state.building_generation``), and folding is idempotent per generation,
so an event that the replay and the consumer both apply counts once. The swap is one
UPDATE of ``projection_state``: readers see the old views or the new ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import nats
from nats.js.api import DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import ALL_EVENTS, STREAM_NAME
from minyi.platform.settings import Settings
from minyi.reporting.adapters import store
from minyi.reporting.adapters.tables import GENERATIONAL, projection_state

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class RebuildReport:
    generation: int
    previous_generation: int
    events: int
    skipped: int


async def _begin(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as s, s.begin():
        await store.ensure_state(s)
        row = (
            await s.execute(
                select(projection_state).where(projection_state.c.id == 1).with_for_update()
            )
        ).one()
        if row.building_generation:
            raise RuntimeError(
                f"a rebuild of generation {row.building_generation} is already running "
                "(if it died, clear projection_state.building_generation)"
            )
        new = row.live_generation + 1
        for table in GENERATIONAL:  # leftovers of an earlier, interrupted rebuild
            await s.execute(delete(table).where(table.c.generation >= new))
        await s.execute(update(projection_state).values(building_generation=new))
        return row.live_generation, new


async def _apply(
    sessions: async_sessionmaker[AsyncSession], gen: int, batch: list[RawEvent]
) -> None:
    async with sessions() as s, s.begin():
        writes = store.ViewWrites()
        for event in batch:
            await store.project(s, writes, gen, event)
        await writes.flush(s)


async def rebuild(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, idle_timeout: float = 5.0
) -> RebuildReport:
    """Replay the stream from its first message with an ephemeral ordered consumer."""
    old, new = await _begin(sessions)
    applied = skipped = 0
    try:
        nc = await nats.connect(
            settings.nats_url.split(","),
            user=settings.nats_user,
            password=settings.nats_password,
            name="minyi-reporting-rebuild",
        )
        try:
            js = nc.jetstream()
            last = (await js.stream_info(STREAM_NAME)).state.last_seq
            if last:
                sub = await js.subscribe(
                    ALL_EVENTS,
                    stream=STREAM_NAME,
                    ordered_consumer=True,
                    deliver_policy=DeliverPolicy.ALL,
                )
                batch: list[RawEvent] = []
                seq = 0
                while seq < last:
                    msg = await sub.next_msg(timeout=idle_timeout)
                    seq = msg.metadata.sequence.stream
                    try:
                        batch.append(RawEvent.model_validate_json(msg.data))
                    except ValidationError:
                        skipped += 1  # not a CloudEvent; the live consumer rejects it too
                    if len(batch) >= BATCH or seq >= last:
                        await _apply(sessions, new, batch)
                        applied += len(batch)
                        batch = []
                await sub.unsubscribe()
        finally:
            await nc.close()
    except BaseException:
        async with sessions() as s, s.begin():
            await s.execute(update(projection_state).values(building_generation=None))
        raise
    async with sessions() as s, s.begin():
        await s.execute(
            update(projection_state).values(live_generation=new, building_generation=None)
        )
    async with sessions() as s, s.begin():
        for table in GENERATIONAL:
            await s.execute(delete(table).where(table.c.generation == old))
    log.info("rebuilt generation %d from %d events (%d skipped)", new, applied, skipped)
    return RebuildReport(new, old, applied, skipped)
