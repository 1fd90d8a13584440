"""Writing the read models: one event folded into every generation being kept."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.envelope import RawEvent
from minyi.platform.db import dialect_insert, insert_or_ignore
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
from minyi.reporting.domain.projection import MEASURES

_VIEW_COLUMNS = frozenset(c.name for c in suggestions.columns) - {"generation", "suggestion_id"}


def _insert(session: AsyncSession) -> Any:
    return dialect_insert(session.get_bind().dialect.name)


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


class ViewWrites:
    """The view rows and counter changes of one transaction, written once before it commits.

    Events folded in one group commit share this: a suggestion's row is read (and locked)
    once per transaction, and each counter row gets one upsert carrying the sum of every
    event's change instead of one upsert per event (the fold's main cost).
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[int, str], dict[str, Any]] = {}
        self._counts: dict[tuple[int, str, str, str], Counter[str]] = {}
        self._names: dict[tuple[int, str, str], str] = {}
        self._generations: list[int] | None = None

    async def generations(self, session: AsyncSession) -> list[int]:
        """The generations written to, read once per transaction. A rebuild that starts
        meanwhile loses nothing: it replays the whole stream into the generation it builds."""
        if self._generations is None:
            self._generations = await written_generations(session)
        return self._generations

    async def view(self, session: AsyncSession, generation: int, sid: str) -> dict[str, Any]:
        key = (generation, sid)
        if key not in self._rows:
            self._rows[key] = await _locked_row(
                session, suggestions, generation, "suggestion_id", sid
            )
        return self._rows[key]

    def replace(self, generation: int, sid: str, view: dict[str, Any]) -> None:
        # As a read would give it back (no None values), for the next event of this row.
        self._rows[(generation, sid)] = {k: v for k, v in view.items() if v is not None}

    def add_counts(
        self, generation: int, changes: dict[tuple[str, str, str], dict[str, int]]
    ) -> None:
        for (dimension, key, period), diff in changes.items():
            self._counts.setdefault((generation, dimension, key, period), Counter()).update(diff)

    def name(self, generation: int, kind: str, ident: str, name: str) -> None:
        self._names[(generation, kind, ident)] = name

    async def flush(self, session: AsyncSession) -> None:
        statements = _statements(session.get_bind().dialect.name)
        if self._names:
            await session.execute(
                statements.names,
                [
                    {"generation": g, "kind": k, "id": i, "name": n}
                    for (g, k, i), n in sorted(self._names.items())
                ],
            )
            self._names.clear()
        if self._rows:
            await session.execute(
                statements.views,
                [
                    {"b_generation": g, "b_sid": sid, **{c: v.get(c) for c in _VIEW_COLUMNS}}
                    for (g, sid), v in self._rows.items()
                ],
            )
            self._rows.clear()
        # Sorted: replicas on PostgreSQL then lock counter rows in one order (no deadlock).
        rows = [
            {"generation": g, "dimension": d, "key": k, "period": p, **{m: c[m] for m in MEASURES}}
            for (g, d, k, p), c in sorted(self._counts.items())
            if any(c.values())
        ]
        self._counts.clear()
        if rows:
            await session.execute(statements.counts, rows)


@dataclass(frozen=True)
class _Statements:
    names: Any
    views: Any
    counts: Any


@functools.cache
def _statements(dialect: str) -> _Statements:
    """The fold's three write statements, built once (building them took a tenth of
    reporting's CPU when built per transaction)."""
    insert = dialect_insert(dialect)
    to_names = insert(names)
    to_counts = insert(counts)
    excluded = to_counts.excluded  # built anew on each access
    return _Statements(
        names=to_names.on_conflict_do_update(
            index_elements=["generation", "kind", "id"], set_={"name": to_names.excluded.name}
        ),
        views=update(suggestions)
        .where(
            suggestions.c.generation == bindparam("b_generation"),
            suggestions.c.suggestion_id == bindparam("b_sid"),
        )
        .values({c: bindparam(c) for c in _VIEW_COLUMNS}),
        # Adds commute: N replicas adding to one row need no lock beyond the row's own.
        counts=to_counts.on_conflict_do_update(
            index_elements=["generation", "dimension", "key", "period"],
            set_={m: counts.c[m] + excluded[m] for m in MEASURES},
        ),
    )


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
        (await session.execute(_row_query(table, key_column), {"g": generation, "k": key}))
        .mappings()
        .one()
    )
    return {k: v for k, v in row.items() if v is not None}


@functools.cache
def _row_query(table: Table, key_column: str) -> Any:
    return (
        select(table)
        .where(table.c.generation == bindparam("g"), table.c[key_column] == bindparam("k"))
        .with_for_update()
    )


async def project(
    session: AsyncSession, writes: ViewWrites, generation: int, event: RawEvent
) -> bool:
    """Fold ``event`` into ``generation``; False if that generation already had it. View
    rows and counters are written when ``writes`` is flushed (before the commit)."""
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
    old = await writes.view(session, generation, sid)
    new = projection.apply(old, event)
    writes.add_counts(
        generation, projection.delta(projection.contributions(old), projection.contributions(new))
    )
    writes.replace(generation, sid, new)
    _names(writes, generation, event)
    return True


def _names(writes: ViewWrites, generation: int, event: RawEvent) -> None:
    d = event.data
    if d.get("unit_id") and d.get("unit_name"):
        writes.name(generation, "unit", d["unit_id"], d["unit_name"])
    if d.get("level") == 1 and d.get("target_id") and d.get("target_name"):
        writes.name(generation, "group", d["target_id"], d["target_name"])


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
