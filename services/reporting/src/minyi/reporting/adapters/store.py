"""Writing the read models: one event folded into every generation being kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.envelope import RawEvent
from minyi.platform.db import insert_or_ignore
from minyi.reporting.adapters.tables import (
    activities,
    clusters,
    counts,
    events,
    names,
    projection_state,
    suggestions,
)
from minyi.reporting.domain import projection
from minyi.reporting.domain.events import step_of
from minyi.reporting.domain.periods import periods_of

_VIEW_COLUMNS = frozenset(c.name for c in suggestions.columns) - {"generation", "suggestion_id"}


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def ensure_state(session: AsyncSession) -> None:
    await insert_or_ignore(
        session, projection_state, {"id": 1, "live_generation": 1, "building_generation": None}
    )


async def live_generation(session: AsyncSession) -> int:
    gen = await session.scalar(select(projection_state.c.live_generation))
    return int(gen or 1)


async def written_generations(session: AsyncSession) -> list[int]:
    """The live generation and, during a rebuild, the one being built."""
    row = (await session.execute(select(projection_state))).first()
    if row is None:
        return [1]
    return [row.live_generation, *([row.building_generation] if row.building_generation else [])]


async def add_counts(
    session: AsyncSession, generation: int, changes: dict[tuple[str, str, str], dict[str, int]]
) -> None:
    """Add each change to its counter row (upsert); concurrent adds commute, so N replicas
    writing the same row need no lock beyond the row's own."""
    insert = _insert(session)
    for (dimension, key, period), diff in sorted(changes.items()):
        stmt = insert(counts).values(
            generation=generation, dimension=dimension, key=key, period=period, **diff
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["generation", "dimension", "key", "period"],
            set_={m: counts.c[m] + stmt.excluded[m] for m in diff},
        )
        await session.execute(stmt)


async def _locked_row(
    session: AsyncSession, table: Table, generation: int, key_column: str, key: str
) -> dict[str, Any]:
    # A placeholder row first, then a row lock (FOR UPDATE on PostgreSQL; SQLite serialises
    # writers anyway): two replicas folding events of one suggestion take turns.
    placeholder: dict[str, Any] = {"generation": generation, key_column: key}
    if table is suggestions:
        placeholder["status"] = "unknown"
    await insert_or_ignore(session, table, placeholder)
    row = (
        (
            await session.execute(
                select(table)
                .where(table.c.generation == generation, table.c[key_column] == key)
                .with_for_update()
            )
        )
        .mappings()
        .one()
    )
    return {k: v for k, v in row.items() if v is not None}


async def project(session: AsyncSession, generation: int, event: RawEvent) -> bool:
    """Fold ``event`` into ``generation``; False if that generation already had it."""
    entry = projection.timeline_entry(event)
    if not await insert_or_ignore(session, events, {"generation": generation, **entry}):
        return False
    step = step_of(event.type)
    if step == "activity":
        await _activity(session, generation, event)
        return True
    if step == "clustered" and event.data.get("cluster_id"):
        await _cluster(session, generation, event)
    if step is None:
        return True
    sid = str(event.data.get("suggestion_id") or event.subject)
    old = await _locked_row(session, suggestions, generation, "suggestion_id", sid)
    new = projection.apply(old, event)
    await add_counts(
        session,
        generation,
        projection.delta(projection.contributions(old), projection.contributions(new)),
    )
    values = {k: v for k, v in new.items() if k in _VIEW_COLUMNS}
    await session.execute(
        update(suggestions)
        .where(suggestions.c.generation == generation, suggestions.c.suggestion_id == sid)
        .values(**values)
    )
    await _names(session, generation, event)
    return True


async def _names(session: AsyncSession, generation: int, event: RawEvent) -> None:
    d = event.data
    pairs = []
    if d.get("unit_id") and d.get("unit_name"):
        pairs.append(("unit", d["unit_id"], d["unit_name"]))
    if d.get("level") == 1 and d.get("target_id") and d.get("target_name"):
        pairs.append(("group", d["target_id"], d["target_name"]))
    insert = _insert(session)
    for kind, ident, name in pairs:
        stmt = insert(names).values(generation=generation, kind=kind, id=ident, name=name)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["generation", "kind", "id"], set_={"name": stmt.excluded.name}
            )
        )


async def _cluster(session: AsyncSession, generation: int, event: RawEvent) -> None:
    cid = str(event.data["cluster_id"])
    old = await _locked_row(session, clusters, generation, "cluster_id", cid)
    new = projection.apply_cluster(old, event)
    await session.execute(
        update(clusters)
        .where(clusters.c.generation == generation, clusters.c.cluster_id == cid)
        .values({k: v for k, v in new.items() if k not in ("generation", "cluster_id")})
    )


async def _activity(session: AsyncSession, generation: int, event: RawEvent) -> None:
    found = projection.activity_of(event)
    if found is None:
        return
    rep, kind, when = found
    insert = _insert(session)
    for period in periods_of(when):
        stmt = insert(activities).values(
            generation=generation, representative_id=rep, activity_kind=kind, period=period, n=1
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["generation", "representative_id", "activity_kind", "period"],
                set_={"n": activities.c.n + 1},
            )
        )
